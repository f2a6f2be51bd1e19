"""The sync ledger's upkeep by the scheduler: problem gauges by tenant and reason, and the retention.

Every ``SYNC_WATCH_S`` the scheduler counts each tenant's sync problems (``workers.ledger.report``)
into ``rsc_sync_problems``, its jobs whose posting failed into ``rsc_job_postings_failed``, and
deletes ledger entries older than ``RSC_SYNC_LEDGER_RETENTION_DAYS``.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from prometheus_client import Gauge

from rsc.logs import get_logger
from rsc.metrics import JOB_POSTINGS_FAILED
from rsc.settings import Settings
from store.base import utcnow
from store.db import Store
from store.job_postings import failed_posting_counts
from store.sync_ledger import delete_entries_before
from workers.ledger.report import problem_gauge_values

log = get_logger(__name__)

#: Seconds between two refreshes of the gauges (and two retention passes).
SYNC_WATCH_S = 60.0

SYNC_PROBLEMS = Gauge(
    "rsc_sync_problems",
    "Records that do not sync (rsc sync problems): refused, waiting longer than RSC_DEPENDENCY_WAIT_S, stuck",
    ["tenant", "kind", "reason"],
)
#: The label sets set last time, so a problem that went away drops to 0 rather than staying.
_shown: set[tuple[str, str, str]] = set()
#: The tenants whose failed postings were shown last time (likewise).
_shown_postings: set[str] = set()


def refresh_sync_metrics(store: Store, settings: Settings) -> int:
    """Set the problem gauges and apply the retention; returns how many ledger entries were deleted."""
    retention = timedelta(days=settings.sync_ledger_retention_days)
    with store.session(None) as session:
        counts = problem_gauge_values(session, settings)
        failed_postings = failed_posting_counts(session)
        deleted = delete_entries_before(session, utcnow() - retention)
        session.commit()
    for labels in _shown - set(counts):
        SYNC_PROBLEMS.labels(*labels).set(0)
    for labels, count in counts.items():
        SYNC_PROBLEMS.labels(*labels).set(count)
    _shown.clear()
    _shown.update(counts)
    for tenant in _shown_postings - set(failed_postings):
        JOB_POSTINGS_FAILED.labels(tenant=tenant).set(0)
    for tenant, count in failed_postings.items():
        JOB_POSTINGS_FAILED.labels(tenant=tenant).set(count)
    _shown_postings.clear()
    _shown_postings.update(failed_postings)
    if deleted:
        log.info("sync ledger entries past their retention deleted", count=deleted)
    return deleted


def watch_sync_problems(
    stop: threading.Event, store: Store, settings: Settings, interval_s: float = SYNC_WATCH_S
) -> None:
    """``refresh_sync_metrics`` every ``interval_s`` until ``stop`` (a scheduler thread)."""
    while not stop.is_set():
        try:
            refresh_sync_metrics(store, settings)
        except Exception:
            log.exception("sync problem metrics not refreshed; retrying")
        stop.wait(interval_s)
