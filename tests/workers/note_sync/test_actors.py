"""The note sync actors: declared from their routes and refusing what their routes do not accept."""

from __future__ import annotations

from events import routes
from tests.helpers import create_tenant
from tests.workers.actor_contract import (
    assert_declared,
    assert_refuses_foreign_event,
    assert_refuses_unknown_tenant,
)
from tests.workers.support import note
from workers.note_sync.actors import notify_note_reply, sync_prospect_note


def test_the_note_actors_are_declared_from_their_routes() -> None:
    assert_declared(sync_prospect_note, routes.PROSPECT_NOTE)
    assert_declared(notify_note_reply, routes.NOTE_REPLY)


def test_an_event_of_another_route_is_refused(sqlite_url: str) -> None:
    create_tenant("acme")
    assert_refuses_foreign_event(sync_prospect_note)
    assert_refuses_foreign_event(notify_note_reply)


def test_a_note_for_an_unknown_tenant_is_refused(sqlite_url: str) -> None:
    assert_refuses_unknown_tenant(
        sync_prospect_note, event=note("n-1", "urn:li:person:ada").model_dump(mode="json")
    )
