"""InMail and note sync through separate processes: a user published by the ATS is connected to its
seat, the scheduler polls it, and the InMail, the shared details and the note reach the store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.ats import UserCreated, UserSnapshot
from store.candidate_view import candidate_view
from store.db import get_store
from store.uow import UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import onboard
from tests.helpers import add_contract
from tests.waiting import eventually

ORG = "urn:li:organization:55"
CONTRACT = "urn:li:contract:55"
SEAT = "urn:li:seat:5501"
ADA = "urn:li:person:ada55"


@pytest.fixture
def pipeline(tmp_path: Path, postgres_url: str, rabbit: str) -> Iterator[Pipeline]:
    running = Pipeline(tmp_path, postgres_url, rabbit, RSC_PROSPECT_BACKFILL_DAYS="1", RSC_POLL_OVERLAP_S="5")
    try:
        running.start_sandbox()
        yield running
        running.assert_no_undeclared_violations()
    finally:
        running.stop()


def test_a_published_user_gets_its_seat_polled_and_the_inmail_lands_on_the_candidate(
    pipeline: Pipeline, rabbit: str
) -> None:
    client_id, _ = onboard(pipeline, "acme", org=ORG)
    pipeline.control("PUT", f"/apps/{client_id}", json={"organization": ORG, "contracts": [CONTRACT]})
    now = int(time.time() * 1000)
    pipeline.control(
        "POST",
        "/scenario",
        json={
            "seats": [{"seat": SEAT, "contract": CONTRACT, "emailAddress": "rita@acme.example"}],
            "conversationEvents": [
                {
                    "id": "E1",
                    "thread": "urn:li:messagingThread:9",
                    "viewer": SEAT,
                    "member": ADA,
                    "created": now - 60_000,
                    "body": "Interested?",
                },
                {
                    "id": "E2",
                    "thread": "urn:li:messagingThread:9",
                    "viewer": SEAT,
                    "author": ADA,
                    "member": ADA,
                    "created": now - 30_000,
                    "body": "Yes",
                },
            ],
            "mailStubs": [
                {
                    "id": "M1",
                    "contract": CONTRACT,
                    "owners": [SEAT],
                    "member": ADA,
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "emailAddress": "ada@example.com",
                    "created": now - 20_000,
                }
            ],
            "prospectNotes": [
                {
                    "id": "P1",
                    "contract": CONTRACT,
                    "owner": SEAT,
                    "member": ADA,
                    "note": "Strong",
                    "visibility": "PRIVATE",
                    "created": now - 10_000,
                    "lastModified": now - 10_000,
                }
            ],
        },
    )
    add_contract("acme", CONTRACT)
    when = datetime.now(UTC)
    Publisher(rabbit, settings=get_settings()).publish(
        UserCreated(
            type="ats.user.created.v1",
            id="u-rita",
            source="ats://e2e",
            tenant="acme",
            data=UserSnapshot(user_id="rita", email="rita@acme.example", created_at=when, modified_at=when),
        )
    )
    for queue in ("prospect_poll", "inmail_sync", "note_sync"):
        pipeline.start_workers(queue, queue, threads=2)
    pipeline.start_scheduler()

    def synced() -> str | None:
        with UnitOfWork("acme", get_store()) as uow:
            candidate = uow.candidates.by_person_urn(ADA)
            if (
                candidate is None
                or uow.prospect_notes.get("P1") is None
                or len(uow.inmails.of_member(ADA)) < 2
            ):
                return None
            return candidate.id

    candidate_id = eventually(
        synced, timeout=90, interval=0.5, what="the InMails, stub and note to be synced"
    )
    assert candidate_id is not None
    view = candidate_view(UnitOfWork("acme", get_store()), candidate_id, "rita")
    assert [m["id"] for m in view["messages"]] == ["E1", "E2"]
    assert view["emails"] == ["ada@example.com"]
    assert [n["id"] for n in view["notes"]] == ["P1"]  # rita's own private note
    with UnitOfWork("acme", get_store()) as uow:
        seat = uow.seats.get(SEAT)
        assert seat is not None and seat.user_id == "rita"
    assert "Interested?" not in pipeline.log_text() and "ada@example.com" not in pipeline.log_text()
