"""The historical backfill (queue ``historical_backfill``): every job, candidate, application with
its stage history, and note of a tenant sent once the integration is enabled (reference §6.2).

**Order and batches.** Useful first (``store.backfill_phases``): the open jobs, then the jobs,
candidates and applications (with their stage history) active in the last 90 days, then the other
jobs, candidates and applications, then notes (which hang off candidates and applications). A job
goes before the applications to it and a candidate before its applications, as LinkedIn needs. What
an earlier phase sent is not sent again by a later one. Each phase goes in batches of at most 100
taken in id order with keyset pagination, so memory stays flat whatever the data size.

**Through the outbox.** A batch is sent by the same code as live changes (``push_pending``): the
records are marked changed, claimed, built from the store's *current* state, sent, and settled at
the version that was read. LinkedIn therefore never gets older data than it has: a live change made
while the batch is in flight bumps the record's version and the live sweep sends it after. Live
pushes (``workers.shared.outbox_sweep``) leave alone the records the backfill has not reached yet
(``store.backfill.Backfills.live_bounds``): it sends their current state when it gets there.

**Budget.** The backfill's calls spend only the bulk share of the customer app's rate budgets
(``RSC_LINKEDIN_BULK_SHARE``), so live traffic always finds headroom.

**Checkpoints.** A batch is recorded in flight before it is sent, and the cursor moves past it once
it is settled, so a crash or a restart resends at most the batch in flight. One runner works on a run
at a time (a lease, renewed by a heartbeat while it works); a message works for ``SLICE_S`` seconds
and hands over to the next message. The scheduler asks for a runner when no one holds the run and no
message is queued, which is how a run resumes after its worker was killed.

**Failures.** LinkedIn being unavailable, or the budget having no room, never dead-letters a run: it
waits (growing backoff) and goes on. What cannot be sent as the ATS holds it is settled in the
outbox with its reason and counted as refused. A permanent failure of the run itself (LinkedIn
refusing the app's credentials) pauses it with the reason; ``rsc backfill resume`` goes on.

**Purge.** ``rsc tenant disable --purge-remote`` runs the same machinery backwards: applications
(LinkedIn deletes their stages and notes with them), then candidates (with their notes).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from events.publisher import EventPublisher
from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInAuthFailed, LinkedInRejected
from rsc.errors import is_transient
from rsc.logs import get_logger
from rsc.metrics import BACKFILL_RECORDS
from rsc.settings import Settings
from schemas.commands import BackfillSlice
from store.backfill import (
    BackfillCursor,
    BackfillKind,
    BackfillRun,
    BackfillState,
)
from store.backfill_phases import recent_since, resource_of
from store.base import utcnow
from store.linkedin_sync import Resource
from store.tenants import tenant_syncs
from store.uow import UnitOfWork
from workers.historical_backfill.purge import purge_batch
from workers.shared.backfill_runs import request_runner
from workers.shared.linkedin_push import push_pending

log = get_logger(__name__)

#: Records per batch: LinkedIn's largest batch call.
BATCH = 100
#: Seconds one message works before it hands the run to the next message (far inside the time limit).
SLICE_S = 30.0
#: The lease on a run (``RSC_WORK_LEASE_S``) is renewed this many times within its length while a
#: runner works, so a slow batch never loses it; if the worker dies, it ends within one lease.
BEATS_PER_LEASE = 6
#: Backoff after a transient failure: doubled per consecutive failure, up to the maximum.
FIRST_BACKOFF_S = 2.0
MAX_BACKOFF_S = 300.0


# -- the runner ---------------------------------------------------------------------------------------


@dataclass
class SliceReport:
    batches: int = 0
    #: Records done in this slice, by outcome (sent, rejected, waiting, skipped).
    records: Counter[str] = field(default_factory=Counter)
    finished: bool = False
    #: Why this slice did nothing or stopped early.
    stopped: str | None = None
    #: Seconds until the run may be tried again after a failure.
    backoff_s: float | None = None


class _Heartbeat:
    """Renews the runner's lease while it works, so a slow batch never loses it to another runner."""

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], run: int, holder: str, lease: timedelta
    ) -> None:
        self._uow_factory, self._run, self._holder, self._lease = uow_factory, run, holder, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="backfill-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self._lease.total_seconds() / BEATS_PER_LEASE):
            try:
                with self._uow_factory() as uow:
                    uow.backfills.acquire(self._run, self._holder, self._lease)
                    uow.commit()
            except Exception as exc:  # the next beat tries again; the lease still has time
                log.warning("backfill heartbeat failed", error_class=type(exc).__name__)

    @contextmanager
    def running(self) -> Iterator[None]:
        self._thread.start()
        try:
            yield
        finally:
            self._stop.set()
            self._thread.join(timeout=10)


