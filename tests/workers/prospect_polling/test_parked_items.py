"""An item no reader can read is kept whole with its reason (not a hash in ``rejections``), never
stops the rest of its page, is listed for on-call without its content, and is read again by
``rsc parked replay`` once the reader is fixed; on both stores, against the sandbox."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from typer.testing import CliRunner

from cli.main import app as cli
from linkedin.client import LinkedInClient
from rsc.logs import configure_logging
from rsc.settings import get_settings, reset_settings
from schemas.commands import ContractPoll, SeatPoll
from schemas.linkedin import MailStubReceived, ProspectNoteChanged
from store.db import Store, get_store
from store.uow import OpsUnitOfWork, UnitOfWork
from tests.fakes import FakePublisher
from tests.helpers import ORG, add_contract, create_tenant, drain
from tests.sandbox_harness import SandboxHarness, running_sandbox
from tests.workers.support import CONTRACT, TENANT, user
from workers.inmail_sync.handlers import handle_mail_stub
from workers.prospect_polling.item_fields import ItemProblem
from workers.prospect_polling.items import Asked, ItemKind
from workers.prospect_polling.pages import Unread
from workers.prospect_polling.parked_items import park
from workers.prospect_polling.parked_replay import replay
from workers.prospect_polling.polls import poll_contract, poll_seat
from workers.prospect_polling.seat_mapping import refresh_seats

RITA, SAM = "urn:li:seat:501", "urn:li:seat:502"
ADA, BOB = "urn:li:person:ada", "urn:li:person:bob"
SECRET_EMAIL = "bob.secret@example.com"


@pytest.fixture
def sandbox(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://testserver")
    monkeypatch.setenv("RSC_PROSPECT_BACKFILL_DAYS", "1")
    monkeypatch.setenv("RSC_POLL_OVERLAP_S", "0")
    reset_settings()
    with running_sandbox(tmp_path) as harness:
        harness.create_app("acme-client", "acme-secret", ORG, contracts=[CONTRACT])
        now = int(time.time() * 1000)
        harness.control(
            "POST",
            "/scenario",
            json={
                "seats": [
                    {"seat": RITA, "contract": CONTRACT, "emailAddress": "rita@acme.example"},
                    {"seat": SAM, "contract": CONTRACT, "emailAddress": "sam@acme.example"},
                ],
                "mailStubs": [
                    _stub("M1", ADA, "ada@example.com", now - 3_000),
                    _stub("M2", BOB, SECRET_EMAIL, now - 2_000),
                    _stub("M3", "urn:li:person:cy", "cy@example.com", now - 1_000),
                ],
                "prospectNotes": [
                    {
                        "id": "P1",
                        "contract": CONTRACT,
                        "owner": RITA,
                        "member": ADA,
                        "note": "ok",
                        "created": now,
                    }
                ],
            },
        )
        create_tenant(TENANT)
        add_contract(TENANT, CONTRACT, store=store)
        yield harness


def _stub(i: str, member: str, email: str, created: int) -> dict[str, Any]:
    return {
        "id": i,
        "contract": CONTRACT,
        "owners": [RITA],
        "member": member,
        "emailAddress": email,
        "created": created,
    }


@pytest.fixture
def linkedin(sandbox: SandboxHarness) -> LinkedInClient:
    return sandbox.linkedin("acme-client", "acme-secret", ORG)


def poll_rita(store: Store, linkedin: LinkedInClient) -> FakePublisher:
    user(store, "rita")
    refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    publisher = FakePublisher()
    poll_seat(
        SeatPoll(tenant=TENANT, seat=RITA),
        UnitOfWork(TENANT, store),
        linkedin,
        publisher,
        settings=get_settings(),
    )
    return publisher


def test_an_unreadable_item_is_parked_whole_the_rest_of_its_page_lands_and_a_replay_reads_it(
    store: Store,
    linkedin: LinkedInClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import workers.prospect_polling.pages as pages

    real = pages.read_stub

    def buggy(item: dict[str, Any], *args: Any) -> Any:
        if item.get("id") == "M2":
            raise TypeError("a reader bug")
        return real(item, *args)

    monkeypatch.setattr(pages, "read_stub", buggy)
    try:
        configure_logging(get_settings(), process="test")
        publisher = poll_rita(store, linkedin)
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
    logged = capsys.readouterr().err

    # The page's other stubs and the note were read; the window was left behind all the same.
    stubs = [e.data.stub_id for e in publisher.events if isinstance(e, MailStubReceived)]
    assert stubs == ["M1", "M3"]
    assert [e.data.note_id for e in publisher.events if isinstance(e, ProspectNoteChanged)] == ["P1"]
    with UnitOfWork(TENANT, store) as uow:
        cursor = uow.poll_cursors.seat(RITA)
        assert cursor is not None and cursor.backfill_watermark_ms > time.time() * 1000 - 60_000
        (row,) = uow.parked_items.waiting()
        assert (row.kind, row.item_id, row.reason_code) == ("mailStubs", "M2", "reader_error")
        assert row.item["emailAddress"] == SECRET_EMAIL  # kept whole, not a digest
        assert row.member_urn == BOB  # erasing the member erases it
        assert (
            row.asked
            == Asked(
                ItemKind.MAIL_STUB, CONTRACT, (RITA,), row.asked["start_ms"], row.asked["end_ms"]
            ).as_json()
        )
        key = row.key
    with OpsUnitOfWork(get_store()) as ops:
        assert ops.rejections.list() == []  # no longer refused into a hash
    assert "polled item parked" in logged and SECRET_EMAIL not in logged

    # On-call sees it, without its content unless asked.
    runner = CliRunner()
    listed = runner.invoke(cli, ["parked", "list", "--tenant", TENANT])
    assert listed.exit_code == 0 and key[:12] in listed.output and "reader_error" in listed.output
    assert SECRET_EMAIL not in listed.output
    shown = runner.invoke(cli, ["parked", "show", key[:12], "--tenant", TENANT])
    assert shown.exit_code == 0 and SECRET_EMAIL not in shown.output
    outline = json.loads(shown.output)
    assert outline["fields"]["emailAddress"] == "str" and outline["reason_code"] == "reader_error"
    with_content = runner.invoke(cli, ["parked", "show", key[:12], "--tenant", TENANT, "--content"])
    assert SECRET_EMAIL in with_content.output

    # The same window read again (a crash before the watermark moved) parks the same item once.
    with UnitOfWork(TENANT, store) as uow:
        cursor = uow.poll_cursors.seat(RITA)
        assert cursor is not None
        cursor.backfill_watermark_ms = cursor.inmail_watermark_ms = int(time.time() * 1000) - 3_600_000
        uow.commit()
    poll_seat(
        SeatPoll(tenant=TENANT, seat=RITA),
        UnitOfWork(TENANT, store),
        linkedin,
        FakePublisher(),
        settings=get_settings(),
    )
    with UnitOfWork(TENANT, store) as uow:
        (again,) = uow.parked_items.waiting()
        assert again.key == key and again.times_parked == 2

    # The reader is fixed: a replay reads it, and it lands like a polled stub.
    monkeypatch.setattr(pages, "read_stub", real)
    dry = replay(UnitOfWork(TENANT, store), FakePublisher(), dry_run=True, settings=get_settings())
    assert (dry.replayed, dry.published) == (1, 0)
    replayed = FakePublisher()
    report = replay(UnitOfWork(TENANT, store), replayed, settings=get_settings())
    assert (report.replayed, report.published, report.still_parked) == (1, 1, {})
    (event,) = replayed.events
    assert isinstance(event, MailStubReceived) and event.id == f"stub:M2:{event.data.last_modified_ms}"
    handle_mail_stub(event, UnitOfWork(TENANT, store))
    with UnitOfWork(TENANT, store) as uow:
        bob = uow.candidates.by_person_urn(BOB)
        assert bob is not None and bob.emails == [SECRET_EMAIL]
        assert uow.parked_items.waiting() == []
        assert uow.parked_items.get(key) is not None  # kept as replayed: the trace stays


def test_a_replay_publishes_through_rabbitmq_and_a_still_unreadable_item_stays_parked(
    store: Store, linkedin: LinkedInClient, rabbit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workers.prospect_polling.items as items

    # A reader that does not know where this LinkedIn version puts the member yet.
    known = items.MEMBER_FIELDS
    monkeypatch.setattr(items, "MEMBER_FIELDS", ("memberUrn",))
    poll_rita(store, linkedin)
    with UnitOfWork(TENANT, store) as uow:
        assert sorted(r.item_id or "" for r in uow.parked_items.waiting()) == ["M1", "M2", "M3"]
        assert {r.reason_code for r in uow.parked_items.waiting()} == {"no_member"}
    runner = CliRunner()
    still = runner.invoke(cli, ["parked", "replay", "--tenant", TENANT, "--reason", "no_member"])
    assert still.exit_code == 0 and "3 item(s) still cannot be read (no_member)" in still.output
    with UnitOfWork(TENANT, store) as uow:
        assert {r.times_parked for r in uow.parked_items.waiting()} == {2}

    monkeypatch.setattr(items, "MEMBER_FIELDS", known)  # the reader learned the field
    done = runner.invoke(cli, ["parked", "replay", "--tenant", TENANT, "--kind", "mailStubs"])
    assert done.exit_code == 0 and "3 item(s) read; 3 event(s) published" in done.output, done.output
    published = [body["kwargs"]["event"]["data"]["stub_id"] for body, _ in drain(rabbit, "inmail_sync")]
    assert sorted(published) == ["M1", "M2", "M3"]


def test_replay_attributes_an_item_of_several_owners_by_asking_linkedin_per_owner(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    """An item parked because no owner's query returned it (it changed between the reads) is asked
    for again when replayed; it is attributed only if an owner's own query returns it."""
    now = int(time.time() * 1000)
    sandbox.control("PUT", "/settings", json={"undocumented_shapes": True})
    asked = Asked(ItemKind.PROSPECT_NOTE, CONTRACT, (RITA, SAM), now - 60_000, now + 1)
    item = {"id": "P1", "member": ADA, "note": "ok", "created": now, "lastModified": now}
    gone = {"id": "P-gone", "member": ADA, "created": now, "lastModified": now}
    with UnitOfWork(TENANT, store) as uow:
        for parked in (item, gone):
            uow.parked_items.park(
                kind="prospectNotes",
                item=parked,
                asked=asked.as_json(),
                reason_code="owner_unknown",
                reason="test",
                item_id=str(parked["id"]),
                member_urn=ADA,
            )
        uow.commit()
    publisher = FakePublisher()
    report = replay(UnitOfWork(TENANT, store), publisher, lambda: linkedin, settings=get_settings())
    assert report.calls == 4 and report.still_parked == {"owner_unknown": 1}  # each item, each owner
    (event,) = publisher.events
    assert isinstance(event, ProspectNoteChanged) and (event.data.note_id, event.data.owner) == ("P1", RITA)


