"""The prospect sync end to end against the sandbox, in its own shapes and in the "undocumented
shapes" mode (no viewer, owners or owner on items; LinkedIn's visibility spellings or none; other
field names and nestings; mixed in one page), on both stores: every InMail, stub (with its contact
details) and note lands in the store, and an Only-me note is seen by its author alone on every read
path: the candidate view (function, CLI, HTTP), the activity feed (function, CLI, HTTP) and the
e-mails about replies."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from starlette.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from events.publisher import Publisher
from ingress import ats_views
from ingress.app import create_app
from linkedin.client import LinkedInClient
from rsc.mailer import Mailer
from rsc.settings import get_settings, reset_settings
from sandbox import item_shapes as shapes
from schemas.ats import NoteReplied, NoteReply
from schemas.commands import ContractPoll, SeatPoll
from schemas.envelope import Event
from schemas.linkedin import InMailReceived, MailStubReceived, ProspectNoteChanged
from store.base import utcnow
from store.candidate_view import activity_feed, candidate_view
from store.db import Store, get_store
from store.uow import UnitOfWork
from tests.fakes import FakePublisher, Inbox
from tests.helpers import ORG, add_contract, create_tenant
from tests.sandbox_harness import SandboxHarness, running_sandbox
from tests.workers.support import CONTRACT, TENANT, user
from workers.inmail_sync.handlers import handle_inmail, handle_mail_stub
from workers.note_sync.handlers import handle_prospect_note
from workers.note_sync.note_replies import handle_note_replied
from workers.prospect_polling.polls import poll_contract, poll_seat
from workers.prospect_polling.seat_mapping import refresh_seats

HOUR = 3_600_000
#: Seats 501 and 504 are served in two different shapes (a number only; a URN in ``id``); 503 in a
#: third, and has no user.
RITA, SAM, FREE = "urn:li:seat:501", "urn:li:seat:504", "urn:li:seat:503"
ADA, BOB = "urn:li:person:ada", "urn:li:person:bob"
AUTHORS = {RITA: "rita", SAM: "sam"}
#: Ids chosen so that every shape of every kind is served in the undocumented mode.
HISTORY_NOTES = {  # id: (owner, member, visibility as LinkedIn holds it)
    "N0": (RITA, ADA, "ORGANIZATION"),
    "N1": (RITA, ADA, "PRIVATE"),
    "N4": (SAM, BOB, "ORGANIZATION"),  # served without its visibility: Only me, the safe way
    "N5": (SAM, BOB, "PRIVATE"),
}
LIVE_NOTES = {
    "N3": (SAM, ADA, "ORGANIZATION"),
    "N6": (RITA, BOB, "PRIVATE"),
    "N7": (RITA, BOB, "ORGANIZATION"),
    "N9": (SAM, ADA, None),  # a note that carries no visibility at all
}


def _note(note_id: str, owner: str, member: str, visibility: str | None, created: int) -> dict[str, Any]:
    return {
        "id": note_id,
        "contract": CONTRACT,
        "owner": owner,
        "member": member,
        "note": f"note {note_id}",
        "visibility": visibility,
        "created": created,
        "lastModified": created,
    }


def history(now: int) -> dict[str, Any]:
    """What the seats hold before they are connected: read by each seat's own back-fill."""
    return {
        "members": [
            {"member": "urn:li:person:rita", "firstName": "Rita", "emailAddress": "rita@acme.example"},
            {"member": "urn:li:person:sam", "firstName": "Sam", "emailAddress": "sam@acme.example"},
        ],
        "seats": [
            {"seat": RITA, "contract": CONTRACT, "member": "urn:li:person:rita"},
            {"seat": SAM, "contract": CONTRACT, "member": "urn:li:person:sam"},
            {"seat": FREE, "contract": CONTRACT, "firstName": "Una", "emailAddress": "una@acme.example"},
        ],
        "conversationEvents": [
            _inmail("I0", RITA, ADA, ADA, now - 50 * HOUR),
            _inmail("I1", SAM, BOB, SAM, now - 40 * HOUR),
        ],
        "mailStubs": [
            _stub("M1", [RITA], ADA, "ada@example.com", "+44 20 0000 0001", now - 30 * HOUR),
            _stub("M3", [SAM], BOB, "bob@example.com", "+1 555 0199", now - 20 * HOUR),
        ],
        "prospectNotes": [
            _note(i, owner, member, vis, now - 10 * HOUR) for i, (owner, member, vis) in HISTORY_NOTES.items()
        ],
    }


