"""ATS records arriving as events: stored in order, and marked for LinkedIn when they changed."""

from __future__ import annotations

from rsc.logs import get_logger
from schemas.ats import JobClosed, JobCreated, JobPublished, JobUpdated
from store.linkedin_sync import Resource
from store.uow import UnitOfWork

log = get_logger(__name__)

CONSUMER = "status_push"

JobEvent = JobCreated | JobUpdated | JobPublished | JobClosed


def handle_job_event(event: JobEvent, uow: UnitOfWork) -> bool:
    """Store the job snapshot unless the store holds a newer one. True when the job changed."""
    with uow:
        if not uow.inbox.record(CONSUMER, event.source, event.id):
            return False
        changed = uow.jobs.apply(event.data)
        if changed:
            uow.outbox.mark_changed(Resource.JOB, event.data.job_id)
        uow.commit()
    log.info(
        "job stored" if changed else "older job snapshot ignored",
        job_id=event.data.job_id,
        state=event.data.state.value,
    )
    return changed