def test_a_contract_poll_never_guesses_an_author(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    """Two connected seats; in the undocumented shapes no note names its owner. Every note read by the
    contract poll gets the seat whose own query returns it."""
    sandbox.control("PUT", "/settings", json={"undocumented_shapes": True})
    user(store, "rita")
    user(store, "sam")
    refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    publisher = FakePublisher()
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
    now = int(time.time() * 1000)
    sandbox.control(
        "POST",
        "/scenario",
        json={
            "prospectNotes": [
                {"id": f"L{i}", "contract": CONTRACT, "owner": owner, "member": ADA, "created": now}
                for i, owner in enumerate((RITA, SAM, SAM, RITA))
            ]
        },
    )
    time.sleep(0.02)
    live = FakePublisher()
    poll_contract(
        ContractPoll(tenant=TENANT, contract=CONTRACT),
        UnitOfWork(TENANT, store),
        linkedin,
        live,
        settings=get_settings(),
    )
    owners = {e.data.note_id: e.data.owner for e in live.events if isinstance(e, ProspectNoteChanged)}
    assert owners == {"L0": RITA, "L1": SAM, "L2": SAM, "L3": RITA}


def test_parking_an_item_twice_keeps_one_row_counting_both_reads(store: Store) -> None:
    unread = Unread(
        ItemKind.MAIL_STUB,
        {"id": "s-1", "member": "urn:li:person:ada", "owners": "nobody"},
        Asked(ItemKind.MAIL_STUB, "urn:li:contract:10", ("urn:li:seat:1",)),
        ItemProblem.NO_SEAT,
        "the mail stub names no owner seat",
    )
    for _ in range(2):  # a window read twice
        with UnitOfWork("acme", store) as uow:
            assert park(uow, [unread]) == 1
            uow.commit()
    with UnitOfWork("acme", store) as uow:
        [row] = uow.parked_items.waiting()
        assert (row.kind, row.item_id, row.member_urn) == ("mailStubs", "s-1", "urn:li:person:ada")
        assert (row.reason_code, row.times_parked) == ("no_seat", 2)
        assert Asked.from_json(row.asked) == unread.asked
