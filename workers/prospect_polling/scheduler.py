"""The scheduler's share of InMail and note sync: seat refreshes and polls, within the budget.

Each tick, per tenant with a Recruiter contract that is read: a seat refresh every
``seat_refresh_interval_s`` (in between, a retry of just the contracts whose seat read failed, as
each falls due), the contract polls and seat polls the planner (``workers.prospect_polling.planner``) says are
due for the contracts that are read, and the metrics (freshness, unmapped seats and users, calls
spent, parked items). A poll is marked queued once RabbitMQ queued before it is published, so the
next tick does not ask for it again while it waits in the queue; a poll clears the mark when it ends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from events.messages import OutgoingMessage, command_message
from events.publisher import EventPublisher, PublishError
from linkedin.prospects import MAX_WINDOW_MS
from rsc.logs import get_logger
from rsc.settings import Settings
from schemas.commands import ContractPoll, SeatPoll, SeatRefresh
from store.base import to_ms, utcnow
from store.db import Store
from store.poll_overview import SeatRow, TenantPolls, hold_retries, mark_queued, poll_overview
from store.prospect_polls import ContractCursor, SeatCursor
from store.uow import UnitOfWork
from workers.prospect_polling.metrics import (
    PARKED_ITEMS,
    PROSPECT_CALL_RATE,
    PROSPECT_CALLS_TODAY,
    UNMAPPED_SEATS,
    USERS_WITHOUT_SEAT,
    observe_freshness,
)
from workers.prospect_polling.planner import ContractState, Plan, SeatState, plan_polls, poll_cost

log = get_logger(__name__)

#: A queued poll that has not started by then is asked for again (its message was lost).
QUEUED_HOLD = timedelta(minutes=2)


class ProspectScheduler:
    def __init__(
        self,
        publisher: EventPublisher,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.publisher = publisher
        self.store = store
        self.settings = settings
        self.clock = clock
        self._refreshed: dict[str, datetime] = {}
        self._observed_since = clock()

    def tick(self) -> int:
        now = self.clock()
        # Every tenant's cursors and counts in a few queries, whatever the number of tenants.
        with self.store.session(None) as session:
            overview = poll_overview(session, now)
        messages: list[OutgoingMessage] = []
        plans: dict[str, Plan] = {}
        retries: list[tuple[str, str]] = []
        for tenant, polls in overview.items():
            plan = self._plan(tenant, polls, now)
            plans[tenant] = plan
            messages += [command_message(ContractPoll(tenant=tenant, contract=c)) for c in plan.contracts]
            messages += [command_message(SeatPoll(tenant=tenant, seat=s)) for s in plan.seats]
            last = self._refreshed.get(tenant)
            if last is None or (now - last).total_seconds() >= self.settings.seat_refresh_interval_s:
                messages.append(command_message(SeatRefresh(tenant=tenant)))
                self._refreshed[tenant] = now
            elif polls.retries_due:
                # Held, so the next ticks do not ask twice.
                messages.append(command_message(SeatRefresh(tenant=tenant, contracts=polls.retries_due)))
                retries += [(tenant, urn) for urn in polls.retries_due]
        # Marked before publishing: a poll that runs (and clears its mark) between the publish and a
        # later mark would otherwise leave its seat marked queued with nothing in the queue.
        self._mark(plans, now + QUEUED_HOLD, retries=retries)
        if messages:
            try:
                self.publisher.publish_messages(messages)
            except PublishError:
                self._mark(plans, None)
                raise
        self._observe(now)
        if messages:
            log.info("prospect polls requested", count=len(messages))
        return len(messages)

    def _mark(
        self, plans: dict[str, Plan], until: datetime | None, *, retries: Sequence[tuple[str, str]] = ()
    ) -> None:
        seats = [(tenant, seat) for tenant, plan in plans.items() for seat in plan.seats]
        contracts = [(tenant, contract) for tenant, plan in plans.items() for contract in plan.contracts]
        if not (seats or contracts or retries):
            return
        with self.store.session(None) as session:
            mark_queued(session, seats=seats, contracts=contracts, until=until)
            if until is not None:
                hold_retries(session, retries, until)
            session.commit()

    def _plan(self, tenant: str, polls: TenantPolls, now: datetime) -> Plan:
        owners = Counter(c.contract for c in polls.seats)
        contracts = [
            ContractState(
                contract=c.contract,
                owners=owners.get(c.contract, 0),
                last_polled_at=c.last_polled_at,
                busy=_held(c.queued_until, now) or _held(c.lease_until, now),
            )
            for c in polls.contracts
        ]
        seats = seat_states(polls.seats, now)
        plan = plan_polls(
            now,
            seats,
            contracts,
            calls_today=polls.calls_today,
            settings=self.settings,
            tick_s=self.settings.scheduler_tick_s,
        )
        UNMAPPED_SEATS.labels(tenant=tenant).set(polls.unmapped_seats)
        USERS_WITHOUT_SEAT.labels(tenant=tenant).set(polls.users_without_seat)
        PROSPECT_CALLS_TODAY.labels(tenant=tenant).set(polls.calls_today)
        PROSPECT_CALL_RATE.labels(tenant=tenant).set(plan.rate)
        PARKED_ITEMS.labels(tenant=tenant).set(polls.parked)
        return plan

    def _observe(self, now: datetime) -> None:
        with self.store.session(None) as session:
            observe_freshness(session, self._observed_since)
        self._observed_since = now


def polled_cursors(uow: UnitOfWork) -> tuple[list[SeatCursor], list[ContractCursor]]:
    """The seat and contract cursors the planner may poll: those of the contracts read now. The
    cursors of a contract that is not read (CSA_API not enabled) are kept, unpolled, so its polls
    resume where they stopped once it is read again."""
    read = set(uow.contracts.read())
    return (
        [c for c in uow.poll_cursors.seats() if c.contract in read],
        [c for c in uow.poll_cursors.contracts() if c.contract in read],
    )


def seat_states(rows: list[SeatRow], now: datetime) -> list[SeatState]:
    """What the planner needs of each seat (``_held`` written out: this runs for every seat of every
    tenant each tick)."""
    now_ms = to_ms(now)
    return [
        SeatState(
            c.seat,
            c.activity_per_h,
            c.last_polled_at,
            (c.queued_until is not None and c.queued_until > now)
            or (c.lease_until is not None and c.lease_until > now),
            c.catching_up,
            poll_cost(
                now_ms - c.inmail_watermark_ms,
                (now_ms if c.shared_from_ms is None else c.shared_from_ms) - c.backfill_watermark_ms,
                MAX_WINDOW_MS,
            ),
        )
        for c in rows
    ]


def _held(until: datetime | None, now: datetime) -> bool:
    return until is not None and until > now
