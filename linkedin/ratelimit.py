"""Keep each customer app within LinkedIn's limits, across every worker process and host.

LinkedIn allows a customer app 10,000 records a minute and 100,000 calls a day per endpoint family,
and answers 429 beyond that (reference §4). The budgets live in the store (``store.linkedin_quota``),
so every process spends from the same one. Before each call the HTTP core asks for admission; when
the budget is spent it waits for room, or, if that would block a worker thread too long, gives the
call back to the broker as transient.

A process does not ask the store for each call. It takes a *lease*: a few records of the minute and
a few calls of the day, granted (and logged as spent) in one short transaction, which its threads
then spend locally; the next lease gives back what the last one did not use. A lease lasts at most
half the rate margin (0.6 s of a 60 s minute counted 2 % long), so every call it admits is made
within the margin of the time it was logged at and LinkedIn's minute cannot see more than the
budget. Its size follows what the process spent of the last one, at most ``MAX_LEASE_SHARE`` of a
budget, so processes share the budget instead of one hoarding it. With no margin there is no lease:
each call is admitted by the store on its own.

Live traffic (pushes of what just changed) may use the whole budget. Bulk traffic (the historical
backfill) may use only ``bulk_share`` of it, so live changes always find headroom.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from linkedin.errors import LinkedInUnavailable
from linkedin.versions import Family
from rsc.logs import get_logger
from rsc.metrics import LINKEDIN_HEADROOM, endpoint_label
from rsc.settings import Settings
from store.db import Store
from store.linkedin_quota import Budget, Grant, LinkedInQuota, Refused, Spent, Unused

log = get_logger(__name__)

MINUTE_S = 60.0
DAY_S = 86_400.0
#: Largest share of the minute's records, or of a family's calls of the day, one lease may hold.
MAX_LEASE_SHARE = 0.05
#: Of the day's calls a lease holds at most this share (unused calls are lost if a process dies).
MAX_LEASE_CALLS_SHARE = 0.001


class Traffic(StrEnum):
    LIVE = "live"
    BULK = "bulk"


class RateLimited(LinkedInUnavailable):
    """The app's budget has no room for this call soon enough; retry it later."""

    reason_code = "linkedin_rate_limited"


@dataclass(frozen=True)
class RateLimits:
    records_per_minute: int = 10_000
    calls_per_day: int = 100_000
    #: How many times faster LinkedIn's windows run than real time (only a sandbox's scaled clock).
    clock_scale: float = 1.0
    #: The minute is counted this much longer than LinkedIn's, for clock skew and time in flight.
    margin: float = 0.02
    #: Fraction of both budgets bulk traffic may spend.
    bulk_share: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        return cls(
            records_per_minute=settings.linkedin_records_per_minute,
            calls_per_day=settings.linkedin_calls_per_day,
            clock_scale=settings.linkedin_clock_scale,
            margin=settings.linkedin_rate_margin,
            bulk_share=settings.linkedin_bulk_share,
        )

    @property
    def window_s(self) -> float:
        return MINUTE_S / self.clock_scale * (1 + self.margin)

    @property
    def lease_s(self) -> float:
        """How long a process may spend a lease: half the margin, the other half is for skew and flight."""
        return MINUTE_S / self.clock_scale * self.margin / 2

    def budget(self, traffic: Traffic) -> Budget:
        share = 1.0 if traffic is Traffic.LIVE else self.bulk_share
        return Budget(
            records=max(1, int(self.records_per_minute * share)),
            calls_per_day=max(1, int(self.calls_per_day * share)),
            window_ms=round(self.window_s * 1000),
            day_ms=round(DAY_S / self.clock_scale * 1000),
        )


class Admission(Protocol):
    def acquire(self, app_id: str, family: str, records: int, traffic: Traffic, *, max_wait_s: float) -> None:
        """Return once the call may be sent; raise ``RateLimited`` if that is over ``max_wait_s`` away."""

    def release(self) -> None:
        """Give back what this process holds and has not spent (it stops sending)."""


@dataclass
class _Lease:
    """What a process holds of a grant and has not spent yet."""

    grant: Grant
    expires_at: float
    records: int
    calls: int

    def admits(self, records: int, now: float, day: int) -> bool:
        return now < self.expires_at and day == self.grant.day and records <= self.records and self.calls > 0

    def unused(self) -> Unused:
        return Unused(self.grant, self.records, self.calls)


