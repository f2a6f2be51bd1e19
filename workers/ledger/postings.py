"""The sync ledger's entries for job posting tasks: confirmed, failed with LinkedIn's reason, or never
confirmed. A failed or unconfirmed posting is the job's sync problem until the job is posted again."""

from __future__ import annotations

from rsc.logs import get_logger
from store.linkedin_sync import Resource
from store.sync_ledger import ProblemKind, RecordType, Step, entry
from store.uow import UnitOfWork
from workers.ledger.hooks import problem_row

log = get_logger(__name__)

#: The LinkedIn call that tells a posting's outcome.
CALL = "simpleJobPostingTasks get"
FAILED_CODE = "job_posting_failed"
UNCONFIRMED_CODE = "job_posting_unconfirmed"


def posting_confirmed(uow: UnitOfWork, job_id: str, task_id: str) -> None:
    detail = f"LinkedIn applied the posting (task {task_id})"
    uow.ledger.add([entry(uow.tenant, RecordType.JOB, job_id, Step.CONFIRMED, call=CALL, detail=detail)])
    uow.ledger.clear_problems(Resource.JOB.value, [job_id])


def posting_failed(uow: UnitOfWork, job_id: str, task_id: str, message: str | None) -> None:
    detail = f"LinkedIn failed the posting (task {task_id}): {message or 'no reason given'}"
    _problem_entry(uow, job_id, (Step.REFUSED, ProblemKind.REFUSED, FAILED_CODE), detail)


def posting_unconfirmed(uow: UnitOfWork, job_id: str, task_id: str, why: str) -> None:
    detail = f"LinkedIn never finished the posting (task {task_id}): {why}"
    _problem_entry(uow, job_id, (Step.UNCONFIRMED, ProblemKind.STUCK, UNCONFIRMED_CODE), detail)


def _problem_entry(uow: UnitOfWork, job_id: str, what: tuple[Step, ProblemKind, str], detail: str) -> None:
    step, kind, code = what
    uow.ledger.add(
        [entry(uow.tenant, RecordType.JOB, job_id, step, call=CALL, detail=detail, reason_code=code)]
    )
    uow.ledger.set_problems([problem_row(Resource.JOB, job_id, kind, code=code, detail=detail, about={})])
    log.warning("job posting not applied", record_id=job_id, reason_code=code)
