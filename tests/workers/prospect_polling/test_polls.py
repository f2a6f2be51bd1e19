"""Polls against the LinkedIn sandbox (in-process) on both stores: seats connected automatically and by
hand, watermarks that move only after the events are confirmed, and a late mapping back-filling the
seat's history."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkedin.client import LinkedInClient
from linkedin.versions import Family
from rsc.settings import get_settings, reset_settings
from schemas.commands import ContractPoll, SeatPoll
from schemas.envelope import Event
from schemas.linkedin import InMailReceived, MailStubReceived, ProspectNoteChanged
from store.candidate_view import candidate_view
from store.db import Store
from store.uow import UnitOfWork
from tests.fakes import FakePublisher
from tests.helpers import ORG, add_contract, create_tenant, linkedin_path
from tests.sandbox_harness import SandboxHarness, running_sandbox
from tests.workers.support import CONTRACT, TENANT, user
from workers.inmail_sync.handlers import handle_inmail, handle_mail_stub
from workers.note_sync.handlers import handle_prospect_note
from workers.prospect_polling.polls import poll_contract, poll_seat
from workers.prospect_polling.seat_mapping import refresh_seats, unmapped

HOUR = 3_600_000
RITA, SAM = "urn:li:seat:501", "urn:li:seat:502"
ADA, BOB = "urn:li:person:ada", "urn:li:person:bob"


def history(now: int) -> dict[str, Any]:
    """Sam's seat has three days of InMails with Bob, a stub and a note; Rita's seat a fresh InMail."""
    return {
        "members": [
            {"member": "urn:li:person:rita", "firstName": "Rita", "lastName": "Book"},
            {
                "member": "urn:li:person:sam",
                "firstName": "Sam",
                "lastName": "Hire",
                "emailAddress": "sam@acme.example",
            },
        ],
        "seats": [
            {"seat": RITA, "contract": CONTRACT, "member": "urn:li:person:rita"},
            {"seat": SAM, "contract": CONTRACT, "member": "urn:li:person:sam"},
        ],
        "conversationEvents": [
            *(
                {
                    "id": f"S{i}",
                    "thread": "urn:li:messagingThread:sam-bob",
                    "viewer": SAM,
                    "member": BOB,
                    "author": BOB if i % 2 else SAM,
                    "created": now - (70 - 20 * i) * HOUR,
                    "subject": "Role",
                    "body": f"message {i}",
                }
                for i in range(4)
            ),
            {
                "id": "R1",
                "thread": "urn:li:messagingThread:rita-ada",
                "viewer": RITA,
                "member": ADA,
                "created": now - 60_000,
                "body": "Hello Ada",
            },
        ],
        "mailStubs": [
            {
                "id": "MS1",
                "contract": CONTRACT,
                "owners": [SAM],
                "member": BOB,
                "firstName": "Bob",
                "lastName": "Builder",
                "emailAddress": "bob@example.com",
                "phoneNumber": "+1 555 0199",
                "currentCompanyName": "Builders",
                "currentJobTitle": "Foreman",
                "created": now - 30 * HOUR,
            },
        ],
        "prospectNotes": [
            {
                "id": "PN1",
                "contract": CONTRACT,
                "owner": SAM,
                "member": BOB,
                "note": "Great fit",
                "visibility": "ORGANIZATION",
                "created": now - 20 * HOUR,
                "lastModified": now - 20 * HOUR,
            },
        ],
    }


@pytest.fixture
def sandbox(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://testserver")
    monkeypatch.setenv("RSC_PROSPECT_BACKFILL_DAYS", "6")
    monkeypatch.setenv("RSC_POLL_OVERLAP_S", "0")
    reset_settings()
    with running_sandbox(tmp_path) as harness:
        harness.create_app("acme-client", "acme-secret", ORG, contracts=[CONTRACT])
        harness.control("POST", "/scenario", json=history(int(time.time() * 1000)))
        create_tenant(TENANT)
        add_contract(TENANT, CONTRACT, store=store)
        yield harness


@pytest.fixture
def linkedin(sandbox: SandboxHarness) -> LinkedInClient:
    return sandbox.linkedin("acme-client", "acme-secret", ORG)


def deliver(store: Store, events: list[Event]) -> None:
    """What the inmail_sync and note_sync workers do with the polled events."""
    for event in events:
        if isinstance(event, InMailReceived):
            handle_inmail(event, UnitOfWork(TENANT, store))
        elif isinstance(event, MailStubReceived):
            handle_mail_stub(event, UnitOfWork(TENANT, store))
        elif isinstance(event, ProspectNoteChanged):
            handle_prospect_note(event, UnitOfWork(TENANT, store))


def poll_until_current(store: Store, linkedin: LinkedInClient, publisher: FakePublisher, seat: str) -> int:
    polls = 0
    while True:
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
        polls += 1
        with UnitOfWork(TENANT, store) as uow:
            cursor = uow.poll_cursors.seat(seat)
            assert cursor is not None
            if not cursor.catching_up and time.time() * 1000 - cursor.inmail_watermark_ms < 60_000:
                return polls
        assert polls < 20, "the back-fill does not finish"


def test_a_late_seat_mapping_back_fills_that_seats_history(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    user(store, "rita", person_urn="urn:li:person:rita")
    report = refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    assert report.connected == {RITA: "rita"}  # by member URN
    with UnitOfWork(TENANT, store) as uow:
        gaps = unmapped(uow)
        assert [s.urn for s in gaps.seats] == [SAM]  # reported, not dropped

    publisher = FakePublisher()
    poll_until_current(store, linkedin, publisher, RITA)
    deliver(store, publisher.events)
    assert {e.id for e in publisher.events} == {"inmail:R1"}  # nothing of Sam's seat yet

    user(store, "sam")  # sam@acme.example: the seat's e-mail, connected automatically
    with UnitOfWork(TENANT, store) as uow:
        sam_seat = uow.seats.get(SAM)
        assert sam_seat is not None and (sam_seat.user_id, sam_seat.mapped_by) == ("sam", "email")
        assert unmapped(uow).seats == []

    polls = poll_until_current(store, linkedin, publisher, SAM)
    assert polls >= 2  # six days of 12-hour windows, eight windows a poll
    deliver(store, publisher.events)
    with UnitOfWork(TENANT, store) as uow:
        bob = uow.candidates.by_person_urn(BOB)
        assert bob is not None
        bob_id = bob.id
    view = candidate_view(UnitOfWork(TENANT, store), bob_id, "rita")
    assert [m["id"] for m in view["messages"]] == ["S0", "S1", "S2", "S3"]
    assert view["emails"] == ["bob@example.com"] and view["current_title"] == "Foreman"
    assert [n["id"] for n in view["notes"]] == ["PN1"]

    windows = [
        (int(dict(_query(r))["timeRange.start"]), int(dict(_query(r))["timeRange.end"]))
        for r in sandbox.control(
            "GET", "/requests", params={"path_prefix": linkedin_path(Family.CONVERSATION_EVENTS)}
        )["requests"]
    ]
    assert windows and all(0 < end - start <= 12 * HOUR for start, end in windows)


def test_the_watermark_stays_when_the_events_are_not_confirmed(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    from events.publisher import PublishError

    user(store, "rita", person_urn="urn:li:person:rita")
    refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    poll_until_current(store, linkedin, FakePublisher(), RITA)
    with UnitOfWork(TENANT, store) as uow:
        cursor = uow.poll_cursors.seat(RITA)
        assert cursor is not None
        before = cursor.inmail_watermark_ms
    sandbox.control(
        "POST",
        "/scenario",
        json={
            "conversationEvents": [
                {
                    "id": "R2",
                    "thread": "urn:li:messagingThread:rita-ada",
                    "viewer": RITA,
                    "member": ADA,
                    "body": "Still interested?",
                }
            ]
        },
    )
    time.sleep(0.01)

    with pytest.raises(PublishError):
        poll_seat(
            SeatPoll(tenant=TENANT, seat=RITA),
            UnitOfWork(TENANT, store),
            linkedin,
            FakePublisher(fail=True),
            settings=get_settings(),
        )
    with UnitOfWork(TENANT, store) as uow:
        cursor = uow.poll_cursors.seat(RITA)
        assert cursor is not None
        assert cursor.inmail_watermark_ms == before  # the window holding R2 is read again
        assert cursor.lease_until is None

    publisher = FakePublisher()
    poll_seat(
        SeatPoll(tenant=TENANT, seat=RITA),
        UnitOfWork(TENANT, store),
        linkedin,
        publisher,
        settings=get_settings(),
    )
    assert [e.id for e in publisher.events] == ["inmail:R2"]
    with UnitOfWork(TENANT, store) as uow:
        cursor = uow.poll_cursors.seat(RITA)
        assert cursor is not None and cursor.inmail_watermark_ms > before


def _query(request: dict[str, Any]) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(request["query"])