class RateLimiter:
    """Admissions against budgets kept in the store, shared by every process that uses it."""

    def __init__(
        self,
        limits: RateLimits,
        store: Callable[[], Store],
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = limits
        self._store = store
        self._clock = clock
        self._sleep = sleep
        self.waited_s = 0.0
        #: Leases the store granted (one transaction each; refusals are not counted).
        self.grants = 0
        self._leases: dict[tuple[str, str, Traffic], _Lease] = {}
        self._locks: dict[tuple[str, str, Traffic], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def try_acquire(self, app_id: str, family: str, records: int, traffic: Traffic) -> float | None:
        """Spend the budget now and return None, or return the seconds until it has room."""
        key = (app_id, family, traffic)
        budget = self.limits.budget(traffic)
        with self._lock_for(key):
            lease = self._leases.get(key)
            now = self._clock()
            if lease is not None and lease.admits(records, now, int(now * 1000) // budget.day_ms):
                lease.records -= records
                lease.calls -= 1
                return None
            granted = self._grant(app_id, family, records, budget, lease)
            if isinstance(granted, Refused):
                self._leases.pop(key, None)  # what it held went back with the refused request
                return granted.wait_ms / 1000
            self._leases[key] = _Lease(
                granted,
                expires_at=granted.at_ms / 1000 + self.limits.lease_s,
                records=granted.records - records,
                calls=granted.calls - 1,
            )
            return None

    def release(self) -> None:
        """Give back what every lease of this process has not spent (a process shutting down)."""
        for key in list(self._leases):
            with self._lock_for(key):
                lease = self._leases.pop(key, None)
                if lease is None or (lease.records <= 0 and lease.calls <= 0):
                    continue
                with self._store().session(None) as session:
                    LinkedInQuota(session).give_back(key[0], lease.unused())
                    session.commit()

    def _lock_for(self, key: tuple[str, str, Traffic]) -> threading.Lock:
        with self._locks_lock:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def _grant(
        self, app_id: str, family: str, records: int, budget: Budget, last: _Lease | None
    ) -> Grant | Refused:
        """A new lease from the store, sized on what the last one was used for, giving back its rest."""
        want_records, want_calls = records, 1
        if self.limits.lease_s > 0:
            # Twice what the last lease spent (it ran out or expired), four calls' worth at first.
            spent_records = last.grant.records - last.records if last is not None else 2 * records
            spent_calls = last.grant.calls - last.calls if last is not None else 2
            want_records = min(
                max(records, 2 * spent_records), max(records, int(budget.records * MAX_LEASE_SHARE))
            )
            want_calls = min(
                max(1, 2 * spent_calls), max(1, int(budget.calls_per_day * MAX_LEASE_CALLS_SHARE))
            )
        unused = last.unused() if last is not None and (last.records > 0 or last.calls > 0) else None
        with self._store().session(None) as session:
            quota = LinkedInQuota(session)
            granted = quota.grant(
                app_id,
                family,
                need=records,
                records=want_records,
                calls=want_calls,
                budget=budget,
                clock_ms=lambda: int(self._clock() * 1000),
                give_back=unused,
            )
            session.commit()
        if isinstance(granted, Grant):
            self.grants += 1
            if quota.spent is not None:
                self._report_headroom(app_id, family, quota.spent)
        return granted

    def _report_headroom(self, app_id: str, family: str, spent: Spent) -> None:
        """The share of the app's whole (live) budgets left, whichever traffic spent it."""
        full = self.limits.budget(Traffic.LIVE)
        headroom = LINKEDIN_HEADROOM.labels
        headroom(app=app_id, budget="records_per_minute", endpoint="all").set(
            max(0.0, 1 - spent.records_in_window / full.records)
        )
        headroom(app=app_id, budget="calls_per_day", endpoint=endpoint_label(family)).set(
            max(0.0, 1 - spent.calls_today / full.calls_per_day)
        )

    def acquire(self, app_id: str, family: str, records: int, traffic: Traffic, *, max_wait_s: float) -> None:
        waited = 0.0
        while True:
            wait_s = self.try_acquire(app_id, family, records, traffic)
            if wait_s is None:
                return
            if waited + wait_s > max_wait_s:
                log.info("linkedin budget spent", endpoint=family, retry_after_s=round(wait_s, 3))
                raise RateLimited(
                    f"the customer app's LinkedIn budget for {family} has no room for {records} records "
                    f"for {wait_s:.1f}s",
                    retry_after_s=wait_s,
                )
            self._sleep(wait_s)
            waited += wait_s
            self.waited_s += wait_s


#: Families LinkedIn counts under another family's daily budget (reference §4).
_BUDGETS = {
    Family.JOB_POSTING_TASKS: "simpleJobPostings",
    Family.SEATS: "prospectInteractions",
    Family.CONVERSATION_EVENTS: "prospectInteractions",
    Family.MAIL_STUBS: "prospectInteractions",
    Family.PROSPECT_NOTES: "prospectInteractions",
    Family.APPLICATION_SECRETS: "provisionedApplications",
}


def budget_family(family: Family) -> str:
    """The daily budget a call counts under: its family's, or the one LinkedIn counts it with."""
    return _BUDGETS.get(family, family.value)


_INDEXED_ID = re.compile(r"^ids\[(\d+)\]\.")


def is_batch(params: Any, json: Any) -> bool:
    """Whether a call is a batch call (it names records by ``ids`` or carries entities or elements),
    as opposed to a finder."""
    if params is not None:
        items = params.items() if isinstance(params, Mapping) else params
        if any(name == "ids" or _INDEXED_ID.match(name) for name, _ in items):
            return True
    return isinstance(json, Mapping) and any(name in json for name in ("entities", "elements"))


def records_of(params: Any, json: Any) -> int:
    """Records a call carries, as LinkedIn counts them: its keys, entities or elements, at least 1."""
    counts = [1]
    if params is not None:
        items = params.items() if isinstance(params, Mapping) else params
        indexed: set[str] = set()
        plain = 0
        for name, _ in items:
            match = _INDEXED_ID.match(name)
            if match:
                indexed.add(match[1])
            elif name == "ids":
                plain += 1
        counts += [len(indexed), plain]
    if isinstance(json, Mapping):
        for name in ("entities", "elements"):
            value = json.get(name)
            if isinstance(value, Mapping | list):
                counts.append(len(value))
    return max(counts)
