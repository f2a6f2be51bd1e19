"""Seats per contract, on both stores against the sandbox: only contracts whose CSA_API integration is
enabled are read (legacy CSA tenants until it is reported disabled); a contract answering 403 is
recorded and retried on its own while the others are refreshed and polled; contracts can be added
and removed, and a removed contract's seats are no longer polled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from urllib.parse import parse_qsl

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from linkedin.client import LinkedInClient
from linkedin.versions import Family
from rsc.settings import get_settings, reset_settings
from schemas.commands import ContractPoll, SeatPoll
from schemas.linkedin import InMailReceived
from store.base import utcnow
from store.db import Store, get_store
from store.integrations import IntegrationStatus
from store.tenants import Tenant
from store.uow import OpsUnitOfWork, UnitOfWork
from tests.fakes import FakePublisher
from tests.helpers import ORG, add_contract, create_tenant, linkedin_path
from tests.sandbox_harness import SandboxHarness, running_sandbox
from tests.workers.support import TENANT, user
from workers.prospect_polling.polls import poll_contract, poll_seat
from workers.prospect_polling.scheduler import ProspectScheduler, polled_cursors
from workers.prospect_polling.seat_mapping import refresh_seats

C10, C11, C12, C13 = (f"urn:li:contract:{n}" for n in (10, 11, 12, 13))
#: One seat per contract: 5xx on contract 1x.
SEATS = {C10: "urn:li:seat:510", C11: "urn:li:seat:511", C12: "urn:li:seat:512", C13: "urn:li:seat:513"}


@pytest.fixture
def sandbox(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    """The customer app holds contracts 10, 11 and 12; contract 13 is not one LinkedIn authorized it
    for (its seatsV2 read answers 403)."""
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://testserver")
    monkeypatch.setenv("RSC_PROSPECT_BACKFILL_DAYS", "1")
    reset_settings()
    with running_sandbox(tmp_path) as harness:
        harness.create_app("acme-client", "acme-secret", ORG, contracts=[C10, C11, C12])
        harness.control(
            "POST",
            "/scenario",
            json={
                "seats": [
                    {"seat": seat, "contract": contract, "emailAddress": f"u{seat[-3:]}@acme.example"}
                    for contract, seat in SEATS.items()
                    if contract != C13
                ],
                "conversationEvents": [
                    {
                        "id": "E1",
                        "thread": "urn:li:messagingThread:1",
                        "viewer": SEATS[C10],
                        "member": "urn:li:person:ada",
                        "body": "Hello",
                    }
                ],
            },
        )
        create_tenant(TENANT)
        yield harness


def run(args: list[str]) -> Any:
    """The CLI, on a terminal wide enough that no table cell wraps."""
    return CliRunner().invoke(cli, args, env={"COLUMNS": "300"})


@pytest.fixture
def linkedin(sandbox: SandboxHarness) -> LinkedInClient:
    return sandbox.linkedin("acme-client", "acme-secret", ORG)


def seat_reads(sandbox: SandboxHarness) -> list[str]:
    """The contracts each seatsV2 call asked for, in order."""
    requests = sandbox.control("GET", "/requests", params={"path_prefix": linkedin_path(Family.SEATS)})
    return [dict(parse_qsl(r["query"]))["contracts"] for r in requests["requests"]]


def test_only_contracts_whose_csa_api_integration_is_enabled_are_read(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    add_contract(TENANT, C10, store=store)
    add_contract(TENANT, C11, store=store, csa_status=IntegrationStatus.NOT_ENABLED)
    add_contract(TENANT, C12, store=store, csa_status=None)  # LinkedIn not asked yet
    report = refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    assert seat_reads(sandbox) == [C10]
    assert report.failed == {}
    with UnitOfWork(TENANT, store) as uow:
        assert [s.urn for s in uow.seats.all()] == [SEATS[C10]]
        states = {s.urn: (s.read, s.why) for s in uow.contracts.states()}
    assert states[C10] == (True, "CSA_API enabled")
    assert states[C11] == (False, "CSA_API NOT_ENABLED")
    assert not states[C12][0] and "not known" in states[C12][1]

    listed = run(["seat", "list", "--tenant", TENANT])
    assert listed.exit_code == 0, listed.output
    assert "no: CSA_API NOT_ENABLED" in listed.output


def test_a_legacy_csa_tenant_reads_its_contracts_until_linkedin_reports_csa_api_disabled(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.session.get(Tenant, TENANT)
        assert tenant is not None
        tenant.legacy_csa = True
        ops.commit()
    add_contract(TENANT, C10, store=store, csa_status=None)
    add_contract(TENANT, C11, store=store, csa_status=IntegrationStatus.NOT_ENABLED)
    add_contract(TENANT, C12, store=store, csa_status=IntegrationStatus.DISABLED)
    refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    assert seat_reads(sandbox) == [C10, C11]


# Contract 13 is not the app's: its seatsV2 read is refused on purpose.
@pytest.mark.sandbox_violations("auth.scope")
def test_a_contract_answering_403_is_recorded_and_retried_alone_while_the_others_go_on(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    add_contract(TENANT, C10, store=store)
    add_contract(TENANT, C13, store=store)
    user(store, "u510", email="u510@acme.example")
    report = refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    assert seat_reads(sandbox) == [C10, C13]
    assert report.connected == {SEATS[C10]: "u510"}  # contract 10 refreshed despite 13's 403
    assert list(report.failed) == [C13] and "403" in report.failed[C13]
    with UnitOfWork(TENANT, store) as uow:
        (failed,) = [s for s in uow.contracts.states() if s.seats_error]
        assert failed.urn == C13 and failed.seats_failures == 1
        assert failed.seats_failed_at is not None and failed.seats_retry_at is not None
        retry_at = failed.seats_retry_at
        assert timedelta(seconds=55) < retry_at - failed.seats_failed_at <= timedelta(seconds=61)

    # InMail sync of the tenant's other contract goes on.
    publisher = FakePublisher()
    poll_seat(
        SeatPoll(tenant=TENANT, seat=SEATS[C10]),
        UnitOfWork(TENANT, store),
        linkedin,
        publisher,
        settings=get_settings(),
    )
    assert [e.id for e in publisher.events if isinstance(e, InMailReceived)] == ["inmail:E1"]

    # On-call sees the failure.
    listed = run(["seat", "list", "--tenant", TENANT])
    assert listed.exit_code == 0 and "linkedin_rejected" in listed.output and "1 in a row" in listed.output
    status = run(["tenant", "status", TENANT, "--offline"])
    assert status.exit_code == 0, status.output
    assert f"seats of {C13} could not be read" in status.output and "next try" in status.output

    # The scheduler asks for contract 13 alone once its retry is due, and once.
    sent = scheduler_ticks(
        store, [utcnow(), retry_at - timedelta(seconds=1), retry_at, retry_at + timedelta(seconds=5)]
    )
    assert sent[0] == [None]  # the tenant's first refresh: every contract
    assert sent[1] == [] and sent[2] == [[C13]] and sent[3] == []

    # LinkedIn authorizes the contract; its retry reads it alone and clears the failure.
    sandbox.control("PUT", "/apps/acme-client", json={"contracts": [C10, C11, C12, C13]})
    sandbox.control("POST", "/scenario", json={"seats": [{"seat": SEATS[C13], "contract": C13}]})
    before = len(seat_reads(sandbox))
    retried = refresh_seats(UnitOfWork(TENANT, store), linkedin, [C13], settings=get_settings())
    assert seat_reads(sandbox)[before:] == [C13] and retried.failed == {}
    with UnitOfWork(TENANT, store) as uow:
        assert [s.urn for s in uow.seats.all()] == [SEATS[C10], SEATS[C13]]
        row = uow.contracts.get(C13)
        assert row is not None and row.seats_error is None and row.seats_retry_at is None
        assert row.seats_read_at is not None and row.seats_failures == 0


# Contract 13 is not the app's: its seatsV2 read is refused on purpose.
@pytest.mark.sandbox_violations("auth.scope")
def test_failed_retries_back_off_up_to_the_refresh_interval(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    add_contract(TENANT, C13, store=store)
    delays = []
    for _ in range(6):
        refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
        with UnitOfWork(TENANT, store) as uow:
            row = uow.contracts.get(C13)
            assert row is not None and row.seats_retry_at and row.seats_failed_at
            delays.append(round((row.seats_retry_at - row.seats_failed_at).total_seconds()))
    assert delays == [60, 120, 240, 480, 900, 900]


def scheduler_ticks(store: Store, times: list[datetime]) -> list[list[list[str] | None]]:
    """For each tick, the ``contracts`` of every refresh_seats command the scheduler sent."""
    now = [times[0]]
    capture = FakePublisher()
    scheduler = ProspectScheduler(capture, store, get_settings(), clock=lambda: now[0])
    out: list[list[list[str] | None]] = []
    for when in times:
        now[0] = when
        capture.messages.clear()
        scheduler.tick()
        out.append(
            [m["kwargs"].get("contracts") for m in capture.bodies() if m["actor_name"] == "refresh_seats"]
        )
    return out


def test_a_removed_contract_is_no_longer_refreshed_or_polled(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    add_contract(TENANT, C10, store=store)
    add_contract(TENANT, C11, store=store)
    user(store, "u510", email="u510@acme.example")
    user(store, "u511", email="u511@acme.example")
    refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    with UnitOfWork(TENANT, store) as uow:
        assert sorted(c.seat for c in uow.poll_cursors.seats()) == [SEATS[C10], SEATS[C11]]

    removed = run(["seat", "contract-remove", C11, "--tenant", TENANT])
    assert removed.exit_code == 0, removed.output
    with UnitOfWork(TENANT, store) as uow:
        assert [c.seat for c in uow.poll_cursors.seats()] == [SEATS[C10]]
        assert [c.contract for c in uow.poll_cursors.contracts()] == [C10]
        seat = uow.seats.get(SEATS[C11])
        assert seat is not None and seat.user_id == "u511"  # kept: the authors of its notes stay known
    before = len(seat_reads(sandbox))
    refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    assert seat_reads(sandbox)[before:] == [C10]
    skipped = poll_seat(
        SeatPoll(tenant=TENANT, seat=SEATS[C11]),
        UnitOfWork(TENANT, store),
        linkedin,
        FakePublisher(),
        settings=get_settings(),
    )
    assert skipped.skipped is not None and "not read" in skipped.skipped and skipped.calls == 0
    listed = run(["seat", "list", "--tenant", TENANT])
    assert "no (contract removed)" in listed.output

    again = run(["seat", "contract-remove", C11, "--tenant", TENANT])
    assert again.exit_code == 1 and "is not a contract of tenant" in again.output


def test_tenant_create_update_with_contracts_replaces_the_set(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    add_contract(TENANT, C10, store=store)
    add_contract(TENANT, C11, store=store)
    user(store, "u511", email="u511@acme.example")
    refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())
    base = [
        "tenant",
        "create",
        TENANT,
        "--org",
        ORG,
        "--client-id",
        "acme-client",
        "--client-secret",
        "s",
        "--no-onboard",
        "--update",
    ]
    kept = run(base)
    assert kept.exit_code == 0, kept.output
    with UnitOfWork(TENANT, store) as uow:
        assert uow.contracts.urns() == [C10, C11]  # no --contract: the contracts stay
    replaced = run([*base, "--contract", C10, "--contract", C12])
    assert replaced.exit_code == 0, replaced.output
    assert f"contract {C12} added" in replaced.output
    assert f"contract {C11} removed: its seats are no longer polled" in replaced.output
    with UnitOfWork(TENANT, store) as uow:
        assert uow.contracts.urns() == [C10, C12]
        assert uow.poll_cursors.seat(SEATS[C11]) is None


def test_a_seat_element_that_cannot_be_read_is_parked_and_the_contracts_other_seats_are_stored(
    store: Store,
) -> None:
    create_tenant(TENANT)
    add_contract(TENANT, C10, store=store)
    elements = [
        {"id": 510, "state": "ACTIVE"},
        {"firstName": "no id"},
        {"seat": "urn:li:seat:515", "state": "ACTIVE"},
    ]
    fake = SimpleNamespace(seats=SimpleNamespace(of_contract=lambda contract: (elements, 1)))
    report = refresh_seats(UnitOfWork(TENANT, store), cast(LinkedInClient, fake), settings=get_settings())
    assert report.seats == 2 and report.failed == {}
    with UnitOfWork(TENANT, store) as uow:
        assert [s.urn for s in uow.seats.all()] == ["urn:li:seat:510", "urn:li:seat:515"]
        (parked,) = uow.parked_items.waiting()
        assert (parked.kind, parked.reason_code, parked.asked["contract"]) == ("seatsV2", "no_seat", C10)


def test_seats_of_a_contract_linkedin_reports_disabled_are_not_polled_until_it_is_enabled_again(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    add_contract(TENANT, C10, store=store)
    add_contract(TENANT, C11, store=store)
    user(store, "u510", email="u510@acme.example")
    user(store, "u511", email="u511@acme.example")
    refresh_seats(UnitOfWork(TENANT, store), linkedin, settings=get_settings())

    def polled() -> set[str]:
        with UnitOfWork(TENANT, store) as uow:
            seats, contracts = polled_cursors(uow)
            return {c.seat for c in seats} | {c.contract for c in contracts}

    assert polled() == {SEATS[C10], SEATS[C11], C10, C11}
    add_contract(TENANT, C11, store=store, csa_status=IntegrationStatus.DISABLED)
    assert polled() == {SEATS[C10], C10}
    skipped = poll_seat(
        SeatPoll(tenant=TENANT, seat=SEATS[C11]),
        UnitOfWork(TENANT, store),
        linkedin,
        FakePublisher(),
        settings=get_settings(),
    )
    assert skipped.skipped is not None and skipped.calls == 0
    skipped = poll_contract(
        ContractPoll(tenant=TENANT, contract=C11),
        UnitOfWork(TENANT, store),
        linkedin,
        FakePublisher(),
        settings=get_settings(),
    )
    assert skipped.skipped is not None and skipped.calls == 0
    with UnitOfWork(TENANT, store) as uow:
        assert uow.poll_cursors.seat(SEATS[C11]) is not None  # kept: polling resumes where it stopped
    add_contract(TENANT, C11, store=store, csa_status=IntegrationStatus.ENABLED)
    assert polled() == {SEATS[C10], SEATS[C11], C10, C11}
