"""The poll planner over a simulated day: within the budget, busy seats polled most often."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rsc.settings import Settings
from workers.prospect_polling.planner import ContractState, SeatState, plan_polls

MIDNIGHT = datetime(2026, 5, 1, tzinfo=UTC)


@dataclass
class Day:
    calls: int
    polls: dict[str, int]


def simulate_day(seats: int, busy_share: float, *, calls_before: int = 0, tick_s: float = 10.0) -> Day:
    """Run the planner tick by tick for one UTC day; every poll costs one call (contract polls two
    per 100 seats) and finds the items its seat received since its last poll."""
    settings = Settings()
    rng = random.Random(4)
    # A few busy recruiters and many quiet ones: items an hour per seat.
    rates = [20.0 if i < seats * busy_share else 0.5 for i in range(seats)]
    names = [f"urn:li:seat:{i}" for i in range(seats)]
    last: dict[str, datetime | None] = dict.fromkeys(names)
    activity = dict.fromkeys(names, 0.0)
    contract_last: datetime | None = None
    calls = calls_before
    polls = dict.fromkeys(names, 0)
    now = MIDNIGHT
    while now < MIDNIGHT + timedelta(days=1):
        states = [SeatState(n, activity[n], last[n], busy=False, catching_up=False) for n in names]
        contract = ContractState("urn:li:contract:1", seats, contract_last, busy=False)
        plan = plan_polls(now, states, [contract], calls_today=calls, settings=settings, tick_s=tick_s)
        for name in plan.seats:
            index = names.index(name)
            previous = last[name]
            if previous is not None:
                hours = (now - previous).total_seconds() / 3600
                found = sum(1 for _ in range(int(rates[index] * hours * 2)) if rng.random() < 0.5)
                activity[name] = 0.7 * activity[name] + 0.3 * found / max(hours, 1 / 3600)
            last[name] = now
            polls[name] += 1
            calls += 1
        if plan.contracts:
            contract_last = now
            calls += 2 * ((seats + 99) // 100)
        now += timedelta(seconds=tick_s)
    return Day(calls, polls)


def test_a_day_of_200_seats_stays_within_the_budget_and_favours_busy_seats() -> None:
    day = simulate_day(200, 0.2)
    settings = Settings()
    assert day.calls <= settings.prospect_calls_per_day * settings.prospect_budget_share
    assert day.calls >= settings.prospect_calls_per_day * settings.prospect_budget_share * 0.8  # and uses it
    polls = day.polls
    busy = [polls[f"urn:li:seat:{i}"] for i in range(40)]
    quiet = [polls[f"urn:li:seat:{i}"] for i in range(40, 200)]
    assert min(busy) > 2 * max(quiet)
    assert min(quiet) >= 86_400 / Settings().seat_poll_max_interval_s  # every seat at least every 30 minutes


def test_a_spent_budget_plans_nothing_and_a_late_start_spends_only_what_is_left() -> None:
    settings = Settings()
    spent = int(settings.prospect_calls_per_day * settings.prospect_budget_share)
    seat = SeatState("urn:li:seat:1", 10.0, None, busy=False, catching_up=False)
    plan = plan_polls(
        MIDNIGHT + timedelta(hours=3), [seat], [], calls_today=spent, settings=settings, tick_s=5
    )
    assert plan.seats == [] and plan.rate == 0
    day = simulate_day(200, 0.2, calls_before=60_000)
    assert day.calls <= settings.prospect_calls_per_day * settings.prospect_budget_share


def test_queued_and_running_polls_are_not_asked_for_again() -> None:
    settings = Settings()
    seats = [
        SeatState("urn:li:seat:1", 1.0, None, busy=True, catching_up=False),
        SeatState("urn:li:seat:2", 1.0, None, busy=False, catching_up=True),
    ]
    plan = plan_polls(MIDNIGHT, seats, [], calls_today=0, settings=settings, tick_s=5)
    assert plan.seats == ["urn:li:seat:2"]


def test_the_most_overdue_seats_are_planned_first_and_ties_go_by_seat() -> None:
    settings = Settings()
    now = MIDNIGHT + timedelta(hours=6)

    def plan(last: dict[str, datetime | None], busy: str = "") -> list[str]:
        seats = [SeatState(s, 1.0, t, busy=s == busy, catching_up=False) for s, t in last.items()]
        return plan_polls(now, seats, [], calls_today=0, settings=settings, tick_s=86_400).seats

    names = ["urn:li:seat:b", "urn:li:seat:a", "urn:li:seat:d", "urn:li:seat:c", "urn:li:seat:e"]
    never = dict.fromkeys(names)
    seats = [SeatState(s, 1.0, None, busy=False, catching_up=False) for s in names]
    interval = plan_polls(now, seats, [], calls_today=0, settings=settings, tick_s=5).intervals[names[0]]
    ago = {
        name: now - timedelta(seconds=interval * n) for name, n in zip(names, [0, 0, 2, 3, 0.5], strict=True)
    }

    assert plan(never) == sorted(names)  # never polled: all equally overdue
    assert plan({**ago, "urn:li:seat:b": None, "urn:li:seat:a": None}) == [
        "urn:li:seat:a",
        "urn:li:seat:b",
        "urn:li:seat:c",  # three intervals ago
        "urn:li:seat:d",  # two
    ]  # seat e was polled half an interval ago: not due
    assert plan({**ago, "urn:li:seat:b": None}, busy="urn:li:seat:b") == ["urn:li:seat:c", "urn:li:seat:d"]
