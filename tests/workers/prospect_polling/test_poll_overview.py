"""The scheduler's view of every tenant's polls (``store.poll_overview``) says what the per-tenant
reads say, in a few queries, on SQLite and PostgreSQL alike; its marks land on the right rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.ats import UserSnapshot
from store.base import utcnow
from store.db import Store
from store.integrations import IntegrationStatus
from store.poll_overview import hold_retries, mark_queued, poll_overview
from store.seats import ACTIVE, MappedBy
from store.uow import UnitOfWork
from tests.helpers import add_contract, create_tenant
from workers.prospect_polling.scheduler import polled_cursors
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
