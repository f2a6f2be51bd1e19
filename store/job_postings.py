"""Job posting tasks: whether LinkedIn applied the last posting of each job.

``simpleJobPostings`` answers a posting with a task id; the posting is applied (or fails) later and
only ``simpleJobPostingTasks`` tells which (reference §3.3). Each job keeps the task of its latest
posting, the outbox version that posting carried, and the outcome with LinkedIn's message, so a
failed posting is visible instead of lost. A task is polled with a growing interval until it ends,
or until it has been polled too often or for too long (``gave_up``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Index, Integer, String, Text, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository


class PostingState(StrEnum):
    #: LinkedIn took the posting; its task has not ended yet.
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    #: The task ended FAILED; ``message`` holds LinkedIn's reason.
    FAILED = "failed"
    #: The task was polled too often or for too long without ending; not polled any more.
    GAVE_UP = "gave_up"


class JobPostingTask(TenantScoped, Base):
    __tablename__ = "job_posting_tasks"
    __table_args__ = (Index("ix_job_posting_tasks_due", "state", "next_poll_at"),)

    job_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(200))
    #: The outbox version of the job the posting carried (a later posting replaces an older one).
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    #: LinkedIn's message of a failed task, or why polling gave up.
    message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime]
    next_poll_at: Mapped[datetime | None]
    #: A poll was requested and has not run yet (the scheduler asks for another only after this).
    queued_until: Mapped[datetime | None]
    checked_at: Mapped[datetime | None]


class JobPostingTasks(TenantRepository):
    def submitted(self, tasks: Mapping[str, tuple[str, int]], *, first_poll_in: timedelta) -> None:
        """Record the task of each job's new posting (job id -> (task id, version)); a row holding a
        newer version is left alone (postings settled out of order)."""
        now = utcnow()
        current = self.many(tasks)
        for job_id, (task_id, version) in tasks.items():
            row = current.get(job_id)
            if row is not None and row.version > version:
                continue
            if row is None:
                row = JobPostingTask(tenant_id=self.tenant, job_id=job_id)
                self.session.add(row)
            row.task_id, row.version, row.state, row.message = task_id, version, PostingState.PENDING, None
            row.attempts, row.submitted_at, row.next_poll_at = 0, now, now + first_poll_in
            row.queued_until, row.checked_at = None, None

    def get(self, job_id: str) -> JobPostingTask | None:
        return self.session.get(JobPostingTask, (self.tenant, job_id))

    def many(self, job_ids: Iterable[str]) -> dict[str, JobPostingTask]:
        rows = self.session.scalars(
            select(JobPostingTask).where(
                JobPostingTask.tenant_id == self.tenant, JobPostingTask.job_id.in_(list(job_ids))
            )
        )
        return {row.job_id: row for row in rows}

    def due(self, *, now: datetime | None = None, limit: int = 100) -> list[JobPostingTask]:
        """Pending tasks whose next poll is due, the longest-waiting first."""
        stmt = (
            select(JobPostingTask)
            .where(
                JobPostingTask.tenant_id == self.tenant,
                JobPostingTask.state == PostingState.PENDING.value,
                JobPostingTask.next_poll_at <= (now or utcnow()),
            )
            .order_by(JobPostingTask.next_poll_at, JobPostingTask.job_id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def ended(self, row: JobPostingTask, state: PostingState, message: str | None, *, now: datetime) -> None:
        row.state, row.message = state.value, message
        row.attempts += 1
        row.checked_at, row.next_poll_at, row.queued_until = now, None, None

    def again(self, row: JobPostingTask, at: datetime, *, now: datetime) -> None:
        """Still in progress (read at ``now``): polled again at ``at``."""
        row.attempts += 1
        row.checked_at, row.next_poll_at, row.queued_until = now, at, None

    def failed(self) -> list[JobPostingTask]:
        """Jobs whose latest posting failed or was never confirmed, oldest first."""
        stmt = (
            select(JobPostingTask)
            .where(
                JobPostingTask.tenant_id == self.tenant,
                JobPostingTask.state.in_([PostingState.FAILED.value, PostingState.GAVE_UP.value]),
            )
            .order_by(JobPostingTask.submitted_at, JobPostingTask.job_id)
        )
        return list(self.session.scalars(stmt))

    def counts(self) -> dict[str, int]:
        rows = self.session.execute(
            select(JobPostingTask.state, func.count())
            .where(JobPostingTask.tenant_id == self.tenant)
            .group_by(JobPostingTask.state)
        )
        return {state: int(count) for state, count in rows}


def claim_due_task_polls(session: Session, tenants: Iterable[str], *, hold: timedelta) -> list[str]:
    """The tenants (of ``tenants``) with a task poll due and none requested; their due tasks are marked
    requested for ``hold``, so the next scheduler tick does not ask again (operator query)."""
    wanted = list(tenants)
    if not wanted:
        return []
    now = utcnow()
    due = (
        JobPostingTask.tenant_id.in_(wanted),
        JobPostingTask.state == PostingState.PENDING.value,
        JobPostingTask.next_poll_at <= now,
        or_(JobPostingTask.queued_until.is_(None), JobPostingTask.queued_until < now),
    )
    found = sorted(set(session.scalars(select(JobPostingTask.tenant_id).where(*due))))
    if found:
        session.execute(
            update(JobPostingTask)
            .where(*due)
            .values(queued_until=now + hold)
            .execution_options(synchronize_session=False)
        )
    return found


def failed_posting_counts(session: Session) -> dict[str, int]:
    """Every tenant's jobs whose latest posting failed or was never confirmed (operator query)."""
    rows = session.execute(
        select(JobPostingTask.tenant_id, func.count())
        .where(JobPostingTask.state.in_([PostingState.FAILED.value, PostingState.GAVE_UP.value]))
        .group_by(JobPostingTask.tenant_id)
    )
    return {tenant: int(count) for tenant, count in rows}
