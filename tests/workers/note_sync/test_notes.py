"""Note sync and note visibility on both stores, through every read path: the candidate view (CLI and
HTTP), the activity feed (CLI and HTTP), and who is e-mailed about a reply."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app
from events.publisher import Publisher
from ingress import ats_views
from ingress.app import create_app
from rsc.settings import get_settings
from schemas.linkedin import NoteVisibility
from store.candidate_view import activity_feed, candidate_view
from store.db import Store, get_store
from store.prospect_notes import NoteAudience
from store.uow import UnitOfWork
from tests.workers.support import TENANT, note, seat, stub, user
from workers.inmail_sync.handlers import handle_mail_stub
from workers.note_sync.handlers import handle_prospect_note

ADA = "urn:li:person:ada"
RITA_SEAT, SAM_SEAT = "urn:li:seat:501", "urn:li:seat:502"


def uow(store: Store) -> UnitOfWork:
    return UnitOfWork(TENANT, store)


@pytest.fixture
def team(store: Store) -> str:
    """rita (seat 501) and sam (seat 502) have seats; nora has none. Returns Ada's candidate id."""
    for name in ("rita", "sam", "nora"):
        user(store, name)
    seat(store, 501, "rita")
    seat(store, 502, "sam")
    result = handle_mail_stub(stub("M1", ADA), uow(store))
    assert result is not None
    handle_prospect_note(note("P-org", ADA, owner=RITA_SEAT, text="Strong analyst"), uow(store))
    handle_prospect_note(
        note("P-private", ADA, owner=RITA_SEAT, visibility=NoteVisibility.PRIVATE, text="Salary 90k"),
        uow(store),
    )
    return result.candidate_id


def notes_via_cli(candidate_id: str, as_user: str) -> list[str]:
    outcome = CliRunner().invoke(
        app, ["candidate", "show", "--tenant", TENANT, candidate_id, "--as", as_user]
    )
    assert outcome.exit_code == 0, outcome.output
    return [n["id"] for n in json.loads(outcome.output)["notes"]]


def feed_via_cli(as_user: str) -> list[str]:
    outcome = CliRunner().invoke(app, ["candidate", "feed", "--tenant", TENANT, "--as", as_user])
    assert outcome.exit_code == 0, outcome.output
    return [n["id"] for n in json.loads(outcome.output)]


def http_client(store: Store) -> TestClient:
    return TestClient(
        create_app(
            store=store,
            publisher=Publisher("amqp://unused", settings=get_settings()),
            extra_routes=ats_views.routes(get_store()),
        )
    )


def test_a_private_note_is_seen_by_its_author_alone_through_every_read_path(store: Store, team: str) -> None:
    # The author sees both notes; the other seated user and the unseated user do not see the private one.
    assert [n["id"] for n in candidate_view(uow(store), team, "rita")["notes"]] == ["P-org", "P-private"]
    assert [n["id"] for n in candidate_view(uow(store), team, "sam")["notes"]] == ["P-org"]
    assert candidate_view(uow(store), team, "nora")["notes"] == []
    assert candidate_view(uow(store), team, None)["notes"] is None  # no user named: no notes at all

    assert notes_via_cli(team, "rita") == ["P-org", "P-private"]
    assert notes_via_cli(team, "sam") == ["P-org"]

    with http_client(store) as http:
        for as_user, expected in (("rita", ["P-org", "P-private"]), ("sam", ["P-org"]), ("nora", [])):
            response = http.get(f"/ats/{TENANT}/candidates/{team}", params={"as": as_user})
            assert response.status_code == 200
            assert [n["id"] for n in response.json()["notes"]] == expected
            assert "Salary" not in response.text or as_user == "rita"
        feed = http.get(f"/ats/{TENANT}/feed", params={"as": "sam"}).json()["items"]
        assert [n["id"] for n in feed] == ["P-org"]
        assert http.get(f"/ats/{TENANT}/feed").status_code == 400
        assert http.get(f"/ats/{TENANT}/candidates/nobody", params={"as": "sam"}).status_code == 404

    # The activity feed shows organization notes only, and only to users with a seat.
    assert feed_via_cli("rita") == ["P-org"]
    assert feed_via_cli("sam") == ["P-org"]
    assert activity_feed(uow(store), "nora") == []

    with uow(store) as w:
        audience = NoteAudience(w.session, TENANT)
        private = w.prospect_notes.get("P-private")
        assert private is not None
        assert [u.id for u in audience.members(private)] == ["rita"]
        assert audience.author_of(private) == "rita"


def test_notes_are_upserted_in_order_and_a_deletion_removes_them(store: Store, team: str) -> None:
    handle_prospect_note(note("P-org", ADA, owner=RITA_SEAT, modified=2_000, text="Very strong"), uow(store))
    handle_prospect_note(note("P-org", ADA, owner=RITA_SEAT, modified=1_000, text="Late, older"), uow(store))
    (shown,) = [n for n in candidate_view(uow(store), team, "sam")["notes"] if n["id"] == "P-org"]
    assert shown["text"] == "Very strong"

    handle_prospect_note(note("P-org", ADA, owner=RITA_SEAT, modified=3_000, active=False), uow(store))
    handle_prospect_note(note("P-org", ADA, owner=RITA_SEAT, modified=2_500, text="Older again"), uow(store))
    assert candidate_view(uow(store), team, "sam")["notes"] == []
    assert feed_via_cli("sam") == []
    with uow(store) as w:
        removed = w.prospect_notes.get("P-org")
        assert removed is not None and not removed.active and removed.text is None