def run_backfill(
    command: BackfillSlice,
    uow: UnitOfWork,
    linkedin: LinkedInClient,
    publisher: EventPublisher,
    *,
    slice_s: float = SLICE_S,
    sleep: Callable[[float], None] = time.sleep,
    settings: Settings,
) -> SliceReport:
    """Work on the run for ``slice_s`` seconds, then queue the next slice; a no-op if another runner
    holds the run or it is not running."""
    report = SliceReport()
    holder = uuid.uuid4().hex
    lease = timedelta(seconds=settings.work_lease_s)
    with uow:
        acquired = uow.backfills.acquire(command.run, holder, lease)
        uow.commit()
    if not acquired:
        report.stopped = "another runner holds the run, or it is not running"
        return report
    hand_over = False
    try:
        with _Heartbeat(lambda: UnitOfWork(uow.tenant, uow.store), command.run, holder, lease).running():
            hand_over = _work(
                uow, linkedin, command.run, report, slice_s=slice_s, sleep=sleep, settings=settings
            )
    finally:
        with uow:
            uow.backfills.release(command.run, holder)
            if report.backoff_s is not None:
                uow.backfills.requested(command.run, timedelta(seconds=report.backoff_s))
            uow.commit()
    if hand_over:
        request_runner(uow, command.run, publisher)
    return report


def _work(
    uow: UnitOfWork,
    linkedin: LinkedInClient,
    run_id: int,
    report: SliceReport,
    *,
    slice_s: float,
    sleep: Callable[[float], None],
    settings: Settings,
) -> bool:
    """Batches until the slice is over (True: hand over to the next message) or the run ended."""
    deadline = time.monotonic() + slice_s
    while True:
        try:
            step = _step(uow, linkedin, run_id, report, settings=settings)
        except Exception as exc:
            _failed(uow, run_id, exc, report)
            return False
        if step == "ended":
            return False
        if step == "phase":
            continue  # straight on with the next phase's first batch
        if step == "held":
            sleep(1.0)  # the batch in flight is still leased by a runner that died; its lease ends soon
        if time.monotonic() > deadline:
            return True


def _failed(uow: UnitOfWork, run_id: int, exc: Exception, report: SliceReport) -> None:
    """A transient failure backs off (the scheduler asks again after it); anything else pauses."""
    error = f"{type(exc).__name__}: {exc}" if isinstance(exc, LinkedInAuthFailed | LinkedInRejected) else None
    with uow:
        run = uow.backfills.lock(run_id)
        if run is None:
            return
        run.failures += 1
        if is_transient(exc):
            report.backoff_s = min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** (run.failures - 1))
            run.last_error = (
                f"{type(exc).__name__} (attempt {run.failures}); trying again in {report.backoff_s:.0f}s"
            )
            log.warning(
                "backfill batch failed; backing off",
                run=run_id,
                error_class=type(exc).__name__,
                attempts=run.failures,
                retry_after_s=report.backoff_s,
            )
        else:
            reason = error or (
                f"{type(exc).__module__}.{type(exc).__qualname__} (a defect: see the worker log for "
                f"where it was raised)"
            )
            run.last_error = reason
            uow.backfills.pause(run, f"stopped by an error: {reason}; fix it, then `rsc backfill resume`")
            report.stopped = "paused by an error"
            log.exception("backfill paused by an error", run=run_id, error_class=type(exc).__name__)
        uow.commit()


@dataclass(frozen=True)
class _Batch:
    kind: BackfillKind
    phase: str
    resource: Resource
    ids: list[str]


def _step(
    uow: UnitOfWork, linkedin: LinkedInClient, run_id: int, report: SliceReport, *, settings: Settings
) -> str:
    """One batch: ``"sent"``, ``"phase"`` (a phase ended; nothing sent), ``"held"`` (the batch in flight
    is leased by a runner that died) or ``"ended"``."""
    batch = _claim_batch(uow, run_id, report)
    if isinstance(batch, str):
        return batch
    if batch.kind is BackfillKind.SYNC:
        held = _push_batch(uow, linkedin, batch, report, settings=settings)
        if held is not None:
            return held
        purged = None
    else:
        purged = purge_batch(uow, linkedin, batch.resource, batch.ids)
    return _settle_batch(uow, run_id, batch, purged, report)


