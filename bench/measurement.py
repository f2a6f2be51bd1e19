"""What the report measures: rates and per-event latencies, and publishing at a steady offered load.

A latency is the time from the publish of an event to its effect being written in the store, taken
from timestamps the pipeline records anyway (the inbox row's ``processed_at``, written in the
transaction that commits the effect) against the publish time the bench noted; nothing is added to
the path being measured.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import func, select

from store.db import get_store
from store.inbox import InboxEntry
from store.uow import UnitOfWork

T = TypeVar("T")

#: Publishing at an offered load sends a chunk this often (seconds).
TICK_S = 0.02

#: The client in the bench and in the workers spends from budgets no run here reaches.
LIFTED_BUDGETS = {"RSC_LINKEDIN_RECORDS_PER_MINUTE": "100000000", "RSC_LINKEDIN_CALLS_PER_DAY": "100000000"}


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0..1) by nearest rank; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


@dataclass
class Measurement:
    """One row of the report: a rate at saturation and latencies at an offered load."""

    label: str
    events: int
    seconds: float
    #: Publish-to-effect latencies (seconds) of the events published at ``offered`` events/s.
    latencies: list[float] = field(default_factory=list)
    offered: float | None = None
    unit: str = "events"
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else math.nan

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 0.50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 0.99) * 1000


def rate_between(stamps: Iterable[float]) -> tuple[int, float]:
    """(events, seconds) from the first to the last effect: the first one starts the clock."""
    ordered = sorted(stamps)
    if len(ordered) < 2:
        raise ValueError("a rate needs at least two effects")
    return len(ordered) - 1, max(ordered[-1] - ordered[0], 1e-9)


def publish_paced(
    send: Callable[[list[T]], object], messages: Sequence[tuple[str, T]], per_second: float
) -> dict[str, float]:
    """Send ``(key, message)`` pairs at ``per_second``, a chunk every ``TICK_S``; the wall-clock publish
    time of each key (taken before its chunk is sent, so it includes the publish itself)."""
    per_tick = max(1, round(per_second * TICK_S))
    interval = per_tick / per_second
    published: dict[str, float] = {}
    start = time.monotonic()
    for n, first in enumerate(range(0, len(messages), per_tick)):
        time.sleep(max(0.0, start + n * interval - time.monotonic()))
        chunk = messages[first : first + per_tick]
        at = time.time()
        send([message for _, message in chunk])
        published.update((key, at) for key, _ in chunk)
    return published


def latencies(published: Mapping[str, float], done: Mapping[str, float]) -> list[float]:
    return [max(0.0, done[key] - at) for key, at in published.items() if key in done]


def epoch(value: datetime) -> float:
    """Seconds since the epoch; SQLite hands back naive datetimes, which the store writes in UTC."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def inbox_times(tenant: str, consumer: str) -> dict[str, float]:
    """Event id -> when ``consumer`` wrote its inbox row, in the transaction that committed the effect."""
    with UnitOfWork(tenant, get_store()) as uow:
        rows = uow.session.execute(
            select(InboxEntry.event_id, InboxEntry.processed_at).where(InboxEntry.consumer == consumer)
        )
        return {event_id: epoch(at) for event_id, at in rows}


def inbox_count(tenant: str, consumer: str, prefix: str) -> int:
    """How many of ``tenant``'s events whose id starts with ``prefix`` ``consumer`` has written its inbox
    row for: one count, so a bench polling it while it measures latencies adds next to no work to the
    machine it measures (``inbox_times`` reads every row, a burst of CPU in the bench and the database
    at each poll)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with UnitOfWork(tenant, get_store()) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(InboxEntry)
                .where(
                    InboxEntry.consumer == consumer,
                    InboxEntry.event_id.like(f"{escaped}%", escape="\\"),
                )
            )
            or 0
        )


def wait_counted(
    tenant: str, consumer: str, keys: set[str], *, timeout: float, interval: float, what: str
) -> float:
    """``wait_for`` every one of ``keys`` handled by ``consumer``, counted by their ids' common prefix
    (``inbox_count``): the keys are one phase's events, and no other event's id shares that prefix."""
    # Character by character, as wanted here: event ids, not paths. The sorted set's first and last
    # share the prefix every key shares.
    prefix = os.path.commonprefix([min(keys), max(keys)])  # noqa: RUF071
    return wait_for(
        lambda: inbox_count(tenant, consumer, prefix),
        len(keys),
        timeout=timeout,
        interval=interval,
        what=what,
    )


def run_phases(
    label: str,
    send: Callable[[list[T]], object],
    *,
    warmup: Sequence[tuple[str, T]],
    burst: Sequence[tuple[str, T]],
    paced: Sequence[tuple[str, T]],
    offered: float,
    done: Callable[[], Mapping[str, float]],
    timeout: float,
    paced_seconds: float = 20.0,
) -> Measurement:
    """Warm the consumers up, publish ``burst`` at once (the rate, from its first effect to its last),
    then ``paced`` at ``offered``/s or half that rate, whichever is lower (the latencies, so they are
    not a queue's backlog), for at most ``paced_seconds`` (at least 10 events).
    ``done()`` maps the keys whose effect is written to its time."""

    def count(keys: Sequence[tuple[str, T]]) -> Callable[[], int]:
        def seen() -> int:
            effects = done()
            return sum(1 for key, _ in keys if key in effects)

        return seen

    if warmup:
        send([m for _, m in warmup])
        wait_for(count(warmup), len(warmup), timeout=timeout, interval=0.1, what=f"{label}: warm-up")
    send([m for _, m in burst])
    wait_for(count(burst), len(burst), timeout=timeout, interval=0.1, what=f"{label}: burst")
    effects = done()
    events, seconds = rate_between(effects[key] for key, _ in burst)
    load = min(offered, 0.5 * events / seconds)
    paced = paced[: max(10, int(load * paced_seconds))]
    published = publish_paced(send, paced, load)
    wait_for(count(paced), len(paced), timeout=timeout, interval=0.1, what=f"{label}: paced")
    return Measurement(label, events, seconds, latencies(published, done()), offered=load)


def wait_for(
    count: Callable[[], int],
    target: int,
    *,
    timeout: float = 600,
    interval: float = 0.05,
    what: str = "waiting",
) -> float:
    """Poll ``count`` until it reaches ``target``; the monotonic time it got there."""
    deadline = time.monotonic() + timeout
    while (seen := count()) < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: only {seen} of {target} after {timeout:.0f} s")
        time.sleep(interval)
    return time.monotonic()
