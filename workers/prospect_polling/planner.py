"""How often each seat is polled, so a tenant stays within its daily call budget.

LinkedIn allows a customer app ``prospect_calls_per_day`` prospect-interaction calls a UTC day. The
planner spreads what is left of today's planned share over the seconds left of the day, takes off
what contract polls (stubs and notes of all seats, one call per 100 seats and stream) and seat
refreshes cost, gives half of the rest to seats still back-filling, and shares the remainder
between the caught-up seats in proportion to the square root of their activity. Polling seat *i*
``f_i`` times a second delays its items by ``1 / (2 f_i)`` on average; for a fixed number of polls,
``f_i ∝ sqrt(rate_i)`` minimises the mean delay over all items, so the busiest seats are polled
most often while quiet seats are still polled regularly. Planning from what was actually spent
today corrects any estimate error by the next tick.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from rsc.settings import Settings

#: A seat that found nothing is still treated as this active (items an hour), so it is polled.
ACTIVITY_FLOOR = 0.5
#: Windows one poll reads at most (``workers.prospect_polling.polls.MAX_WINDOWS``).
WINDOWS_PER_POLL = 8
#: Share of the rate back-filling seats get while any is catching up.
BACKFILL_SHARE = 0.5
#: Owner seats per mailStubs / prospectNotes call.
OWNERS_PER_CALL = 100
#: Never plan to spend faster than this multiple of the day's average rate (late-day bursts).
MAX_RATE_FACTOR = 2.0


class SeatState(NamedTuple):
    """What the planner knows of a seat. A tuple rather than a frozen dataclass: the scheduler builds
    one per seat of every tenant each tick (50,000 at 1,000 tenants), and a frozen dataclass costs
    several times as much to build."""

    seat: str
    activity_per_h: float
    last_polled_at: datetime | None
    #: A poll is queued or running.
    busy: bool
    catching_up: bool
    #: Calls the seat's next poll is expected to make (more while it reads a backlog of windows).
    cost: int = 1


@dataclass(frozen=True)
class ContractState:
    contract: str
    owners: int
    last_polled_at: datetime | None
    busy: bool


@dataclass
class Plan:
    seats: list[str] = field(default_factory=list)
    contracts: list[str] = field(default_factory=list)
    #: Planned seconds between two polls of each seat.
    intervals: dict[str, float] = field(default_factory=dict)
    #: Calls a second the tenant may spend from now on.
    rate: float = 0.0
    estimated_calls: int = 0


def seconds_left_of_day(now: datetime) -> float:
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60.0, (midnight - now).total_seconds())


def plan_polls(
    now: datetime,
    seats: list[SeatState],
    contracts: list[ContractState],
    *,
    calls_today: int,
    settings: Settings,
    tick_s: float,
) -> Plan:
    plan = Plan()
    planned = settings.prospect_calls_per_day * settings.prospect_budget_share
    remaining = max(0.0, planned - calls_today)
    rate = min(remaining / seconds_left_of_day(now), MAX_RATE_FACTOR * planned / 86_400)
    plan.rate = rate
    if rate <= 0:
        return plan
    contract_rate = sum(
        2 * math.ceil(c.owners / OWNERS_PER_CALL) / settings.contract_poll_interval_s for c in contracts
    )
    refresh_rate = sum(
        math.ceil(max(c.owners, 1) / OWNERS_PER_CALL) / settings.seat_refresh_interval_s for c in contracts
    )
    seat_rate = max(rate - contract_rate - refresh_rate, rate * 0.1)
    plan.intervals = _intervals(seats, seat_rate, settings)
    cap = max(1.0, rate * tick_s * 2)
    spend = 0
    for contract in contracts:
        due = contract.last_polled_at is None or (
            (now - contract.last_polled_at).total_seconds() >= settings.contract_poll_interval_s
        )
        if due and not contract.busy and contract.owners:
            plan.contracts.append(contract.contract)
            spend += 2 * math.ceil(contract.owners / OWNERS_PER_CALL)
    for _, _, index in _most_overdue_first(now, seats, plan.intervals):
        seat = seats[index]
        if spend and spend + seat.cost > cap:
            break
        plan.seats.append(seat.seat)
        spend += seat.cost
    plan.estimated_calls = spend
    return plan


def _intervals(seats: list[SeatState], seat_rate: float, settings: Settings) -> dict[str, float]:
    """Seconds between two polls of each seat: the caught-up seats share the live rate by activity,
    the seats catching up share the back-fill rate by what their next polls cost."""
    behind = [s for s in seats if s.catching_up]
    current = [s for s in seats if not s.catching_up]
    backfill_rate = seat_rate * BACKFILL_SHARE if behind else 0.0
    intervals = _live_intervals(current, seat_rate - backfill_rate, settings)
    if behind:
        behind_cost = sum(s.cost for s in behind)
        interval = max(settings.seat_poll_min_interval_s, behind_cost / backfill_rate)
        intervals.update(dict.fromkeys([s.seat for s in behind], interval))
    return intervals


def _most_overdue_first(
    now: datetime, seats: list[SeatState], intervals: dict[str, float]
) -> list[tuple[float, str, int]]:
    """(minus how many intervals overdue, seat, index in ``seats``) of every seat due and not busy,
    the most overdue first (ties by seat)."""
    due = []
    for index, seat in enumerate(seats):
        if seat.busy:
            continue
        interval = intervals[seat.seat]
        if seat.last_polled_at is None:
            due.append((-math.inf, seat.seat, index))
            continue
        elapsed = (now - seat.last_polled_at).total_seconds()
        if elapsed >= interval:
            # -(a / b) and (-a) / b are the same float: IEEE division rounds symmetrically.
            due.append((-elapsed / interval, seat.seat, index))
    due.sort()
    return due


def _live_intervals(seats: list[SeatState], rate: float, settings: Settings) -> dict[str, float]:
    if not seats:
        return {}
    weights = [math.sqrt(max(s.activity_per_h, 0.0) + ACTIVITY_FLOOR) for s in seats]
    total = sum(weights)
    fastest = 1 / settings.seat_poll_min_interval_s
    slowest = 1 / settings.seat_poll_max_interval_s
    scale = max(rate, 1e-9)
    frequency = [min(fastest, scale * w / total) for w in weights]
    # Poll every seat at least every seat_poll_max_interval_s, when the budget allows it.
    floored = [max(f, slowest) for f in frequency]
    if sum(floored) <= rate:
        frequency = floored
    return {s.seat: 1 / f for s, f in zip(seats, frequency, strict=True)}


def poll_cost(inmail_behind_ms: int, backfill_behind_ms: int, window_ms: int) -> int:
    """Calls the next poll of a seat makes: one per InMail window, two (stubs, notes) per back-fill
    window, at most ``WINDOWS_PER_POLL`` windows of each."""
    inmail = min(WINDOWS_PER_POLL, max(1, math.ceil(inmail_behind_ms / window_ms)))
    backfill = min(WINDOWS_PER_POLL, max(0, math.ceil(backfill_behind_ms / window_ms)))
    return inmail + 2 * backfill
