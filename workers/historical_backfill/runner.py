"""The historical backfill (queue ``historical_backfill``): every job, candidate, application with
its stage history, and note of a tenant sent once the integration is enabled (reference §6.2).

**Order and batches.** Jobs, then candidates, then applications (which reference both, and carry
their stage history), then notes (which hang off candidates and applications); each in batches of at
most 100 taken in id order with keyset pagination, so memory stays flat whatever the data size.

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

import math
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from events.messages import OutgoingMessage, command_message
from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInAuthFailed, LinkedInRejected, LinkedInUnavailable
from rsc.errors import is_transient
from rsc.logs import get_logger
from rsc.metrics import BACKFILL_RECORDS
from rsc.settings import get_settings
from schemas.commands import BackfillSlice
from store.applications import Application, ApplicationStage
from store.ats_notes import AtsNote
from store.backfill import (
    BackfillCursor,
    BackfillKind,
    BackfillRun,
    BackfillState,
    count_rows,
    page_ids,
    refresh_statistics,
)
from store.base import utcnow
from store.candidates import Candidate
from store.db import Store
from store.jobs import Job
from store.linkedin_sync import Resource, SyncOutcome, SyncState
from store.tenants import tenant_syncs
from store.uow import UnitOfWork
from workers.shared.linkedin_push import BUILDERS, push_pending

log = get_logger(__name__)

#: The actor (``workers.actors``) that works on a run for one slice.
#: Records per batch: LinkedIn's largest batch call.
BATCH = 100
#: Seconds one message works before it hands the run to the next message (far inside the time limit).
SLICE_S = 30.0
#: How long a runner's hold on its run outlives its last heartbeat if its worker dies.
LEASE = timedelta(seconds=30)
#: Seconds between two renewals of the lease while a runner works.
HEARTBEAT_S = 5.0
#: A queued request for a runner is not repeated before this (the scheduler asks again after).
REQUEST_HOLD = timedelta(seconds=60)
#: Backoff after a transient failure: doubled per consecutive failure, up to the maximum.
FIRST_BACKOFF_S = 2.0
MAX_BACKOFF_S = 300.0

PHASES: dict[BackfillKind, tuple[Resource, ...]] = {
    BackfillKind.SYNC: (Resource.JOB, Resource.CANDIDATE, Resource.APPLICATION, Resource.NOTE),
    # Deleting an application deletes its stages and notes; a candidate its notes. LinkedIn has no
    # delete for job postings.
    BackfillKind.PURGE: (Resource.APPLICATION, Resource.CANDIDATE),
}

#: Where each phase's records live: (id column, tenant column).
SOURCES: dict[Resource, tuple[InstrumentedAttribute[str], InstrumentedAttribute[str]]] = {
    Resource.JOB: (Job.id, Job.tenant_id),
    Resource.CANDIDATE: (Candidate.id, Candidate.tenant_id),
    Resource.APPLICATION: (Application.id, Application.tenant_id),
    Resource.NOTE: (AtsNote.id, AtsNote.tenant_id),
}


class MessagePublisher(Protocol):
    def publish_messages(self, messages: Sequence[OutgoingMessage]) -> None: ...


def run_message(tenant: str, run: int) -> OutgoingMessage:
    return command_message(BackfillSlice(tenant=tenant, run=run))


# -- starting -----------------------------------------------------------------------------------------


def start_run(uow: UnitOfWork, kind: BackfillKind, reason: str) -> BackfillRun:
    """A new run of ``kind`` from its first phase (inside ``uow``'s transaction; the caller commits).

    Raises ``store.backfill.BackfillBusy`` while another run of the tenant is running or paused.
    """
    phases = PHASES[kind]
    run = uow.backfills.start(kind, [p.value for p in phases], reason=reason)
    refresh_statistics(uow.session)
    for resource in phases:
        cursor = uow.backfills.cursor(run.run, resource.value)
        cursor.total = _count(uow, resource)
    first = uow.backfills.cursor(run.run, phases[0].value)
    first.started_at = utcnow()
    log.info("backfill started", kind=kind.value, run=run.run)
    return run


def _count(uow: UnitOfWork, resource: Resource) -> int:
    _, tenant_column = SOURCES[resource]
    return count_rows(uow.session, tenant_column, uow.tenant)


def request_runner(uow: UnitOfWork, run: int, publisher: MessagePublisher) -> None:
    """Queue a message asking for a runner (after the run's transaction was committed)."""
    with uow:
        uow.backfills.requested(run, REQUEST_HOLD)
        uow.commit()
    publisher.publish_messages([run_message(uow.tenant, run)])


def kick_messages(store: Store) -> list[OutgoingMessage]:
    """Runner requests for every running run no runner holds and no message asks for (scheduler)."""
    from store.backfill import runs_to_kick

    with store.session(None) as session:
        due = runs_to_kick(session)
    messages = []
    for tenant, run in due:
        with UnitOfWork(tenant, store) as uow:
            uow.backfills.requested(run, REQUEST_HOLD)
            uow.commit()
        messages.append(run_message(tenant, run))
    return messages


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

    def __init__(self, uow_factory: Callable[[], UnitOfWork], run: int, holder: str) -> None:
        self._uow_factory, self._run, self._holder = uow_factory, run, holder
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="backfill-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                with self._uow_factory() as uow:
                    uow.backfills.acquire(self._run, self._holder, LEASE)
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
    publisher: MessagePublisher,
    *,
    slice_s: float = SLICE_S,
    sleep: Callable[[float], None] = time.sleep,
) -> SliceReport:
    """Work on the run for ``slice_s`` seconds, then queue the next slice; a no-op if another runner
    holds the run or it is not running."""
    report = SliceReport()
    holder = uuid.uuid4().hex
    with uow:
        acquired = uow.backfills.acquire(command.run, holder, LEASE)
        uow.commit()
    if not acquired:
        report.stopped = "another runner holds the run, or it is not running"
        return report
    hand_over = False
    try:
        with _Heartbeat(lambda: UnitOfWork(uow.tenant, uow.store), command.run, holder).running():
            hand_over = _work(uow, linkedin, command.run, report, slice_s=slice_s, sleep=sleep)
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
) -> bool:
    """Batches until the slice is over (True: hand over to the next message) or the run ended."""
    deadline = time.monotonic() + slice_s
    while True:
        try:
            step = _step(uow, linkedin, run_id, report)
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


