"""Applications as LinkedIn's ``atsApplications`` want them, with their status history as stages.

An application push is the whole record (a PUT replaces it, so it is built from the store's current
application, candidate and job) and then the stage records LinkedIn has not confirmed yet: one per
status transition, keyed by the transition id and dated when it happened, so LinkedIn shows the
current status and how the application got there. The record is in sync only when both went through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInRejected, LinkedInUnavailable
from linkedin.restli import BatchResult
from rsc.settings import Settings
from store.applications import Application
from store.base import to_ms
from store.candidates import Candidate
from store.jobs import Job
from store.linkedin_sync import Resource, SyncState
from store.sync_ledger import Waiting
from store.uow import UnitOfWork

#: LinkedIn's e-mail rule (reference §3.6): X@X.X.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: How long an application waiting for its job or candidate is left alone before it is tried again.
WAIT_FOR_DEPENDENCY = timedelta(seconds=5)


@dataclass(frozen=True)
class ApplicationPush:
    record: dict[str, Any]
    #: Stage records LinkedIn has not confirmed, by transition id.
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)


def application_record(application: Application, candidate: Candidate, job: Job) -> dict[str, Any]:
    """The full atsApplications record: what the store has, nothing invented."""
    email = next((e for e in candidate.emails or [] if _EMAIL.fullmatch(e)), None)
    record = {
        "atsCandidateId": application.candidate_id,
        "atsCreatedAt": to_ms(application.created_at),
        "atsLastModifiedAt": to_ms(application.modified_at),
        "atsJobPostingId": application.job_id,
        "atsJobPostingName": job.title,
        "candidateEmail": email,
        "firstName": candidate.first_name,
        "lastName": candidate.last_name,
        "source": application.source,
        "dispositionReason": application.disposition_reason,
    }
    return {name: value for name, value in record.items() if value is not None}


def build_applications(
    uow: UnitOfWork, claimed: Mapping[str, int], settings: Settings
) -> tuple[dict[str, Any], dict[str, str], dict[str, Waiting]]:
    bodies: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    later: dict[str, Waiting] = {}
    # The batch's rows in a few queries, not a few per application.
    applications = uow.applications.many(claimed)
    jobs = uow.jobs.many({a.job_id for a in applications.values()})
    candidates = uow.candidates.many({a.candidate_id for a in applications.values()})
    job_states = uow.outbox.states(Resource.JOB, jobs)
    unsynced = uow.applications.unsynced_stages_of(claimed)
    for application_id in claimed:
        application = applications.get(application_id)
        if application is None:
            invalid[application_id] = "the application no longer exists in the store"
            continue
        job = jobs.get(application.job_id)
        candidate = candidates.get(application.candidate_id)
        if job is None or candidate is None or not _job_sent(job_states.get(job.id)):
            # Its job or candidate has not arrived yet, or LinkedIn has not been told about the job.
            later[application_id] = _waits_for(application, job is None, candidate is None)
            continue
        if not candidate.first_name:
            invalid[application_id] = (
                f"LinkedIn requires the candidate's firstName on an application and candidate "
                f"{candidate.id!r} has none in the ATS; add it there"
            )
            continue
        stages = {
            stage.transition_id: {"atsCreatedAt": to_ms(stage.changed_at), "stage": stage.status}
            for stage in unsynced.get(application_id, [])
        }
        bodies[application_id] = ApplicationPush(application_record(application, candidate, job), stages)
    return bodies, invalid, later


def _waits_for(application: Application, no_job: bool, no_candidate: bool) -> Waiting:
    if no_job:
        return Waiting("waiting_for_job", f"job {application.job_id!r}")
    if no_candidate:
        return Waiting("waiting_for_candidate", f"candidate {application.candidate_id!r}")
    return Waiting("waiting_for_job_push", f"job {application.job_id!r} to reach LinkedIn")


def _job_sent(state: SyncState | None) -> bool:
    """Whether a push of the job (its outbox row) has been settled (LinkedIn has it, refused it, or
    it is a draft)."""
    return state is None or state.synced_version > 0


def send_applications(linkedin: LinkedInClient, pushes: Mapping[str, ApplicationPush]) -> BatchResult:
    """PUT the records (up to 100 a call), then each accepted application's new stages.

    Stage batches are batch calls of one app to one resource family, which LinkedIn wants sent one
    after another (reference §4): each application's go after the previous one's. Once LinkedIn is
    unavailable the rest wait for the next push instead of failing one by one.
    """
    result = linkedin.applications.upsert({app_id: push.record for app_id, push in pushes.items()})
    pending = [app_id for app_id in pushes if app_id in result.ok and pushes[app_id].stages]
    for index, application_id in enumerate(pending):
        try:
            staged = linkedin.applications.stages(application_id).upsert(pushes[application_id].stages)
        except LinkedInUnavailable:
            for waiting in pending[index:]:
                # The record is on LinkedIn, its stages are not: it stays dirty.
                result.ok.pop(waiting, None)
                result.failed[waiting] = (503, "stages not sent: LinkedIn unavailable")
            break
        except LinkedInRejected as exc:
            result.ok.pop(application_id, None)
            result.rejected[application_id] = (exc.status, f"stages refused: {exc}")
            continue
        if staged.rejected:
            transition, (status, message) = sorted(staged.rejected.items())[0]
            result.ok.pop(application_id, None)
            result.rejected[application_id] = (status, f"stage {transition!r} refused: {message}")
        elif staged.failed:
            result.ok.pop(application_id, None)
            result.failed[application_id] = next(iter(staged.failed.values()))
    return result


def stages_synced(uow: UnitOfWork, pushed: Mapping[str, ApplicationPush]) -> None:
    """LinkedIn holds these applications' stages now: never send them again."""
    uow.applications.mark_many_stages_synced(
        {application_id: list(push.stages) for application_id, push in pushed.items() if push.stages}
    )
