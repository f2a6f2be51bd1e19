"""Job posting tasks polled until LinkedIn applied or failed each posting (reference §3.3).

``simpleJobPostings`` only answers with a task per posting; whether LinkedIn applied it comes later,
from ``simpleJobPostingTasks``. The push records each job's task (``store.job_postings``); the
scheduler asks for a poll of each enabled tenant with tasks due (``JobTaskPoll``), and this module
reads them in batches of 100: a task that SUCCEEDED or FAILED is recorded with LinkedIn's message
(a failure becomes the job's sync problem); one still in progress is polled again after a doubling
interval, until ``RSC_JOB_TASK_POLL_MAX_ATTEMPTS`` polls or ``RSC_JOB_TASK_MAX_AGE_S`` seconds, when
it is given up and recorded as unconfirmed. A task a newer posting replaced meanwhile is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from events.messages import OutgoingMessage, command_message
from linkedin.client import LinkedInClient
from linkedin.jobs import IN_PROGRESS_STATUSES, task_outcome
from linkedin.restli import BatchResult
from rsc.logs import get_logger
from rsc.settings import Settings
from schemas.commands import JobTaskPoll
from store.base import utcnow
from store.job_postings import JobPostingTask, PostingState, claim_due_task_polls
from store.tenants import syncing_tenant_ids
from store.uow import UnitOfWork
from workers.ledger import postings as ledger

log = get_logger(__name__)

#: Tasks read in one simpleJobPostingTasks call (LinkedIn's batch limit, reference §4).
BATCH = 100
#: Batches one poll message reads before it leaves the rest to the next one.
MAX_BATCHES = 10
#: How long a requested poll holds its tenant's due tasks before the scheduler may ask again.
POLL_HOLD = timedelta(seconds=60)


@dataclass
class TaskPollReport:
    polled: int = 0
    succeeded: int = 0
    failed: int = 0
    in_progress: int = 0
    gave_up: int = 0


def poll_job_tasks(uow: UnitOfWork, linkedin: LinkedInClient, *, settings: Settings) -> TaskPollReport:
    """Read the tenant's due posting tasks and record what LinkedIn says of each."""
    report = TaskPollReport()
    with uow:
        # The tasks due now; one polled again a moment later waits for the next message.
        due = [(row.job_id, row.task_id) for row in uow.job_postings.due(limit=BATCH * MAX_BATCHES)]
    for start in range(0, len(due), BATCH):
        batch = dict(due[start : start + BATCH])
        result = linkedin.jobs.tasks(list(dict.fromkeys(batch.values())))
        with uow:
            _record(uow, batch, result, report, settings=settings)
            uow.commit()
        report.polled += len(batch)
    if report.polled:
        log.info(
            "job posting tasks polled",
            count=report.polled,
            succeeded=report.succeeded,
            failed=report.failed,
            in_progress=report.in_progress,
            gave_up=report.gave_up,
        )
    return report


def _record(
    uow: UnitOfWork, due: dict[str, str], result: BatchResult, report: TaskPollReport, *, settings: Settings
) -> None:
    rows = uow.job_postings.many(due)
    now = utcnow()
    for job_id, task_id in due.items():
        row = rows.get(job_id)
        if row is None or row.task_id != task_id or row.state != PostingState.PENDING:
            continue  # a newer posting replaced the task while it was read
        if task_id in result.ok:
            status, message = task_outcome(result.ok[task_id])
        elif task_id in result.rejected:
            code, text = result.rejected[task_id]
            status, message = "FAILED", f"LinkedIn refused to report the task ({code}): {text}"
        else:
            status, message = "IN_PROGRESS", None  # failed transiently: counted as one more poll
        if status == "SUCCEEDED":
            uow.job_postings.ended(row, PostingState.SUCCEEDED, None, now=now)
            ledger.posting_confirmed(uow, job_id, task_id)
            report.succeeded += 1
        elif status == "FAILED":
            uow.job_postings.ended(row, PostingState.FAILED, message, now=now)
            ledger.posting_failed(uow, job_id, task_id, message)
            report.failed += 1
        else:
            if status not in IN_PROGRESS_STATUSES:
                # Not a status the reader knows: treated as unsettled (never confirmed on a guess),
                # and said, so a new spelling of LinkedIn's is seen before its tasks are given up.
                log.warning("job posting task status unknown", record_id=job_id, status=status[:40] or None)
            _again_or_give_up(uow, row, now, report, settings=settings)


def _again_or_give_up(
    uow: UnitOfWork, row: JobPostingTask, now: datetime, report: TaskPollReport, *, settings: Settings
) -> None:
    polls = row.attempts + 1
    age = now - row.submitted_at
    if polls >= settings.job_task_poll_max_attempts or age >= timedelta(seconds=settings.job_task_max_age_s):
        why = f"still in progress after {polls} polls over {int(age.total_seconds())} s"
        uow.job_postings.ended(row, PostingState.GAVE_UP, why, now=now)
        ledger.posting_unconfirmed(uow, row.job_id, row.task_id, why)
        report.gave_up += 1
        return
    interval = min(settings.job_task_poll_first_s * 2**polls, settings.job_task_poll_max_interval_s)
    uow.job_postings.again(row, now + timedelta(seconds=interval), now=now)
    report.in_progress += 1


def job_task_poll_messages(session: Session) -> list[OutgoingMessage]:
    """A task poll for each enabled tenant with posting tasks due (the scheduler's tick)."""
    due = claim_due_task_polls(session, syncing_tenant_ids(session), hold=POLL_HOLD)
    session.commit()
    return [command_message(JobTaskPoll(tenant=tenant)) for tenant in due]
