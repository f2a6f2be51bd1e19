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
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from linkedin.client import LinkedInClient
from linkedin.exports import ExportedCandidate, ExportedMember
from rsc.errors import PermanentError
from rsc.logs import get_logger
from rsc.metrics import EXPORTS
from rsc.settings import Settings
from schemas.ats import JobState, StageTransition
from schemas.linkedin import ExportRequested
from store.base import to_ms, utcnow
from store.candidates import CandidateOrigin
from store.exports import ExportContext, ImportRows
from store.linkedin_sync import Resource
from store.tombstones import Subject
from store.uow import UnitOfWork
from workers.ledger import hooks as ledger
from workers.shared.member_claims import claim_for_linkedin
from workers.shared.member_observations import export_observation

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
    event: ExportRequested, uow: UnitOfWork, linkedin: LinkedInClient, *, settings: Settings
) -> ExportResult | None:
    """Import the export once. A redelivered event changes nothing and returns the first result."""
    export = linkedin.exports.fetch(event.data.request_id)
    if export.integration_context != linkedin.org_urn:
        raise ForeignIntegrationContext(
            f"export {event.data.request_id!r} belongs to {export.integration_context!r}, not to "
            f"tenant {event.tenant!r} ({linkedin.org_urn!r}); it was not imported"
        )
    return import_export(event, export, uow, settings=settings)


def import_export(
    event: ExportRequested, export: ExportedCandidate, uow: UnitOfWork, *, settings: Settings
) -> ExportResult | None:
    """Import an export already fetched from LinkedIn. One transaction of three statements on
    PostgreSQL: the inbox claim (with the member's tombstone lock), one read of everything needed
    (the member's tombstone too), then the writes; a fourth when it makes a candidate (its claim
    of the member)."""
    request_id, member = event.data.request_id, export.member
    with uow:
        guard = uow.tombstones.guard(Subject.MEMBER, member.person_urn)
        claimed = uow.inbox.record(CONSUMER, event.source, event.id, guards=[guard])
        context = uow.exports.context(
            request_id=request_id, job_id=export.job_id, person_urn=member.person_urn, guard=guard
        )
        if context.recorded is not None or not claimed:
            # A redelivery, a concurrent delivery, or another push of the same request got here first.
            uow.commit()
            EXPORTS.labels(outcome="duplicate").inc()
            if context.recorded is None:
                return None
            outcome, candidate_id, application_id = context.recorded
            return ExportResult(ExportOutcome(outcome), candidate_id, application_id)
        if context.member_erased_since(_exported_at(event, export)):
            uow.commit()  # exported before the member was erased with their candidate: stays erased
            log.info("export older than a deletion ignored", request_id=request_id)
            return None
        _check_job(context, export)
        rows, result = _import_rows(event, export, context, uow, settings=settings)
        uow.exports.write(rows)
        if rows.candidate is not None:
            # The new candidate is the member's: the store refuses a second one (store.member_claims).
            claim_for_linkedin(uow, member.person_urn, result.candidate_id)
        ledger.export_imported(
            uow,
            event,
            request_id,
            result.outcome.value,
            candidate_id=result.candidate_id,
            application_id=result.application_id,
        )
        uow.commit()
    EXPORTS.labels(outcome=result.outcome.value).inc()
    log.info(
        "export imported",
        outcome=result.outcome.value,
        candidate_id=result.candidate_id,
        application_id=result.application_id,
        job_id=export.job_id,
        request_id=request_id,
    )
    return result


def _check_job(context: ExportContext, export: ExportedCandidate) -> None:
    """Candidates are exported only to a job the store holds as published."""
    if context.job_state is None:
        raise JobNotFound(
            f"job {export.job_id!r} is not in the store; publish it (ats.job.published) and "
            f"replay this export"
        )
    if context.job_state != JobState.PUBLISHED:
        raise JobNotPublished(
            f"job {export.job_id!r} is {context.job_state}, not published; publish it before exporting "
            f"candidates to it, then replay this export"
        )


def _import_rows(
    event: ExportRequested,
    export: ExportedCandidate,
    context: ExportContext,
    uow: UnitOfWork,
    *,
    settings: Settings,
) -> tuple[ImportRows, ExportResult]:
    """The rows an export writes: a candidate unless it is linked already, an application unless it
    applied already, the export's record and what it teaches about the member."""
    tenant, request_id, member = event.tenant, event.data.request_id, export.member
    now = utcnow()
    changed: list[tuple[Resource, str]] = []
    outcome = ExportOutcome.LINKED
    candidate: dict[str, Any] | None = None
    candidate_id = context.candidate_id or _derived_id("li", tenant, request_id)
    if context.candidate_id is None:
        outcome = ExportOutcome.CREATED
        candidate = _new_candidate(candidate_id, member, now)
        changed += [(Resource.CANDIDATE, candidate_id), (Resource.CANDIDATE_MEMBER, candidate_id)]
    application: dict[str, Any] | None = None
    stage: dict[str, Any] | None = None
    application_id = context.application_id or _derived_id("li-app", tenant, request_id)
    if context.application_id is not None:
        outcome = ExportOutcome.ALREADY_APPLIED
    else:
        application, transition = _new_application(
            application_id, candidate_id, export.job_id, now, settings=settings
        )
        stage = uow.applications.stage_row(application_id, transition)
        changed.append((Resource.APPLICATION, application_id))
    rows = ImportRows(
        record={
            "request_id": request_id,
            "push_id": event.data.push_id,
            "job_id": export.job_id,
            "candidate_id": candidate_id,
            "application_id": application_id,
            "outcome": outcome.value,
        },
        candidate=candidate,
        application=application,
        stage=stage,
        changed=changed,
        # What LinkedIn showed of the member feeds profile matching (other candidates may be them).
        member=export_observation(export),
    )
    return rows, ExportResult(outcome, candidate_id, application_id)


def _exported_at(event: ExportRequested, export: ExportedCandidate) -> datetime:
    at_ms = export.exported_at_ms if export.exported_at_ms is not None else to_ms(event.data.notified_at)
    return datetime.fromtimestamp(at_ms / 1000, UTC)


def _new_candidate(candidate_id: str, member: ExportedMember, now: datetime) -> dict[str, Any]:
    employers = member.current_employers
    return {
        "id": candidate_id,
        "origin": CandidateOrigin.LINKEDIN_EXPORT.value,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "location_text": member.location,
        "current_companies": employers,
        "current_company": employers[0] if employers else None,
        "person_urn": member.person_urn,
        "source": EXPORT_SOURCE,
        "created_at": now,
        "modified_at": now,
        "source_modified_ms": to_ms(now),
        "source_revision": 0,
    }


def _new_application(
    application_id: str, candidate_id: str, job_id: str, now: datetime, *, settings: Settings
) -> tuple[dict[str, Any], StageTransition]:
    status = settings.export_initial_status
    application = {
        "id": application_id,
        "candidate_id": candidate_id,
        "job_id": job_id,
        "status": status,
        "source": EXPORT_SOURCE,
        "origin": CandidateOrigin.LINKEDIN_EXPORT.value,
        "created_at": now,
        "modified_at": now,
        "source_modified_ms": to_ms(now),
        "source_revision": 0,
    }
    return application, StageTransition(transition_id=f"{application_id}-0", status=status, changed_at=now)