def _step(uow: UnitOfWork, linkedin: LinkedInClient, run_id: int, report: SliceReport) -> str:
    """One batch: ``"sent"``, ``"phase"`` (a phase ended; nothing sent), ``"held"`` (the batch in flight
    is leased by a runner that died) or ``"ended"``."""
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
        resource = Resource(run.phase)
        cursor = uow.backfills.cursor(run_id, run.phase)
        id_column, tenant_column = SOURCES[resource]
        if cursor.inflight_through is None:
            ids = page_ids(
                uow.session, id_column, tenant_column, uow.tenant, after=cursor.after_id, limit=BATCH
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
        else:
            # The batch in flight when the previous runner stopped: only what was not settled goes again.
            ids = page_ids(
                uow.session,
                id_column,
                tenant_column,
                uow.tenant,
                after=cursor.after_id,
                through=cursor.inflight_through,
                limit=BATCH,
            )
    if kind is BackfillKind.SYNC:
        try:
            pushed = push_pending(uow, linkedin, resource, ids=ids, limit=len(ids))
        except LinkedInRejected as exc:
            # LinkedIn refused the whole call: the records are settled as refused, with the reason.
            log.warning(
                "linkedin refused a backfill batch", resource=resource.value, error_class=type(exc).__name__
            )
        else:
            if pushed.not_syncing:
                report.stopped = "the tenant's integration is not enabled"
                return "ended"
            if pushed.held:
                return "held"
        purged = None
    else:
        purged = _purge(uow, linkedin, resource, ids)
    with uow:
        run = uow.backfills.get(run_id)
        cursor = uow.backfills.cursor(run_id, resource.value)
        if run is None or cursor.inflight_through is None:
            return "ended"
        counted = purged if purged is not None else _sync_outcomes(uow, resource, ids)
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
        BACKFILL_RECORDS.labels(kind=kind.value, resource=resource.value, outcome=outcome).inc(count)
    return "sent"


def _next_phase(uow: UnitOfWork, run: BackfillRun, cursor: BackfillCursor) -> None:
    now = utcnow()
    cursor.finished, cursor.finished_at = True, now
    phases = run.phase_list
    following = phases[phases.index(cursor.resource) + 1 :]
    if not following:
        uow.backfills.finish(run)
        log.info("backfill done", kind=run.kind, run=run.run)
        return
    run.phase = following[0]
    nxt = uow.backfills.cursor(run.run, following[0])
    nxt.started_at = now
    nxt.total = _count(uow, Resource(following[0]))
    log.info("backfill phase done", run=run.run, resource=cursor.resource, count=cursor.done)


def _sync_outcomes(uow: UnitOfWork, resource: Resource, ids: list[str]) -> Counter[str]:
    """How the batch's records ended, read from the outbox (right whatever crashed in between)."""
    counted: Counter[str] = Counter()
    rows = uow.session.execute(
        select(SyncState.version, SyncState.synced_version, SyncState.last_outcome).where(
            SyncState.tenant_id == uow.tenant,
            SyncState.resource == resource.value,
            SyncState.entity_id.in_(ids),
        )
    ).all()
    for version, synced, outcome in rows:
        if version > synced:
            counted["waiting"] += 1
        elif outcome == SyncOutcome.OK:
            counted["sent"] += 1
        elif outcome == SyncOutcome.REJECTED:
            counted["rejected"] += 1
        else:
            counted["skipped"] += 1
    counted["skipped"] += len(ids) - len(rows)
    return counted


# -- purge ----------------------------------------------------------------------------------------------


def _purge(uow: UnitOfWork, linkedin: LinkedInClient, resource: Resource, ids: list[str]) -> Counter[str]:
    """Delete the batch from LinkedIn (one it does not hold counts as deleted)."""
    if resource is Resource.APPLICATION:
        result = linkedin.applications.delete(ids)
    else:
        result = linkedin.candidates.delete(ids)
    with uow:
        _forget(uow, resource, list(result.ok))
        for record_id, (status, _) in result.rejected.items():
            log.warning(
                "linkedin refused a delete", resource=resource.value, entity=record_id, status_code=status
            )
        uow.commit()
    if result.failed:
        raise LinkedInUnavailable(
            f"LinkedIn failed {len(result.failed)} of {len(ids)} deletes transiently; the batch is sent again"
        )
    return Counter({"sent": len(result.ok), "rejected": len(result.rejected)})


def _forget(uow: UnitOfWork, resource: Resource, ids: list[str]) -> None:
    """LinkedIn no longer holds these records (nor what it deletes with them): a later sync sends all."""
    if not ids:
        return
    forgotten: list[tuple[Resource, list[str]]] = [(resource, ids)]
    notes = select(AtsNote.id).where(AtsNote.tenant_id == uow.tenant)
    if resource is Resource.APPLICATION:
        uow.session.execute(
            update(ApplicationStage)
            .where(ApplicationStage.tenant_id == uow.tenant, ApplicationStage.application_id.in_(ids))
            .values(synced_at=None)
            .execution_options(synchronize_session=False)
        )
        forgotten.append(
            (Resource.NOTE, list(uow.session.scalars(notes.where(AtsNote.application_id.in_(ids)))))
        )
    else:
        forgotten.append((Resource.CANDIDATE_MEMBER, ids))
        forgotten.append(
            (
                Resource.NOTE,
                list(
                    uow.session.scalars(
                        notes.where(AtsNote.candidate_id.in_(ids), AtsNote.application_id.is_(None))
                    )
                ),
            )
        )
    now = utcnow()
    for kind, entity_ids in forgotten:
        if not entity_ids:
            continue
        uow.session.execute(
            update(SyncState)
            .where(
                SyncState.tenant_id == uow.tenant,
                SyncState.resource == kind.value,
                SyncState.entity_id.in_(entity_ids),
            )
            .values(
                synced_version=0,
                dirty_since=func.coalesce(SyncState.dirty_since, now),
                last_outcome=None,
                last_error=case(
                    (SyncState.synced_version > 0, "deleted from LinkedIn by a purge"), else_=None
                ),
            )
            .execution_options(synchronize_session=False)
        )


# -- progress and dry runs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseProgress:
    resource: str
    total: int
    done: int
    sent: int
    rejected: int
    waiting: int
    skipped: int
    finished: bool
    in_flight: bool


@dataclass(frozen=True)
class RunProgress:
    tenant: str
    run: int
    kind: str
    state: str
    phase: str | None
    reason: str | None
    last_error: str | None
    phases: list[PhaseProgress]
    #: Records a second since the run last started running (None when not running or too early).
    rate: float | None
    eta_s: float | None

    @property
    def total(self) -> int:
        return sum(p.total for p in self.phases)

    @property
    def done(self) -> int:
        return sum(p.done for p in self.phases)


def progress(uow: UnitOfWork) -> RunProgress | None:
    """Where the tenant's latest run stands; totals are counted again now (records keep arriving)."""
    with uow:
        run = uow.backfills.current()
        if run is None:
            return None
        phases = []
        for cursor in uow.backfills.cursors(run):
            total = cursor.total if cursor.finished else _count(uow, Resource(cursor.resource))
            phases.append(
                PhaseProgress(
                    resource=cursor.resource,
                    total=max(total, cursor.done),
                    done=cursor.done,
                    sent=cursor.sent,
                    rejected=cursor.rejected,
                    waiting=cursor.waiting,
                    skipped=cursor.skipped,
                    finished=cursor.finished,
                    in_flight=cursor.inflight_through is not None,
                )
            )
        done = sum(p.done for p in phases)
        rate = eta = None
        if run.state == BackfillState.RUNNING and run.running_since is not None:
            elapsed = (utcnow() - run.running_since).total_seconds()
            if elapsed >= 1 and done > run.done_when_running_since:
                rate = (done - run.done_when_running_since) / elapsed
                eta = max(0, sum(p.total for p in phases) - done) / rate
        elif run.state == BackfillState.DONE and run.finished_at is not None:
            elapsed = (run.finished_at - run.created_at).total_seconds()
            rate = done / elapsed if elapsed >= 1 else None  # the run's average
        return RunProgress(
            tenant=uow.tenant,
            run=run.run,
            kind=run.kind,
            state=run.state,
            phase=run.phase,
            reason=run.reason,
            last_error=run.last_error,
            phases=phases,
            rate=rate,
            eta_s=eta,
        )


@dataclass
class DryRunCount:
    resource: str
    records: int = 0
    #: Records a sync would send, refuse (the reason names the field) or leave waiting.
    send: int = 0
    refuse: int = 0
    wait: int = 0
    skip: int = 0
    #: Stage records sent with the applications.
    stages: int = 0
    #: Calls the sends take (batches of 100, one stage call per application with stages, one notes
    #: call per parent and batch).
    calls: int = 0


@dataclass
class DryRun:
    counts: list[DryRunCount]
    #: Records LinkedIn counts (stages included) and the time the bulk budget needs for them.
    linkedin_records: int
    minutes_for_records: float
    #: Days the busiest endpoint family's daily call budget needs (its bulk share).
    days_for_calls: float

    @property
    def estimated_s(self) -> float:
        return max(self.minutes_for_records * 60, self.days_for_calls * 86_400)


def dry_run(uow_factory: Callable[[], UnitOfWork]) -> DryRun:
    """Count what a sync would send, batch by batch as it would, changing nothing."""
    counts: list[DryRunCount] = []
    for resource in PHASES[BackfillKind.SYNC]:
        count = DryRunCount(resource.value)
        after: str | None = None
        while True:
            uow = uow_factory()
            with uow:  # never committed: builders may touch the outbox, which is rolled back
                id_column, tenant_column = SOURCES[resource]
                ids = page_ids(uow.session, id_column, tenant_column, uow.tenant, after=after, limit=BATCH)
                if not ids:
                    break
                _dry_batch(uow, resource, ids, count)
            after = ids[-1]
        counts.append(count)
    settings = get_settings()
    records = sum(c.send + c.stages for c in counts)
    per_minute = settings.linkedin_records_per_minute * settings.linkedin_bulk_share
    per_day = settings.linkedin_calls_per_day * settings.linkedin_bulk_share
    by_family = {c.resource: c.calls for c in counts}
    stage_calls = next(
        (c.calls - math.ceil(c.send / BATCH) for c in counts if c.resource == "application"), 0
    )
    busiest = max([*by_family.values(), stage_calls, 0])
    return DryRun(
        counts=counts,
        linkedin_records=records,
        minutes_for_records=records / per_minute if per_minute else math.inf,
        days_for_calls=busiest / per_day if per_day else math.inf,
    )


def _dry_batch(uow: UnitOfWork, resource: Resource, ids: list[str], count: DryRunCount) -> None:
    count.records += len(ids)
    if resource is Resource.APPLICATION:
        _dry_applications(uow, ids, count)
        return
    bodies, invalid, later = BUILDERS[resource](uow, dict.fromkeys(ids, 0))
    count.send += len(bodies)
    count.refuse += len(invalid)
    if resource is Resource.NOTE:
        # Notes wait for their parent only because it is not on LinkedIn yet: a sync sends it first.
        stored = uow.ats_notes.many(sorted(later))
        parents = {b.parent for b in bodies.values()}
        for note_id in later:
            note = stored.get(note_id)
            parent_known = note is not None and (
                uow.applications.get(note.application_id)
                if note.application_id
                else uow.candidates.get(note.candidate_id)
            )
            if parent_known and note is not None:
                count.send += 1
                parents.add(
                    (Resource.APPLICATION, note.application_id)
                    if note.application_id
                    else (Resource.CANDIDATE, note.candidate_id)
                )
            else:
                count.wait += 1
        count.calls += len(parents)
    else:
        count.wait += len(later)
        count.calls += math.ceil(len(bodies) / BATCH)
    count.skip += len(ids) - len(bodies) - len(invalid) - len(later)


def _dry_applications(uow: UnitOfWork, ids: list[str], count: DryRunCount) -> None:
    sent = 0
    for application_id in ids:
        application = uow.applications.get(application_id)
        if application is None:
            count.skip += 1
            continue
        job = uow.jobs.get(application.job_id)
        candidate = uow.candidates.get(application.candidate_id)
        if job is None or candidate is None:
            count.wait += 1
        elif not candidate.first_name:
            count.refuse += 1
        else:
            sent += 1
            stages = len(uow.applications.unsynced_stages(application_id))
            count.stages += stages
            count.calls += 1 if stages else 0
    count.send += sent
    count.calls += math.ceil(sent / BATCH)
