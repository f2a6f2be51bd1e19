"""The purge phases of a backfill run: what LinkedIn holds of a tenant deleted there, batch by batch,
and the deleted records' sync state forgotten here.

LinkedIn has no delete for job postings (reference §3.3, §6.3): the jobs it holds are posted again
as ``CLOSED``, so recruiters stop being offered them, and their ACLs are deleted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInUnavailable
from linkedin.restli import BatchResult
from rsc.logs import get_logger
from store.linkedin_sync import Resource, SyncOutcome
from store.tenants import job_availability_of
from store.uow import UnitOfWork
from workers.shared.job_acl_push import delete_job_acls, mark_stale_job_acls
from workers.shared.job_push import Unsendable, job_posting

log = get_logger(__name__)


def purge_batch(
    uow: UnitOfWork, linkedin: LinkedInClient, resource: Resource, ids: list[str]
) -> Counter[str]:
    """Delete the batch from LinkedIn (one it does not hold counts as deleted); close a batch of jobs."""
    if resource is Resource.JOB:
        return _close_jobs(uow, linkedin, ids)
    if resource is Resource.APPLICATION:
        result = linkedin.applications.delete(ids)
    else:
        result = linkedin.candidates.delete(ids)
    with uow:
        uow.backfills.forget_purged(resource, list(result.ok))
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


def _close_jobs(uow: UnitOfWork, linkedin: LinkedInClient, ids: list[str]) -> Counter[str]:
    """Post the jobs LinkedIn holds again as CLOSED, and delete their ACLs."""
    with uow:
        postings = _closed_postings(uow, ids)
        held_acls = uow.job_acls.held(ids)
    result = linkedin.jobs.upsert(postings) if postings else BatchResult()
    acls_deleted = delete_job_acls(linkedin, held_acls)
    with uow:
        uow.backfills.forget_purged(Resource.JOB, list(result.ok))
        uow.job_acls.forget(acls_deleted)
        # Sent again, with the jobs, once the integration is enabled again.
        mark_stale_job_acls(uow, acls_deleted)
        for record_id, (status, _) in result.rejected.items():
            log.warning("linkedin refused to close a job", entity=record_id, status_code=status)
        uow.commit()
    if result.failed or len(acls_deleted) < len(held_acls):
        raise LinkedInUnavailable(
            "LinkedIn failed closing jobs or deleting their ACLs; the batch is sent again"
        )
    skipped = len(ids) - len(postings)
    return Counter({"sent": len(result.ok), "rejected": len(result.rejected), "skipped": skipped})


def _closed_postings(uow: UnitOfWork, ids: list[str]) -> dict[str, Any]:
    """The CLOSED postings of the jobs of ``ids`` LinkedIn holds (never sent ones are left out)."""
    states = uow.outbox.states(Resource.JOB, ids)
    jobs = uow.jobs.many(ids)
    availability = job_availability_of(uow.session, uow.tenant)
    postings: dict[str, Any] = {}
    for job_id, job in jobs.items():
        state = states.get(job_id)
        if state is None or state.synced_version == 0 or state.last_outcome != SyncOutcome.OK:
            continue
        try:
            postings[job_id] = job_posting(job, availability, state="CLOSED")
        except Unsendable:
            log.warning("job cannot be closed as the ATS holds it", entity=job_id)
    return postings
