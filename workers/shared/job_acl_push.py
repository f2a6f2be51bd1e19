"""Job ACLs as LinkedIn should hold them (reference §3.2, §3.7), pushed through the outbox.

With the tenant's job posting viewers ``ACL_BASED``, every job has an ACL on LinkedIn whose
assignees are the person URNs of its hiring team's members connected to an active Recruiter seat;
with ``ALL_PRODUCT_USERS`` no job has one. ``job_acl`` outbox records are marked whenever what a job's
ACL should be may have changed (its hiring team, the seat mapping, the viewers setting); the push
compares what should be with what LinkedIn holds (``store.job_acls``) and sends only the difference:
the ACL created, assignees added and removed, the ACL deleted. An ACL waits for its job to reach
LinkedIn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from linkedin.client import LinkedInClient
from linkedin.restli import BatchResult
from rsc.settings import Settings
from store.linkedin_sync import Resource, SyncOutcome
from store.sync_ledger import Waiting
from store.tenants import JobPostingViewers, job_posting_viewers_of
from store.uow import UnitOfWork

#: Entity id -> what the job's ACL should be ({"want": URNs or None, "held": URNs or None}).
AclBodies = dict[str, dict[str, list[str] | None]]


def wanted_acls(uow: UnitOfWork, job_ids: Iterable[str]) -> dict[str, list[str] | None]:
    """Each job's ACL assignees as they should be on LinkedIn; None: the job should have no ACL."""
    ids = list(job_ids)
    if job_posting_viewers_of(uow.session, uow.tenant) is not JobPostingViewers.ACL_BASED:
        return dict.fromkeys(ids)
    person_of = {s.user_id: s.member for s in uow.seats.mapped() if s.member}
    jobs = uow.jobs.many(ids)
    wanted: dict[str, list[str] | None] = {}
    for job_id in ids:
        job = jobs.get(job_id)
        team = job.hiring_team or [] if job is not None else None
        wanted[job_id] = None if team is None else sorted({person_of[u] for u in team if u in person_of})
    return wanted


def mark_stale_job_acls(uow: UnitOfWork, job_ids: Iterable[str] | None = None) -> int:
    """Mark for a push the ACLs of the jobs (all the tenant's by default) that are not what they should
    be; returns how many. Runs in the caller's transaction."""
    ids = list(job_ids) if job_ids is not None else sorted(set(uow.jobs.ids()) | set(uow.job_acls.job_ids()))
    held = uow.job_acls.held(ids)
    stale = [job_id for job_id, want in wanted_acls(uow, ids).items() if want != held.get(job_id)]
    uow.outbox.mark_all_changed([(Resource.JOB_ACL, job_id) for job_id in stale])
    return len(stale)


def build_job_acls(
    uow: UnitOfWork, claimed: Mapping[str, int], settings: Settings
) -> tuple[dict[str, Any], dict[str, str], dict[str, Waiting]]:
    held = uow.job_acls.held(claimed)
    states = uow.outbox.states(Resource.JOB, claimed)
    bodies: AclBodies = {}
    later: dict[str, Waiting] = {}
    for job_id, want in wanted_acls(uow, claimed).items():
        job = states.get(job_id)
        on_linkedin = job is not None and job.synced_version > 0 and job.last_outcome == SyncOutcome.OK
        if want is not None and not on_linkedin:
            later[job_id] = Waiting("waiting_for_job_push", f"job {job_id!r} to reach LinkedIn")
            continue
        bodies[job_id] = {"want": want, "held": held.get(job_id)}
    return dict(bodies), {}, later


def send_job_acls(linkedin: LinkedInClient, bodies: Mapping[str, Any]) -> BatchResult:
    """Create, fill, empty and delete ACLs so that LinkedIn holds what each body wants."""
    outcome = BatchResult()
    created = [j for j, b in bodies.items() if b["want"] is not None and b["held"] is None]
    _fold(outcome, linkedin.acls.put(created) if created else BatchResult())
    ready = {j: b for j, b in bodies.items() if j not in outcome.rejected and j not in outcome.failed}
    add = {
        j: sorted(set(b["want"]) - set(b["held"] or [])) for j, b in ready.items() if b["want"] is not None
    }
    remove = {j: sorted(set(b["held"] or []) - set(b["want"] or [])) for j, b in ready.items()}
    _fold(outcome, linkedin.acls.assign({j: p for j, p in add.items() if p}), by_job=True)
    _fold(outcome, linkedin.acls.unassign({j: p for j, p in remove.items() if p}), by_job=True)
    gone = [
        j
        for j, b in ready.items()
        if b["want"] is None
        and b["held"] is not None
        and j not in outcome.rejected
        and j not in outcome.failed
    ]
    _fold(outcome, linkedin.acls.delete(gone) if gone else BatchResult())
    for job_id, body in bodies.items():
        if job_id not in outcome.rejected and job_id not in outcome.failed:
            outcome.ok[job_id] = body["want"]
    return outcome


def _fold(outcome: BatchResult, result: BatchResult, *, by_job: bool = False) -> None:
    """A call's refusals and transient failures, under the job they concern."""
    for key, error in result.rejected.items():
        outcome.rejected.setdefault(key.split(" ", 1)[0] if by_job else key, error)
    for key, error in result.failed.items():
        outcome.failed.setdefault(key.split(" ", 1)[0] if by_job else key, error)


def job_acls_synced(uow: UnitOfWork, sent: Mapping[str, Any]) -> None:
    """LinkedIn now holds what each body wanted."""
    for job_id, body in sent.items():
        uow.job_acls.synced(job_id, body["want"])


def delete_job_acls(linkedin: LinkedInClient, held: Mapping[str, list[str]]) -> list[str]:
    """Remove the assignees and delete the ACLs of jobs; returns the jobs whose ACL is gone."""
    bodies = {job_id: {"want": None, "held": people} for job_id, people in held.items()}
    return list(send_job_acls(linkedin, bodies).ok) if bodies else []
