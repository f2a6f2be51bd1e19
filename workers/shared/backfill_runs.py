"""Starting a historical backfill run and asking for its runner: what the integration lifecycle,
the scheduler and the CLI share with the backfill itself (``workers.historical_backfill``)."""

from __future__ import annotations

from datetime import timedelta

from events.messages import OutgoingMessage, command_message
from events.publisher import EventPublisher
from rsc.logs import get_logger
from schemas.commands import BackfillSlice
from store.backfill import BackfillKind, BackfillRun, refresh_statistics
from store.backfill_phases import SYNC_PHASES, Phase
from store.base import utcnow
from store.db import Store
from store.uow import UnitOfWork

log = get_logger(__name__)

#: A queued request for a runner is not repeated before this (the scheduler asks again after).
REQUEST_HOLD = timedelta(seconds=60)


PHASES: dict[BackfillKind, tuple[str, ...]] = {
    # Useful first: open jobs, then recent jobs, candidates and applications, then the rest.
    BackfillKind.SYNC: tuple(p.value for p in SYNC_PHASES),
    # Deleting an application deletes its stages and notes; a candidate its notes. LinkedIn has no
    # delete for job postings: the jobs are closed (and their ACLs deleted) after them.
    BackfillKind.PURGE: (Phase.APPLICATION.value, Phase.CANDIDATE.value, Phase.JOB.value),
}


def run_message(tenant: str, run: int) -> OutgoingMessage:
    return command_message(BackfillSlice(tenant=tenant, run=run))


def start_run(uow: UnitOfWork, kind: BackfillKind, reason: str) -> BackfillRun:
    """A new run of ``kind`` from its first phase (inside ``uow``'s transaction; the caller commits).

    Raises ``store.backfill.BackfillBusy`` while another run of the tenant is running or paused.
    """
    phases = PHASES[kind]
    run = uow.backfills.start(kind, phases, reason=reason)
    refresh_statistics(uow.session)
    for phase in phases:
        cursor = uow.backfills.cursor(run.run, phase)
        cursor.total = uow.backfills.left_count(run, cursor)
    first = uow.backfills.cursor(run.run, phases[0])
    first.started_at = utcnow()
    log.info("backfill started", kind=kind.value, run=run.run)
    return run


def request_runner(uow: UnitOfWork, run: int, publisher: EventPublisher) -> None:
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
