"""A tenant's backfill run as ``rsc backfill status`` shows it: each phase's progress and the run's state."""

from __future__ import annotations

from dataclasses import dataclass

from rsc.settings import Settings
from store.backfill import BackfillCursor, BackfillKind, BackfillRun, BackfillState
from store.backfill_phases import resource_of, stage_load
from store.base import utcnow
from store.linkedin_sync import Resource
from store.uow import UnitOfWork
from workers.historical_backfill.budget import batch_calls, phase_seconds


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
    #: Seconds the phase's records left need on LinkedIn's real budget (bulk share), and seconds from
    #: now until the phase is done (the phases before it first).
    budget_eta_s: float = 0.0
    done_after_s: float = 0.0


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


def progress(uow: UnitOfWork, *, settings: Settings) -> RunProgress | None:
    """Where the tenant's latest run stands; totals are counted again now (records keep arriving)."""
    with uow:
        run = uow.backfills.current()
        if run is None:
            return None
        phases = []
        elapsed = 0.0
        for cursor in uow.backfills.cursors(run):
            left = 0 if cursor.finished else uow.backfills.left_count(run, cursor)
            total = cursor.total if cursor.finished else cursor.done + left
            phase_eta = 0.0 if cursor.finished else _budget_eta(uow, run, cursor, left, settings)
            elapsed += phase_eta
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
                    budget_eta_s=phase_eta,
                    done_after_s=elapsed,
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


def _budget_eta(
    uow: UnitOfWork, run: BackfillRun, cursor: BackfillCursor, left: int, settings: Settings
) -> float:
    """Seconds LinkedIn's real budget needs for what the phase has left: a batch call per 100
    records, and for applications a stage call per application with stages LinkedIn lacks."""
    if not left:
        return 0.0
    if resource_of(cursor.resource) is not Resource.APPLICATION or run.kind != BackfillKind.SYNC:
        return phase_seconds(left, [batch_calls(left)], settings)
    stages, with_stages = stage_load(uow.session, uow.tenant, uow.backfills.left(run, cursor))
    return phase_seconds(left + stages, [batch_calls(left), with_stages], settings)