def live(now: int) -> dict[str, Any]:
    """What happens after the seats caught up: stubs and notes read by contract polls (two owners)."""
    return {
        "conversationEvents": [
            _inmail("I4", RITA, ADA, RITA, now),
            _inmail("I5", SAM, BOB, BOB, now),
        ],
        "mailStubs": [
            _stub("M0", [RITA, SAM], ADA, "ada@work.example", None, now),  # shared with both seats
            _stub("M4", [SAM], BOB, None, "+1 555 0100", now),
        ],
        "prospectNotes": [
            _note(i, owner, member, vis, now) for i, (owner, member, vis) in LIVE_NOTES.items()
        ],
    }


def _inmail(i: str, viewer: str, member: str, author: str, created: int) -> dict[str, Any]:
    thread = f"urn:li:messagingThread:{viewer[-3:]}-{member[-3:]}"
    return {
        "id": i,
        "thread": thread,
        "viewer": viewer,
        "author": author,
        "member": member,
        "created": created,
        "subject": "Role",
        "body": f"message {i}",
    }


def _stub(
    i: str, owners: list[str], member: str, email: str | None, phone: str | None, created: int
) -> dict[str, Any]:
    return {
        "id": i,
        "contract": CONTRACT,
        "owners": owners,
        "member": member,
        "firstName": member.rsplit(":", 1)[-1].capitalize(),
        "lastName": "Prospect",
        "emailAddress": email,
        "phoneNumber": phone,
        "currentCompanyName": "Engines",
        "currentJobTitle": "Analyst",
        "created": created,
    }


def test_the_chosen_ids_cover_every_undocumented_shape() -> None:
    now = 0
    items = {**{k: v for k, v in history(now).items()}, **{f"live_{k}": v for k, v in live(now).items()}}
    for kind, count in (("conversationEvents", 3), ("mailStubs", 3), ("prospectNotes", 4)):
        ids = {i["id"] for i in items[kind] + items[f"live_{kind}"]}
        assert {shapes.variant_of(kind, i) for i in ids} == set(range(count)), kind
    assert {shapes.variant_of("seatsV2", int(s[-3:])) for s in (RITA, SAM, FREE)} == {0, 1, 2}
    spelled = [shapes.note_visibility(_note(i, *v, 0)) for i, v in {**HISTORY_NOTES, **LIVE_NOTES}.items()]
    assert None in spelled and len({s for s in spelled if s}) >= 4


