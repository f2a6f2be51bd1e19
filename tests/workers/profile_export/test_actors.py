"""The profile export actor: declared from its route and refusing what its route does not accept."""

from __future__ import annotations

from events import routes
from tests.helpers import create_tenant
from tests.workers.actor_contract import assert_declared, assert_refuses_foreign_event
from workers.profile_export.actors import export_profile


def test_the_export_actor_is_declared_from_its_route() -> None:
    assert_declared(export_profile, routes.EXPORT)


def test_an_ats_event_sent_to_the_export_actor_is_refused(sqlite_url: str) -> None:
    create_tenant("acme")
    assert_refuses_foreign_event(export_profile)
