"""The scheduler's view of every tenant's polls (``store.poll_overview``) says what the per-tenant
reads say, in a few queries, on SQLite and PostgreSQL alike; its marks land on the right rows; each
seat row becomes what the planner knows of the seat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.ats import UserSnapshot
from store.base import to_ms, utcnow
from store.db import Store
from store.integrations import IntegrationStatus
from store.poll_overview import SeatRow, hold_retries, mark_queued, poll_overview
from store.seats import ACTIVE, MappedBy
from store.uow import UnitOfWork
from tests.helpers import add_contract, create_tenant
from workers.prospect_polling.planner import SeatState
from workers.prospect_polling.scheduler import polled_cursors, seat_states
from workers.prospect_polling.seat_mapping import unmapped

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def seed_tenant(store: Store, tenant: str, number: int, seats: int, *, read: bool = True) -> str:
    contract = f"urn:li:contract:{number}"
    create_tenant(tenant, client_id=f"{tenant}-client")
    status = IntegrationStatus.ENABLED if read else IntegrationStatus.DISABLED
    add_contract(tenant, contract, store=store, csa_status=status)
    with UnitOfWork(tenant, store) as uow:
        uow.poll_cursors.start_contract(contract, 0)
        for n in range(seats):
            urn = f"urn:li:seat:{number * 100 + n}"
            uow.poll_cursors.start_seat(urn, contract, 0)
            seat = uow.seats.remember(
                urn=urn,
                contract=contract,
                member=None,
                first_name=None,
                last_name=None,
                email=None,
                state=ACTIVE,
            )
            if n == 0:
                uow.users.apply(UserSnapshot(user_id="U-1", created_at=T0, modified_at=T0))
                uow.seats.connect(seat, "U-1", MappedBy.EMAIL)
        uow.users.apply(UserSnapshot(user_id="U-2", created_at=T0, modified_at=T0))  # holds no seat
        uow.poll_cursors.count_calls(7 * seats)
        uow.contracts.seats_failed(contract, "boom", utcnow() - timedelta(seconds=1))
        uow.commit()
    return contract


def test_the_overview_of_every_tenant_says_what_each_tenants_own_reads_say(store: Store) -> None:
    seed_tenant(store, "acme", 1, 3)
    seed_tenant(store, "globex", 2, 5)
    seed_tenant(store, "initech", 3, 2, read=False)  # CSA_API disabled: not polled
    now = utcnow()
    with store.session(None) as session:
        overview = poll_overview(session, now)

    assert sorted(overview) == ["acme", "globex"]
    for tenant, polls in overview.items():
        with UnitOfWork(tenant, store) as uow:
            seats, contracts = polled_cursors(uow)
            report = unmapped(uow)
            assert [s.seat for s in polls.seats] == [s.seat for s in seats]
            assert [s.catching_up for s in polls.seats] == [s.catching_up for s in seats]
            assert [c.contract for c in polls.contracts] == [c.contract for c in contracts]
            assert polls.calls_today == uow.poll_cursors.calls_on(now.date())
            assert polls.retries_due == uow.contracts.retries_due(now)
            assert polls.unmapped_seats == len(report.seats)
            assert polls.users_without_seat == len(report.users) == 1
            assert polls.parked == uow.parked_items.count_waiting()


def test_the_marks_of_a_tick_touch_only_the_polls_and_retries_it_names(store: Store) -> None:
    acme = seed_tenant(store, "acme", 1, 3)
    seed_tenant(store, "globex", 2, 3)
    until = utcnow() + timedelta(minutes=2)
    with store.session(None) as session:
        mark_queued(session, seats=[("acme", "urn:li:seat:100")], contracts=[("acme", acme)], until=until)
        hold_retries(session, [("acme", acme)], until)
        session.commit()
    with store.session(None) as session:
        overview = poll_overview(session, utcnow())
    queued = {(t, s.seat) for t, p in overview.items() for s in p.seats if s.queued_until is not None}
    assert queued == {("acme", "urn:li:seat:100")}
    assert [c.queued_until is not None for c in overview["acme"].contracts] == [True]
    assert [c.queued_until for c in overview["globex"].contracts] == [None]
    assert overview["acme"].retries_due == [] and overview["globex"].retries_due == ["urn:li:contract:2"]


def test_each_seat_row_becomes_the_planners_state_busy_while_queued_or_leased() -> None:
    now = T0
    hour = 3_600_000
    row = SeatRow(
        seat="urn:li:seat:1",
        contract="urn:li:contract:1",
        activity_per_h=2.5,
        last_polled_at=now - timedelta(minutes=5),
        queued_until=None,
        lease_until=None,
        inmail_watermark_ms=to_ms(now) - 30 * hour,  # three InMail windows behind
        backfill_watermark_ms=to_ms(now) - 200 * hour,  # more than a poll's eight windows
        shared_from_ms=None,
    )
    caught_up = row._replace(inmail_watermark_ms=to_ms(now), backfill_watermark_ms=5, shared_from_ms=5)
    later, earlier = now + timedelta(seconds=1), now - timedelta(seconds=1)
    rows = [
        row,
        caught_up,
        row._replace(queued_until=later),
        row._replace(lease_until=later),
        row._replace(queued_until=earlier, lease_until=earlier),
    ]

    states = seat_states(rows, now)

    assert states[0] == SeatState("urn:li:seat:1", 2.5, row.last_polled_at, False, True, 3 + 2 * 8)
    assert (states[1].catching_up, states[1].cost) == (False, 1)
    assert [s.busy for s in states] == [False, False, True, True, False]
