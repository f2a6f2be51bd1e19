"""1-click profile export: a LinkedIn member exported by a recruiter to a published ATS job.

Fetch the export, check it belongs to this tenant and targets a published job, keep only what the
integration promises (name, displayed location, current employers, member URN), create the candidate
or reuse the one already linked to that member, and apply them to the job once.

LinkedIn learns that the member is in the ATS (atsCandidates upsert carrying manualMatchedMember)
from the outbox: the import marks the candidate, and the next outbox sweep sends it together with
every other record due, up to 100 a call. One export thus costs LinkedIn one call (the GET), not
three, which matters against a budget of 100,000 calls a day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from linkedin.client import LinkedInClient
from linkedin.exports import ExportedCandidate
from rsc.logs import get_logger
from rsc.settings import get_settings
from schemas.ats import StageTransition
from schemas.linkedin import ExportRequested
from store.applications import Application
from store.base import to_ms, utcnow
from store.candidates import Candidate, CandidateOrigin
from store.exports import ExportRecord
from store.linkedin_sync import Resource
from store.uow import UnitOfWork
from workers.errors import PermanentError

log = get_logger(__name__)

CONSUMER = "profile_export"
#: Source recorded on candidates and applications an export creates.
EXPORT_SOURCE = "LinkedIn Recruiter (1-click export)"
_ID_NAMESPACE = uuid.UUID("0c8a1f43-55d4-4d0c-a0c3-71b0f5d6b0e2")


class JobNotFound(PermanentError):
    reason_code = "job_not_found"


class JobNotPublished(PermanentError):
    reason_code = "job_not_published"


class ForeignIntegrationContext(PermanentError):
    reason_code = "foreign_integration_context"


class ExportOutcome(StrEnum):
    CREATED = "created"
    LINKED = "linked"
    ALREADY_APPLIED = "already_applied"


@dataclass(frozen=True)
class ExportResult:
    outcome: ExportOutcome
    candidate_id: str
    application_id: str


def _derived_id(prefix: str, tenant: str, request_id: str) -> str:
    return f"{prefix}-{uuid.uuid5(_ID_NAMESPACE, f'{tenant}|{request_id}').hex[:24]}"


def handle_export_requested(
    event: ExportRequested, uow: UnitOfWork, linkedin: LinkedInClient
) -> ExportResult | None:
    """Import the export once; on every delivery make sure LinkedIn knows the member is in the ATS."""
    with uow:
        done = uow.exports.get(event.data.request_id)
        result = _result_of(done) if done else None
    if result is None:
        export = linkedin.exports.fetch(event.data.request_id)
        if export.integration_context != linkedin.org_urn:
            raise ForeignIntegrationContext(
                f"export {event.data.request_id!r} belongs to {export.integration_context!r}, not to "
                f"tenant {event.tenant!r} ({linkedin.org_urn!r}); it was not imported"
            )
        result = _apply(event, export, uow)
        if result is None:
            return None
    return result


def _result_of(record: ExportRecord) -> ExportResult:
    return ExportResult(ExportOutcome(record.outcome), record.candidate_id, record.application_id)


def _apply(event: ExportRequested, export: ExportedCandidate, uow: UnitOfWork) -> ExportResult | None:
    tenant, request_id, member = event.tenant, event.data.request_id, export.member
    with uow:
        claimed = uow.inbox.record(CONSUMER, event.source, event.id)
        done = uow.exports.get(request_id)
        if done is not None or not claimed:
            # A concurrent delivery, or another push of the same request, got here first.
            uow.commit()
            return _result_of(done) if done is not None else None
        job = uow.jobs.get(export.job_id)
        if job is None:
            raise JobNotFound(
                f"job {export.job_id!r} is not in the store; publish it (ats.job.published) and "
                f"replay this export"
            )
        if not job.is_published:
            raise JobNotPublished(
                f"job {export.job_id!r} is {job.state}, not published; publish it before exporting "
                f"candidates to it, then replay this export"
            )
        now = utcnow()
        candidate = uow.candidates.by_person_urn(member.person_urn)
        outcome = ExportOutcome.LINKED
        if candidate is None:
            outcome = ExportOutcome.CREATED
            employers = member.current_employers
            candidate = uow.candidates.add(
                Candidate(
                    id=_derived_id("li", tenant, request_id),
                    origin=CandidateOrigin.LINKEDIN_EXPORT,
                    first_name=member.first_name,
                    last_name=member.last_name,
                    location_text=member.location,
                    current_companies=employers,
                    current_company=employers[0] if employers else None,
                    person_urn=member.person_urn,
                    source=EXPORT_SOURCE,
                    created_at=now,
                    modified_at=now,
                    source_modified_ms=to_ms(now),
                    source_revision=0,
                )
            )
            uow.outbox.mark_changed(Resource.CANDIDATE, candidate.id)
            uow.outbox.mark_changed(Resource.CANDIDATE_MEMBER, candidate.id)
        application = uow.applications.for_candidate_and_job(candidate.id, job.id)
        if application is not None:
            outcome = ExportOutcome.ALREADY_APPLIED
        else:
            application = _new_application(uow, tenant, request_id, candidate.id, job.id)
        uow.exports.add(
            ExportRecord(
                request_id=request_id,
                push_id=event.data.push_id,
                job_id=job.id,
                candidate_id=candidate.id,
                application_id=application.id,
                outcome=outcome.value,
            )
        )
        uow.commit()
    log.info(
        "export imported",
        outcome=outcome.value,
        candidate_id=candidate.id,
        application_id=application.id,
        job_id=job.id,
        request_id=request_id,
    )
    return ExportResult(outcome, candidate.id, application.id)


def _new_application(
    uow: UnitOfWork, tenant: str, request_id: str, candidate_id: str, job_id: str
) -> Application:
    now = utcnow()
    status = get_settings().export_initial_status
    application = uow.applications.add(
        Application(
            id=_derived_id("li-app", tenant, request_id),
            candidate_id=candidate_id,
            job_id=job_id,
            status=status,
            source=EXPORT_SOURCE,
            origin=CandidateOrigin.LINKEDIN_EXPORT,
            created_at=now,
            modified_at=now,
            source_modified_ms=to_ms(now),
            source_revision=0,
        )
    )
    uow.applications.add_stage(
        application.id, StageTransition(transition_id=f"{application.id}-0", status=status, changed_at=now)
    )
    uow.outbox.mark_changed(Resource.APPLICATION, application.id)
    return application
