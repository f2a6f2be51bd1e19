"""The deletion cascade actors: declared from their routes and refusing what their routes do not accept."""

from __future__ import annotations

from events import routes
from tests.helpers import create_tenant
from tests.workers.actor_contract import (
    assert_declared,
    assert_refuses_bad_command,
    assert_refuses_foreign_event,
    assert_refuses_unknown_tenant,
)
from workers.deletion_cascade.actors import (
    delete_application,
    delete_candidate,
    poll_purge_notices_actor,
    push_deletions,
)


def test_the_deletion_actors_are_declared_from_their_routes() -> None:
    assert_declared(delete_candidate, routes.DELETE_CANDIDATE)
    assert_declared(delete_application, routes.DELETE_APPLICATION)
    assert_declared(push_deletions, routes.PUSH_DELETIONS)
    assert_declared(poll_purge_notices_actor, routes.POLL_PURGE_NOTICES)


def test_an_ats_job_event_is_no_deletion(sqlite_url: str) -> None:
    create_tenant("acme")
    assert_refuses_foreign_event(delete_candidate)
    assert_refuses_foreign_event(delete_application)


def test_a_sweep_names_its_tenant(sqlite_url: str) -> None:
    assert_refuses_bad_command(push_deletions, tenant="acme", extra="field")
    assert_refuses_unknown_tenant(push_deletions, tenant="nobody")
    assert_refuses_unknown_tenant(poll_purge_notices_actor, tenant="nobody")