@pytest.fixture(params=["documented", "undocumented"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sandbox(
    tmp_path: Path, store: Store, mode: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://testserver")
    monkeypatch.setenv("RSC_PROSPECT_BACKFILL_DAYS", "3")
    monkeypatch.setenv("RSC_POLL_OVERLAP_S", "0")
    reset_settings()
    with running_sandbox(tmp_path, undocumented_shapes=mode == "undocumented") as harness:
        harness.create_app("acme-client", "acme-secret", ORG, contracts=[CONTRACT])
        harness.control("POST", "/scenario", json=history(int(time.time() * 1000)))
        create_tenant(TENANT)
        add_contract(TENANT, CONTRACT, store=store)
        yield harness


def deliver(store: Store, events: list[Event]) -> None:
    for event in events:
        if isinstance(event, InMailReceived):
            handle_inmail(event, UnitOfWork(TENANT, store))
        elif isinstance(event, MailStubReceived):
            handle_mail_stub(event, UnitOfWork(TENANT, store))
        elif isinstance(event, ProspectNoteChanged):
            handle_prospect_note(event, UnitOfWork(TENANT, store))


def poll_all(store: Store, linkedin: LinkedInClient, publisher: FakePublisher) -> None:
    for _ in range(20):
        for seat in (RITA, SAM):
            poll_seat(
                SeatPoll(tenant=TENANT, seat=seat),
                UnitOfWork(TENANT, store),
                linkedin,
                publisher,
                settings=get_settings(),
            )
        poll_contract(
            ContractPoll(tenant=TENANT, contract=CONTRACT),
            UnitOfWork(TENANT, store),
            linkedin,
            publisher,
            settings=get_settings(),
        )
        with UnitOfWork(TENANT, store) as uow:
            cursors = uow.poll_cursors.seats()
            if cursors and not any(c.catching_up for c in cursors):
                return
    raise AssertionError("the back-fill does not finish")


def expected_visibility(note: dict[str, Any], mode: str) -> str:
    """What the pipeline must make of the note: Anyone in my organization only when LinkedIn said so."""
    if note["visibility"] != "ORGANIZATION":
        return "PRIVATE"
    if mode == "undocumented" and shapes.note_visibility(note) is None:
        return "PRIVATE"
    return "ORGANIZATION"


def test_the_prospect_sync_lands_everything_and_only_me_stays_with_its_author(
    store: Store, sandbox: SandboxHarness, mode: str, smtp: Inbox
) -> None:
    linkedin = sandbox.linkedin("acme-client", "acme-secret", ORG)
    for name in ("rita", "sam", "nora"):
        user(store, name)  # rita@ and sam@acme.example: their seats' e-mails; nora has no seat
    report = refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    assert report.connected == {RITA: "rita", SAM: "sam"} and report.failed == {}
    with UnitOfWork(TENANT, store) as uow:
        assert {s.urn: s.state for s in uow.seats.all()} == {RITA: "ACTIVE", FREE: "ACTIVE", SAM: "ACTIVE"}

    rereads_before = {kind: _rereads(kind) for kind in ("mailStubs", "prospectNotes")}
    publisher = FakePublisher()
    poll_all(store, linkedin, publisher)
    sandbox.control("POST", "/scenario", json=live(int(time.time() * 1000)))
    time.sleep(0.02)
    poll_all(store, linkedin, publisher)
    deliver(store, publisher.events)

    # What the sandbox served: no viewer, owners or owner on any item in the undocumented mode.
    served = linkedin.prospects.prospect_notes(
        CONTRACT, [RITA, SAM], int(time.time() * 1000) - 11 * HOUR, int(time.time() * 1000)
    )[0]
    assert len(served) == len(HISTORY_NOTES) + len(LIVE_NOTES)
    assert all("owner" in n for n in served) == (mode == "documented")
    assert _parked(store) == []  # nothing was unreadable, in either shape

    with UnitOfWork(TENANT, store) as uow:
        assert sorted(m.id for m in uow.inmails.of_member(ADA) + uow.inmails.of_member(BOB)) == [
            "I0",
            "I1",
            "I4",
            "I5",
        ]
        assert {m.id: m.viewer for m in uow.inmails.of_member(ADA)} == {"I0": RITA, "I4": RITA}
        stubs = {s.id: s for s in uow.mail_stubs.of_member(ADA) + uow.mail_stubs.of_member(BOB)}
        assert {k: sorted(s.owners) for k, s in stubs.items()} == {
            "M0": [RITA, SAM],
            "M1": [RITA],
            "M3": [SAM],
            "M4": [SAM],
        }
        ada, bob = uow.candidates.by_person_urn(ADA), uow.candidates.by_person_urn(BOB)
        assert ada is not None and bob is not None
        assert sorted(ada.emails or []) == ["ada@example.com", "ada@work.example"]
        assert sorted(p["number"] for p in bob.phones or []) == ["+1 555 0100", "+1 555 0199"]
        assert (ada.current_company, ada.current_title) == ("Engines", "Analyst")
        candidates = {ADA: ada.id, BOB: bob.id}
        notes = {**HISTORY_NOTES, **LIVE_NOTES}
        stored = {n: uow.prospect_notes.get(n) for n in notes}
        expected = {
            n: expected_visibility(_note(n, owner, member, vis, 0), mode)
            for n, (owner, member, vis) in notes.items()
        }
        assert {n: (r.visibility if r else None) for n, r in stored.items()} == expected
        assert {n: (r.owner_seat if r else None) for n, r in stored.items()} == {
            n: v[0] for n, v in notes.items()
        }
    # Items that named no owner while the contract poll asked for two were attributed by asking each
    # owner; items that name their owners never cost such a call.
    rereads = {kind: _rereads(kind) - before for kind, before in rereads_before.items()}
    if mode == "undocumented":
        assert rereads["mailStubs"] > 0 and rereads["prospectNotes"] > 0
        assert expected["N4"] == "PRIVATE"  # served without its visibility
    else:
        assert rereads == {"mailStubs": 0, "prospectNotes": 0}

    visible = {
        who: {
            n for n, (owner, _, _) in notes.items() if AUTHORS[owner] == who or expected[n] == "ORGANIZATION"
        }
        for who in ("rita", "sam")
    }
    visible["nora"] = set()
    _check_read_paths(store, candidates, visible, {n for n, s in expected.items() if s == "ORGANIZATION"})
    _check_reply_emails(store, smtp, notes, expected)


def _rereads(kind: str) -> float:
    return REGISTRY.get_sample_value("rsc_prospect_owner_rereads_total", {"kind": kind}) or 0.0


def _parked(store: Store) -> list[str]:
    with UnitOfWork(TENANT, store) as uow:
        return [p.key for p in uow.parked_items.waiting()]


def _check_read_paths(
    store: Store, candidates: dict[str, str], visible: dict[str, set[str]], organization: set[str]
) -> None:
    runner = CliRunner()
    http = TestClient(
        create_app(
            store=store,
            publisher=Publisher("amqp://unused", settings=get_settings()),
            extra_routes=ats_views.routes(get_store()),
        )
    )
    with http:
        for who, allowed in visible.items():
            shown: set[str] = set()
            for candidate_id in candidates.values():
                view = candidate_view(UnitOfWork(TENANT, store), candidate_id, who)
                via_cli = runner.invoke(
                    cli, ["candidate", "show", "--tenant", TENANT, candidate_id, "--as", who]
                )
                assert via_cli.exit_code == 0, via_cli.output
                via_http = http.get(f"/ats/{TENANT}/candidates/{candidate_id}", params={"as": who}).json()
                ids = [n["id"] for n in view["notes"]]
                assert ids == [n["id"] for n in json.loads(via_cli.output)["notes"]]
                assert ids == [n["id"] for n in via_http["notes"]]
                shown |= set(ids)
            assert shown == allowed, who
            feed = {n["id"] for n in activity_feed(UnitOfWork(TENANT, store), who)}
            via_cli = runner.invoke(cli, ["candidate", "feed", "--tenant", TENANT, "--as", who])
            assert via_cli.exit_code == 0, via_cli.output
            via_http = http.get(f"/ats/{TENANT}/feed", params={"as": who}).json()["items"]
            assert feed == {n["id"] for n in json.loads(via_cli.output)} == {n["id"] for n in via_http}
            assert feed == (organization if who != "nora" else set()), who


def _check_reply_emails(
    store: Store, smtp: Inbox, notes: dict[str, tuple[str, str, str | None]], expected: dict[str, str]
) -> None:
    """nora (no seat) replies to every note: the e-mail goes to who can see the note, and only them."""
    for note_id, (owner, _, _) in notes.items():
        smtp.messages.clear()
        handle_note_replied(
            NoteReplied(
                type="ats.note.replied.v1",
                id=f"reply-{note_id}",
                source="ats://test",
                tenant=TENANT,
                data=NoteReply(
                    note_id=note_id,
                    reply_id=f"R-{note_id}",
                    author_user_id="nora",
                    text="Noted",
                    replied_at=utcnow(),
                ),
            ),
            UnitOfWork(TENANT, store),
            Mailer(get_settings()),
            settings=get_settings(),
        )
        if expected[note_id] == "ORGANIZATION":
            assert smtp.recipients() == ["rita@acme.example", "sam@acme.example"], note_id
        else:
            assert smtp.recipients() == [f"{AUTHORS[owner]}@acme.example"], note_id
