"""Drain the LinkedIn outbox: send the current state of dirty records in batches, then settle them.

Used by the export actor right after its commit (so the member shows as "in ATS" within seconds)
and by the status-push actor. Each resource has a builder (store rows -> LinkedIn bodies, or a
reason the record cannot be sent as it is) and a sender (one batch call per at most 100 records).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInRejected, LinkedInUnavailable
from linkedin.restli import BatchResult
from rsc.logs import get_logger
from rsc.settings import Settings
from store.base import to_ms
from store.candidates import Candidate
from store.linkedin_sync import Resource, SyncOutcome
from store.sync_ledger import Waiting
from store.tenants import tenant_syncs
from store.uow import UnitOfWork
from workers.ledger import hooks as ledger
from workers.shared.application_push import (
    WAIT_FOR_DEPENDENCY,
    build_applications,
    send_applications,
    stages_synced,
)
from workers.shared.job_acl_push import build_job_acls, job_acls_synced, send_job_acls
from workers.shared.job_push import build_jobs, postings_taken, send_jobs
from workers.shared.note_push import build_notes, send_notes

log = get_logger(__name__)

#: (bodies to send, {entity id: why it cannot be sent}, {entity id to retry later: what it waits for})
#: Entity id -> the body sent to LinkedIn.
Bodies = dict[str, Any]
Built = tuple[Bodies, dict[str, str], dict[str, Waiting]]
Builder = Callable[[UnitOfWork, Mapping[str, int], Settings], Built]
Sender = Callable[[LinkedInClient, Mapping[str, Any]], BatchResult]
#: Runs in the transaction that settles the records LinkedIn took (entity id -> what was sent).
AfterSync = Callable[[UnitOfWork, Mapping[str, Any]], None]
#: Runs in the same transaction with LinkedIn's answer and the version sent of each record it took.
AfterAnswer = Callable[[UnitOfWork, Mapping[str, tuple[Any, int]], Settings], None]


@dataclass
class PushReport:
    #: Records this push took from the outbox (sent, refused, skipped or deferred).
    claimed: int = 0
    sent: int = 0
    synced: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    #: Records waiting for one they depend on (a member link waits for its candidate).
    deferred: list[str] = field(default_factory=list)
    #: Requested records another push holds right now.
    held: list[str] = field(default_factory=list)
    #: Records LinkedIn failed transiently (429/5xx per entity); the next sweep retries them.
    failed: list[str] = field(default_factory=list)
    #: The tenant's integration is not enabled: nothing was claimed or sent.
    not_syncing: bool = False

    @property
    def complete(self) -> bool:
        return not (self.deferred or self.held or self.failed)


def _compact(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


def candidate_body(candidate: Candidate, settings: Settings) -> dict[str, Any]:
    """The full atsCandidates record: every field the store has, and nothing invented."""
    template = settings.ats_candidate_url_template
    profile_url = candidate.profile_url or (template.format(candidate_id=candidate.id) if template else None)
    companies = candidate.current_companies or []
    return _compact(
        {
            "firstName": candidate.first_name,
            "lastName": candidate.last_name,
            "middleInitial": candidate.middle_initial,
            "prefix": candidate.prefix,
            "suffix": candidate.suffix,
            "emailAddresses": list(candidate.emails or []),
            "phoneNumbers": [_compact(dict(p)) for p in candidate.phones or []],
            "addresses": [_address(a) for a in candidate.addresses or []],
            "currentCompanyName": candidate.current_company or (companies[0] if companies else None),
            "currentJobTitle": candidate.current_title,
            "externalProfileUrl": profile_url,
            "linkedInProfileUrl": candidate.linkedin_profile_url,
            "doNotContact": candidate.do_not_contact,
            # A PUT replaces the whole record: without the member link it would unlink the member.
            "manualMatchedMember": candidate.person_urn,
            "atsCreatedAt": to_ms(candidate.created_at),
            "atsLastModifiedAt": to_ms(candidate.modified_at),
        }
    )


def _address(address: Mapping[str, Any]) -> dict[str, Any]:
    return _compact(
        {
            "line1": address.get("line1"),
            "city": address.get("city"),
            "geographicArea": address.get("region"),
            "postalCode": address.get("postal_code"),
            "country": address.get("country"),
        }
    )


def _build_candidates(uow: UnitOfWork, claimed: Mapping[str, int], settings: Settings) -> Built:
    bodies: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    candidates = uow.candidates.many(claimed)
    for candidate_id in claimed:
        candidate = candidates.get(candidate_id)
        if candidate is None:
            invalid[candidate_id] = "the candidate no longer exists in the store"
        elif not candidate.first_name:
            invalid[candidate_id] = "LinkedIn requires firstName and the ATS record has none"
        else:
            bodies[candidate_id] = candidate_body(candidate, settings)
    return bodies, invalid, {}


def _build_member_links(uow: UnitOfWork, claimed: Mapping[str, int], settings: Settings) -> Built:
    bodies: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    later: dict[str, Waiting] = {}
    for candidate_id in claimed:
        candidate = uow.candidates.get(candidate_id)
        record = uow.outbox.state(Resource.CANDIDATE, candidate_id)
        if candidate is None:
            invalid[candidate_id] = "the candidate no longer exists in the store"
        elif record is not None and record.synced_version < record.version:
            # LinkedIn must hold the candidate before it can take the member link.
            later[candidate_id] = Waiting(
                "waiting_for_candidate_push", f"candidate {candidate_id!r} to reach LinkedIn"
            )
        else:
            bodies[candidate_id] = candidate.person_urn
    return bodies, invalid, later


BUILDERS: dict[Resource, Builder] = {
    Resource.CANDIDATE: _build_candidates,
    Resource.CANDIDATE_MEMBER: _build_member_links,
    Resource.JOB: build_jobs,
    Resource.JOB_ACL: build_job_acls,
    Resource.APPLICATION: build_applications,
    Resource.NOTE: build_notes,
}
SENDERS: dict[Resource, Sender] = {
    Resource.CANDIDATE: lambda li, bodies: li.candidates.upsert(bodies),
    Resource.CANDIDATE_MEMBER: lambda li, links: li.candidates.set_manual_match(links),
    Resource.JOB: send_jobs,
    Resource.JOB_ACL: send_job_acls,
    Resource.APPLICATION: send_applications,
    Resource.NOTE: send_notes,
}
AFTER_SYNC: dict[Resource, AfterSync] = {
    Resource.APPLICATION: stages_synced,
    Resource.JOB_ACL: job_acls_synced,
}
AFTER_ANSWER: dict[Resource, AfterAnswer] = {
    Resource.JOB: postings_taken,
}


def push_pending(
    uow: UnitOfWork,
    linkedin: LinkedInClient,
    resource: Resource,
    *,
    ids: Iterable[str] | None = None,
    limit: int = 100,
    quiet_for: timedelta = timedelta(0),
    max_wait: timedelta | None = None,
    within: ColumnElement[bool] | None = None,
    settings: Settings,
) -> PushReport:
    """Push one batch (at most ``limit``) of the due records of ``resource`` and settle them.

    What cannot be pushed now stays dirty in the outbox, where the outbox sweep finds it; the report
    says what and why. A call LinkedIn refused as a whole raises (``LinkedInUnavailable`` after the
    records were released for the next attempt, ``LinkedInRejected`` after they were marked refused).
    Nothing is sent while the tenant's integration is not enabled; ``within`` leaves out the records
    a historical sync has not reached (``store.backfill.Backfills.live_bounds``).
    """
    report = PushReport()
    wanted = list(ids) if ids is not None else None
    with uow:
        if not tenant_syncs(uow.session, uow.tenant):
            report.not_syncing = True
            return report
        claimed = uow.outbox.claim(
            resource,
            ids=wanted,
            limit=limit,
            quiet_for=quiet_for,
            max_wait=max_wait,
            lease=timedelta(seconds=settings.work_lease_s),
            within=within,
        )
        if wanted is not None:
            report.held = sorted(uow.outbox.dirty_ids(resource, wanted) - set(claimed))
        if not claimed:
            return report
        report.claimed = len(claimed)
        bodies = _build(uow, resource, claimed, report, settings)
        uow.commit()
    if not bodies:
        return report
    result = _send(uow, linkedin, resource, claimed, bodies)
    report.sent = len(bodies)
    _settle_sent(uow, resource, claimed, bodies, result, report=report, settings=settings)
    log.info(
        "pushed to linkedin",
        resource=resource.value,
        records=len(bodies),
        count=len(result.ok),
        failed_keys=len(result.failed),
    )
    return report


def _build(
    uow: UnitOfWork, resource: Resource, claimed: Mapping[str, int], report: PushReport, settings: Settings
) -> Bodies:
    """The bodies of the claimed records; the invalid ones settled as refused, the ones waiting for a
    record they depend on released for later."""
    bodies, invalid, later = BUILDERS[resource](uow, claimed, settings)
    for entity_id, reason in invalid.items():
        uow.outbox.settle(
            resource, {entity_id: claimed[entity_id]}, outcome=SyncOutcome.REJECTED, error=reason
        )
    report.rejected.update(invalid)
    ledger.refused(uow, resource, invalid)
    if later:
        uow.outbox.release(
            resource, later, error="waiting for a record it depends on", retry_in=WAIT_FOR_DEPENDENCY
        )
        report.deferred.extend(sorted(later))
    ledger.waiting(uow, resource, later, settings=settings)
    return bodies


def _send(
    uow: UnitOfWork, linkedin: LinkedInClient, resource: Resource, claimed: Mapping[str, int], bodies: Bodies
) -> BatchResult:
    """Send the bodies; a call refused as a whole releases them (unavailable) or refuses them, and raises."""
    try:
        return SENDERS[resource](linkedin, bodies)
    except LinkedInUnavailable:
        with uow:
            uow.outbox.release(resource, bodies, error="LinkedIn unavailable")
            uow.commit()
        raise
    except LinkedInRejected as exc:
        with uow:
            pushed = {k: claimed[k] for k in bodies}
            uow.outbox.settle(resource, pushed, outcome=SyncOutcome.REJECTED, error=str(exc))
            ledger.refused(
                uow, resource, dict.fromkeys(pushed, f"LinkedIn refused the call ({exc.status}): {exc}")
            )
            uow.commit()
        raise


def _settle_sent(
    uow: UnitOfWork,
    resource: Resource,
    claimed: Mapping[str, int],
    bodies: Bodies,
    result: BatchResult,
    *,
    report: PushReport,
    settings: Settings,
) -> None:
    """Settle what LinkedIn took and refused; release what it failed transiently for the next sweep."""
    with uow:
        uow.outbox.settle(resource, {k: claimed[k] for k in result.ok})
        if resource in AFTER_SYNC and result.ok:
            AFTER_SYNC[resource](uow, {k: bodies[k] for k in result.ok})
        if resource in AFTER_ANSWER and result.ok:
            answers = {k: (answer, claimed[k]) for k, answer in result.ok.items()}
            AFTER_ANSWER[resource](uow, answers, settings)
        for entity_id, (status, message) in result.rejected.items():
            error = f"LinkedIn refused the record ({status}): {message}"
            uow.outbox.settle(
                resource, {entity_id: claimed[entity_id]}, outcome=SyncOutcome.REJECTED, error=error
            )
            report.rejected[entity_id] = error
        ledger.pushed(uow, resource, result)
        if result.failed:
            uow.outbox.release(resource, result.failed, error="LinkedIn failed transiently")
        uow.commit()
    report.synced.extend(result.ok)
    report.failed.extend(sorted(result.failed))