def _claim_batch(uow: UnitOfWork, run_id: int, report: SliceReport) -> _Batch | str:
    """The next batch of the run's phase (recorded in flight), or why there is none."""
    with uow:
        run = uow.backfills.get(run_id)
        if run is None or run.state != BackfillState.RUNNING:
            report.stopped = f"the run is {run.state if run else 'gone'}"
            return "ended"
        kind = BackfillKind(run.kind)
        if kind is BackfillKind.SYNC and not tenant_syncs(uow.session, uow.tenant):
            report.stopped = "the tenant's integration is not enabled"
            return "ended"
        if run.phase is None:
            uow.backfills.finish(run)
            uow.commit()
            report.finished = True
            return "ended"
        resource = resource_of(run.phase)
        cursor = uow.backfills.cursor(run_id, run.phase)
        since = recent_since(run.created_at)
        if cursor.inflight_through is not None:
            # The batch in flight when the previous runner stopped: only what was not settled goes again.
            ids = uow.backfills.page(
                run.phase, after=cursor.after_id, through=cursor.inflight_through, limit=BATCH, since=since
            )
            return _Batch(kind, run.phase, resource, ids)
        # What an earlier phase (or the live sweep) sent since the run started is not sent again.
        covered = run.created_at if kind is BackfillKind.SYNC else None
        ids = uow.backfills.page(
            run.phase, after=cursor.after_id, limit=BATCH, since=since, covered_since=covered
        )
        if not ids:
            _next_phase(uow, run, cursor)
            uow.commit()
            return "phase"
        if kind is BackfillKind.SYNC:
            # Send the current state even of records LinkedIn may hold already (a re-enablement).
            uow.outbox.mark_all_changed([(resource, i) for i in ids])
        cursor.inflight_through = ids[-1]
        uow.commit()
    return _Batch(kind, run.phase, resource, ids)


def _push_batch(
    uow: UnitOfWork, linkedin: LinkedInClient, batch: _Batch, report: SliceReport, *, settings: Settings
) -> str | None:
    """Push a sync batch through the outbox; ``"ended"`` or ``"held"`` when it cannot be settled now."""
    try:
        pushed = push_pending(
            uow, linkedin, batch.resource, ids=batch.ids, limit=len(batch.ids), settings=settings
        )
    except LinkedInRejected as exc:
        # LinkedIn refused the whole call: the records are settled as refused, with the reason.
        log.warning(
            "linkedin refused a backfill batch", resource=batch.resource.value, error_class=type(exc).__name__
        )
        return None
    if pushed.not_syncing:
        report.stopped = "the tenant's integration is not enabled"
        return "ended"
    if pushed.held:
        return "held"
    return None


def _settle_batch(
    uow: UnitOfWork, run_id: int, batch: _Batch, purged: Counter[str] | None, report: SliceReport
) -> str:
    """Count the batch's outcomes on its cursor and move the cursor past it."""
    resource = batch.resource
    with uow:
        run = uow.backfills.get(run_id)
        cursor = uow.backfills.cursor(run_id, batch.phase)
        if run is None or cursor.inflight_through is None:
            return "ended"
        counted = purged if purged is not None else uow.backfills.outcomes(resource, batch.ids)
        cursor.sent += counted["sent"]
        cursor.rejected += counted["rejected"]
        cursor.waiting += counted["waiting"]
        cursor.skipped += counted["skipped"]
        cursor.batches += 1
        cursor.after_id, cursor.inflight_through = cursor.inflight_through, None
        run.failures, run.last_error = 0, None
        uow.commit()
    report.batches += 1
    report.records.update(counted)
    for outcome, count in counted.items():
        BACKFILL_RECORDS.labels(kind=batch.kind.value, resource=resource.value, outcome=outcome).inc(count)
    return "sent"


def _next_phase(uow: UnitOfWork, run: BackfillRun, cursor: BackfillCursor) -> None:
    now = utcnow()
    cursor.finished, cursor.finished_at, cursor.total = True, now, cursor.done
    phases = run.phase_list
    following = phases[phases.index(cursor.resource) + 1 :]
    if not following:
        uow.backfills.finish(run)
        log.info("backfill done", kind=run.kind, run=run.run)
        return
    run.phase = following[0]
    nxt = uow.backfills.cursor(run.run, following[0])
    nxt.started_at = now
    nxt.total = nxt.done + uow.backfills.left_count(run, nxt)
    log.info("backfill phase done", run=run.run, resource=cursor.resource, count=cursor.done)
