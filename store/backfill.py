"""Historical backfill runs: where each one stands, so a crash or a restart resumes where it stopped.

A run walks a tenant's records phase by phase (useful first: ``store.backfill_phases``), in
batches of at most 100 taken in id order (keyset pagination). Per phase a cursor says
which ids are done (``after_id``: everything up to it) and which batch is in flight
(``inflight_through``): a batch is recorded in flight before it is sent and the cursor moves past it
once LinkedIn's answer is settled in the outbox, so a crash resends at most the batch in flight.

The same machinery deletes what LinkedIn holds (a *purge*, ``rsc tenant disable --purge-remote``).
One run of a tenant runs at a time: a runner holds the run's lease while it works. The runner
(``workers.historical_backfill``) reads its batches, their outcomes and what a purge made LinkedIn
forget through ``Backfills``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, String, Text, or_, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.backfill_phases import SOURCES, count_of, phase_select, reach, recent_since, resource_of
from store.backfill_purge import forget_purged
from store.base import Base, TenantScoped, utcnow
from store.linkedin_sync import Resource, SyncOutcome, SyncState
from store.repository import TenantRepository


class BackfillKind(StrEnum):
    #: Send the current state of every record (the one-time historical sync on enablement).
    SYNC = "sync"
    #: Delete from LinkedIn every record it holds (after the integration was disabled).
    PURGE = "purge"


class BackfillState(StrEnum):
    RUNNING = "running"
    #: Paused by the operator; ``rsc backfill resume`` goes on where it stopped.
    PAUSED = "paused"
    DONE = "done"
    #: Ended before it was done (the integration was disabled, or a newer run replaced it).
    STOPPED = "stopped"

    @property
    def active(self) -> bool:
        return self in (BackfillState.RUNNING, BackfillState.PAUSED)


class BackfillRun(TenantScoped, Base):
    __tablename__ = "backfill_runs"

    run: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    #: The phases (resources) of the run in order, comma-separated.
    phases: Mapped[str] = mapped_column(String(200))
    #: The phase being worked on; NULL once the run is over.
    phase: Mapped[str | None] = mapped_column(String(32))
    #: Why the run was paused or stopped.
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: When the run last started running (start or resume), and the records done by then: the rate.
    running_since: Mapped[datetime | None]
    done_when_running_since: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The runner working on it, until its lease ends (renewed batch by batch).
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    #: A message asking a runner to work on it is queued until then (the scheduler asks again after).
    requested_until: Mapped[datetime | None]
    #: Consecutive failed batches, and the last failure (class and what happens next).
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def phase_list(self) -> list[str]:
        return [p for p in self.phases.split(",") if p]


class BackfillCursor(TenantScoped, Base):
    __tablename__ = "backfill_cursors"

    run: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: Every record with an id up to this one (in the store's id order) is done.
    after_id: Mapped[str | None] = mapped_column(String(200))
    #: The last id of the batch in flight: recorded before it is sent, cleared once it is settled.
    inflight_through: Mapped[str | None] = mapped_column(String(200))
    finished: Mapped[bool] = mapped_column(default=False)
    #: Records of the entity when the phase started (``rsc backfill status`` counts them again).
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Records LinkedIn took (sync) or confirmed deleted (purge).
    sent: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Records refused by LinkedIn or that cannot be sent as the ATS holds them (reason in the outbox).
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Records left to the live outbox sweep: waiting for a record they depend on, or failed transiently.
    waiting: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Records with nothing to send (a draft job never listed, a record LinkedIn does not hold).
    skipped: Mapped[int] = mapped_column(BigInteger, default=0)
    batches: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def done(self) -> int:
        return self.sent + self.rejected + self.waiting + self.skipped


class BackfillBusy(RuntimeError):
    """A run of the tenant is still running or paused."""


class Backfills(TenantRepository):
    def current(self) -> BackfillRun | None:
        """The tenant's latest run, whatever its state."""
        return self.session.scalars(
            select(BackfillRun).where(BackfillRun.tenant_id == self.tenant).order_by(BackfillRun.run.desc())
        ).first()

    def active(self) -> BackfillRun | None:
        run = self.current()
        return run if run is not None and BackfillState(run.state).active else None

    def start(self, kind: BackfillKind, phases: Iterable[str], *, reason: str | None = None) -> BackfillRun:
        """A new run, running from the first phase. ``BackfillBusy`` while another one is active."""
        busy = self.active()
        if busy is not None:
            raise BackfillBusy(
                f"{busy.kind} run {busy.run} of tenant {self.tenant!r} is {busy.state}; wait for it, or "
                f"stop it first"
            )
        latest = self.current()
        now = utcnow()
        order = list(phases)
        run = BackfillRun(
            tenant_id=self.tenant,
            run=(latest.run + 1) if latest is not None else 1,
            kind=kind.value,
            state=BackfillState.RUNNING.value,
            phases=",".join(order),
            phase=order[0] if order else None,
            reason=reason,
            created_at=now,
            running_since=now,
            done_when_running_since=0,
            failures=0,
        )
        self.session.add(run)
        for resource in order:
            self.session.add(BackfillCursor(tenant_id=self.tenant, run=run.run, resource=resource))
        if not order:
            run.state, run.finished_at = BackfillState.DONE.value, now
        self.session.flush()
        return run

    def get(self, run: int) -> BackfillRun | None:
        return self.session.get(BackfillRun, (self.tenant, run))

    def lock(self, run: int) -> BackfillRun | None:
        """The run, its row locked until the transaction ends (PostgreSQL; SQLite locks on write)."""
        stmt = select(BackfillRun).where(BackfillRun.tenant_id == self.tenant, BackfillRun.run == run)
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt.execution_options(populate_existing=True)).first()

    def cursor(self, run: int, resource: str) -> BackfillCursor:
        cursor = self.session.get(BackfillCursor, (self.tenant, run, resource))
        if cursor is None:
            raise LookupError(f"run {run} of tenant {self.tenant!r} has no phase {resource!r}")
        return cursor

    def cursors(self, run: BackfillRun) -> list[BackfillCursor]:
        rows = {
            c.resource: c
            for c in self.session.scalars(
                select(BackfillCursor).where(
                    BackfillCursor.tenant_id == self.tenant, BackfillCursor.run == run.run
                )
            )
        }
        return [rows[p] for p in run.phase_list if p in rows]

    def done_records(self, run: BackfillRun) -> int:
        return sum(c.done for c in self.cursors(run))

    # -- the records of a phase ---------------------------------------------------------------------

    def page(
        self,
        phase: str,
        *,
        after: str | None,
        through: str | None = None,
        limit: int,
        since: datetime | None = None,
        covered_since: datetime | None = None,
        excluding: Sequence[str] = (),
    ) -> list[str]:
        """The next ids of the phase's records after ``after`` (up to ``through``) in the store's id
        order: keyset pagination, so a batch costs the same wherever the run is. ``since`` is the
        cutoff of recent records (default: ``RECENT`` before now); ``covered_since`` leaves out what
        the run covered already, ``excluding`` the members of other phases (``store.backfill_phases``)."""
        column, _ = SOURCES[resource_of(phase)]
        stmt = phase_select(
            phase,
            self.tenant,
            since=since or recent_since(utcnow()),
            after=after,
            through=through,
            covered_since=covered_since,
            excluding=excluding,
        )
        return list(self.session.scalars(stmt.order_by(column).limit(limit)))

    def count(self, phase: str) -> int:
        """The tenant's records of the phase now."""
        stmt = phase_select(phase, self.tenant, since=recent_since(utcnow()))
        return int(self.session.scalar(count_of(stmt)) or 0)

    def left(self, run: BackfillRun, cursor: BackfillCursor) -> Any:
        """``SELECT id`` of what the run's phase of ``cursor`` has left to send: its records after the
        cursor the run has not covered and that no earlier phase still to be finished will send."""
        phases = run.phase_list
        resource = resource_of(cursor.resource)
        earlier = [
            p
            for p in phases[: phases.index(cursor.resource)]
            if resource_of(p) is resource and not self.cursor(run.run, p).finished
        ]
        return phase_select(
            cursor.resource,
            self.tenant,
            since=recent_since(run.created_at),
            after=cursor.after_id,
            covered_since=run.created_at if run.kind == BackfillKind.SYNC else None,
            excluding=earlier,
        )

    def left_count(self, run: BackfillRun, cursor: BackfillCursor) -> int:
        return int(self.session.scalar(count_of(self.left(run, cursor))) or 0)

    def outcomes(self, resource: Resource, ids: list[str]) -> Counter[str]:
        """How a sent batch's records ended, read from the outbox (right whatever crashed in between):
        ``sent``, ``rejected``, ``waiting`` (changed again, or failed transiently) or ``skipped``."""
        counted: Counter[str] = Counter()
        rows = self.session.execute(
            select(SyncState.version, SyncState.synced_version, SyncState.last_outcome).where(
                SyncState.tenant_id == self.tenant,
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

    def forget_purged(self, resource: Resource, ids: list[str]) -> None:
        """LinkedIn deleted these records (and what it deletes with them), or closed these jobs: their
        outbox rows say it holds nothing, so a later sync sends them all again."""
        forget_purged(self.session, self.tenant, resource, ids)

    # -- the runner's lease ------------------------------------------------------------------------

    def acquire(self, run: int, holder: str, lease: timedelta) -> bool:
        """Take (or renew) the lease of a running run. False when another runner holds it, or the
        run is not running any more."""
        now = utcnow()
        result = self.session.execute(
            update(BackfillRun)
            .where(
                BackfillRun.tenant_id == self.tenant,
                BackfillRun.run == run,
                BackfillRun.state == BackfillState.RUNNING.value,
                or_(
                    BackfillRun.holder.is_(None),
                    BackfillRun.holder == holder,
                    BackfillRun.lease_until.is_(None),
                    BackfillRun.lease_until < now,
                ),
            )
            .values(holder=holder, lease_until=now + lease, requested_until=None)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def release(self, run: int, holder: str) -> None:
        self.session.execute(
            update(BackfillRun)
            .where(BackfillRun.tenant_id == self.tenant, BackfillRun.run == run, BackfillRun.holder == holder)
            .values(holder=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )

    def requested(self, run: int, hold: timedelta) -> None:
        """A message asking for a runner is queued: the scheduler does not ask again before ``hold``."""
        self.session.execute(
            update(BackfillRun)
            .where(BackfillRun.tenant_id == self.tenant, BackfillRun.run == run)
            .values(requested_until=utcnow() + hold)
            .execution_options(synchronize_session=False)
        )

    # -- operator transitions ----------------------------------------------------------------------

    def pause(self, run: BackfillRun, reason: str) -> None:
        run.state, run.reason = BackfillState.PAUSED.value, reason
        run.running_since = None

    def resume(self, run: BackfillRun) -> None:
        run.state, run.reason = BackfillState.RUNNING.value, None
        run.failures, run.last_error = 0, None
        run.running_since = utcnow()
        run.done_when_running_since = self.done_records(run)

    def stop(self, run: BackfillRun, reason: str) -> None:
        run.state, run.reason = BackfillState.STOPPED.value, reason
        run.phase, run.finished_at, run.running_since = None, utcnow(), None

    def finish(self, run: BackfillRun) -> None:
        run.state, run.phase, run.finished_at = BackfillState.DONE.value, None, utcnow()

    # -- the live lane -----------------------------------------------------------------------------

    def live_bounds(self) -> dict[Resource, ColumnElement[bool] | None]:
        """How far live pushes may go, per resource, while a historical sync is active.

        A resource missing from the answer is not bounded. One that is maps to a predicate on the
        outbox's entity id: the records the sync has reached (``store.backfill_phases.reach``), or
        to None when it has reached none; the others are the sync's to send. Member links follow
        their candidates.
        """
        run = self.active()
        if run is None or run.kind != BackfillKind.SYNC:
            return {}
        phases = [(c.resource, c.after_id, c.finished) for c in self.cursors(run)]
        since = recent_since(run.created_at)
        bounds: dict[Resource, ColumnElement[bool] | None] = {}
        for resource in dict.fromkeys(resource_of(p) for p, _, _ in phases):
            reached = reach(phases, resource, self.tenant, since)
            if reached is not True:
                bounds[resource] = None if reached is False else reached
        if Resource.CANDIDATE in bounds:
            bounds[Resource.CANDIDATE_MEMBER] = bounds[Resource.CANDIDATE]
        return bounds


#: The tables a run reads batch by batch.
READ_TABLES = ("jobs", "candidates", "applications", "application_stages", "ats_notes", "linkedin_sync")


def refresh_statistics(session: Session) -> None:
    """Let PostgreSQL's planner see the tables' real size before a run reads them batch by batch.

    A history imported in bulk grows them faster than autovacuum analyses them; with the statistics
    of a nearly empty table the planner reads every outbox row of the tenant for each batch's
    ``entity_id IN (...)`` (100,000 rows: a quarter of a second per statement instead of a
    millisecond).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {', '.join(READ_TABLES)}"))


def runs_to_kick(session: Session, now: datetime | None = None) -> list[tuple[str, int]]:
    """(tenant, run) of running runs no runner holds and no queued message asks for (operator query)."""
    now = now or utcnow()
    rows = session.execute(
        select(BackfillRun.tenant_id, BackfillRun.run)
        .where(
            BackfillRun.state == BackfillState.RUNNING.value,
            or_(BackfillRun.lease_until.is_(None), BackfillRun.lease_until < now),
            or_(BackfillRun.requested_until.is_(None), BackfillRun.requested_until < now),
        )
        .order_by(BackfillRun.tenant_id, BackfillRun.run)
    )
    return [(tenant, run) for tenant, run in rows]
