"""Keep each customer app within LinkedIn's limits, across every worker process and host.

LinkedIn allows a customer app 10,000 records a minute and 100,000 calls a day per endpoint family,
and answers 429 beyond that (reference §4). The budgets live in the store (``store.linkedin_quota``),
so every process spends from the same one. Before each call the HTTP core asks for admission; when
the budget is spent it waits for room, or, if that would block a worker thread too long, gives the
call back to the broker as transient.

Live traffic (pushes of what just changed) may use the whole budget. Bulk traffic (the historical
backfill) may use only ``bulk_share`` of it, so live changes always find headroom.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from linkedin.errors import LinkedInUnavailable
from rsc.logs import get_logger
from rsc.metrics import LINKEDIN_HEADROOM, endpoint_label
from rsc.settings import Settings, get_settings
from store.db import Store, get_store
from store.linkedin_quota import Budget, LinkedInQuota, Spent

log = get_logger(__name__)

MINUTE_S = 60.0
DAY_S = 86_400.0


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


class RateLimiter:
    """Admissions against budgets kept in the store, shared by every process that uses it."""

    def __init__(
        self,
        limits: RateLimits,
        store: Callable[[], Store] = get_store,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = limits
        self._store = store
        self._clock = clock
        self._sleep = sleep
        self.waited_s = 0.0

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> RateLimiter:
        return cls(RateLimits.from_settings(settings or get_settings()))

    def try_acquire(self, app_id: str, family: str, records: int, traffic: Traffic) -> float | None:
        """Spend the budget now and return None, or return the seconds until it has room."""
        budget = self.limits.budget(traffic)
        with self._store().session(None) as session:
            quota = LinkedInQuota(session)
            refused = quota.admit(app_id, family, records, budget, clock_ms=lambda: int(self._clock() * 1000))
            session.commit()
        if refused is None and quota.spent is not None:
            self._report_headroom(app_id, family, quota.spent)
        return None if refused is None else refused.wait_ms / 1000

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


#: Sub-resources and finders that LinkedIn counts under another family's daily budget.
_FAMILIES = {
    ("atsCandidates", "notes"): "atsCandidateNotes",
    ("atsApplications", "stages"): "atsApplicationStages",
    ("atsApplications", "notes"): "atsApplicationNotes",
    ("atsApplications", "interviewFeedback"): "atsInterviewFeedback",
    ("simpleJobPostingTasks", ""): "simpleJobPostings",
    ("seatsV2", ""): "prospectInteractions",
    ("conversationEvents", ""): "prospectInteractions",
    ("mailStubs", ""): "prospectInteractions",
    ("prospectNotes", ""): "prospectInteractions",
}
_PATH = re.compile(r"^/(?:v2|rest)/(?P<resource>[^/]+)(?:/[^/]+/(?P<sub>[^/]+))?/?$")


def family_of(path: str) -> str:
    """The family a call counts under: ``/v2/atsApplications/{key}/stages`` is ``atsApplicationStages``."""
    match = _PATH.match(path)
    if match is None:
        return path.strip("/")
    resource, sub = match["resource"], match["sub"] or ""
    return _FAMILIES.get((resource, sub), resource if not sub else f"{resource}/{sub}")


_INDEXED_ID = re.compile(r"^ids\[(\d+)\]\.")


def records_of(params: Any, json: Any) -> int:
    """Records a call carries, as LinkedIn counts them: its keys, entities or elements, at least 1."""
    counts = [1]
    if params is not None:
        items = (
            params.multi_items()
            if hasattr(params, "multi_items")
            else (params.items() if isinstance(params, Mapping) else params)
        )
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
