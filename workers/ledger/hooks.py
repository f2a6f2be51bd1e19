"""Writing the sync ledger (``store.sync_ledger``): one call from each handler and from the push.

Every function here runs inside the caller's transaction, so an entry is committed with the effect it
describes or not at all. The entries are written when the transaction commits, all in one statement
(``store.sync_ledger.SyncLedger.add``): a handler's one entry, a group commit's entries of many
application events, a push's entries of its whole batch. A record refused (by LinkedIn, or by the
check of what LinkedIn requires) logs one warning line, with its id and reason code, never personal
data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from linkedin.restli import BatchResult
from rsc.logs import get_logger
from rsc.settings import Settings
from schemas.envelope import Event
from store.applications import ApplicationChange
from store.base import utcnow
from store.linkedin_sync import Resource
from store.sync_ledger import ProblemKind, RecordType, Step, SyncLedger, Waiting, entry
from store.tenants import Tenants
from store.uow import UnitOfWork

log = get_logger(__name__)

#: The record a push of each outbox resource is about.
RECORD_TYPES = {
    Resource.JOB: RecordType.JOB,
    Resource.CANDIDATE: RecordType.CANDIDATE,
    Resource.CANDIDATE_MEMBER: RecordType.CANDIDATE,
    Resource.APPLICATION: RecordType.APPLICATION,
    Resource.NOTE: RecordType.NOTE,
    Resource.JOB_ACL: RecordType.JOB,
}
#: The LinkedIn call a push of each resource makes.
CALLS = {
    Resource.JOB: "simpleJobPostings batch upsert",
    Resource.CANDIDATE: "atsCandidates batch upsert",
    Resource.CANDIDATE_MEMBER: "atsCandidates manualMatchedMember update",
    Resource.APPLICATION: "atsApplications batch upsert, then its stages",
    Resource.NOTE: "notes batch upsert under the parent",
    Resource.JOB_ACL: "atsEntityAcls and atsEntityAclAssignees batch update and delete",
}
#: Reason codes of the refusals the pipeline finds itself, by a phrase of their reason.
_REFUSAL_CODES = (
    ("no longer exists in the store", "record_missing"),
    ("has no description", "missing_description"),
    ("has no location LinkedIn accepts", "missing_location"),
    ("has a title of", "title_too_long"),
    ("firstName", "missing_first_name"),
    ("was not accepted by LinkedIn", "parent_refused"),
    ("LinkedIn refused", "linkedin_refused"),
)


def refusal_code(reason: str) -> str:
    """The reason code of a refusal's reason text (``missing_description``)."""
    return next((code for phrase, code in _REFUSAL_CODES if phrase in reason), "refused")


# handlers


def event_applied(
    uow: UnitOfWork,
    record_type: RecordType,
    record_id: str,
    event: Event,
    changed: bool,
    *,
    about: Mapping[str, str | None] | None = None,
    detail: str | None = None,
) -> None:
    """An event about the record was received and stored (``changed``) or ignored as older."""
    step = Step.STORED if changed else Step.IGNORED
    uow.ledger.add(
        [
            entry(
                uow.tenant,
                record_type,
                record_id,
                step,
                about=about,
                event_id=event.id,
                event_source=event.source,
                event_time=event.time,
                detail=detail
                or (f"{event.type} stored" if changed else f"{event.type} older than the stored state"),
            )
        ]
    )


def application_event(uow: UnitOfWork, event: Any, change: ApplicationChange | None) -> None:
    """An application event that was not a repeat: stored, a new status recorded, or ignored."""
    if change is None or change.erased:  # a repeat, or deleted since: nothing of it is kept
        return
    data = event.data
    if change.changed or change.new_stage:
        detail = f"{event.type} stored" + (" with a new status" if change.new_stage else "")
    else:
        detail = None
    event_applied(
        uow,
        RecordType.APPLICATION,
        data.application_id,
        event,
        change.changed or change.new_stage,
        about={"application_id": data.application_id, "candidate_id": data.candidate_id},
        detail=detail,
    )


def export_imported(
    uow: UnitOfWork, event: Event, request_id: str, outcome: str, *, candidate_id: str, application_id: str
) -> None:
    """A 1-click export imported: the export's entry, and the candidate's and application's it made."""
    about = {"candidate_id": candidate_id, "application_id": application_id}
    made: dict[str, Any] = {"event_id": event.id, "event_source": event.source, "event_time": event.time}
    rows = [
        entry(
            uow.tenant,
            RecordType.EXPORT,
            request_id,
            Step.STORED,
            about=about,
            detail=f"imported ({outcome}): candidate {candidate_id!r}, application {application_id!r}",
            **made,
        )
    ]
    if outcome == "created":
        rows.append(entry(uow.tenant, RecordType.CANDIDATE, candidate_id, Step.STORED, about=about,
                          detail=f"created by export {request_id!r}", **made))  # fmt: skip
    if outcome != "already_applied":
        rows.append(entry(uow.tenant, RecordType.APPLICATION, application_id, Step.STORED, about=about,
                          detail=f"created by export {request_id!r}", **made))  # fmt: skip
    uow.ledger.add(rows)


#: The record an event is about: its type and the data field holding its id, by event family prefix.
_EVENT_RECORDS = (
    ("ats.job.", RecordType.JOB, "job_id"),
    ("ats.candidate.note", RecordType.NOTE, "note_id"),
    ("ats.candidate.", RecordType.CANDIDATE, "candidate_id"),
    ("ats.application.", RecordType.APPLICATION, "application_id"),
    ("linkedin.export.", RecordType.EXPORT, "request_id"),
    ("linkedin.inmail.", RecordType.INMAIL, "event_id"),
)


def dead_lettered(session: Session, event: object, *, tenant: str | None, code: str, reason: str) -> None:
    """A message about a record was dead-lettered: the record's ledger says so, with the reason (in
    the transaction that records the dead letter). Nothing is entered for a tenant that does not exist."""
    if not isinstance(event, dict) or not tenant or code == "unknown_tenant":
        return
    kind, data = event.get("type"), event.get("data")
    if not isinstance(kind, str) or not isinstance(data, dict):
        return
    found = next(((t, f) for prefix, t, f in _EVENT_RECORDS if kind.startswith(prefix)), None)
    record_id = data.get(found[1]) if found else None
    if found is None or not isinstance(record_id, str) or not 0 < len(record_id) <= 200:
        return
    if Tenants(session).get(tenant) is None:
        return
    about = {
        k: v
        for k in ("candidate_id", "application_id")
        if isinstance(v := data.get(k), str) and len(v) <= 200
    }
    event_id, source = event.get("id"), event.get("source")
    SyncLedger(session, tenant).add(
        [
            entry(
                tenant,
                found[0],
                record_id,
                Step.DEAD_LETTERED,
                about=about,
                event_id=event_id if isinstance(event_id, str) and len(event_id) <= 200 else None,
                event_source=source if isinstance(source, str) and len(source) <= 500 else None,
                detail=f"{reason} (rsc dlq list --tenant {tenant} --reason {code})",
                reason_code=code[:48],
            )
        ]
    )


# pushes


def _about(uow: UnitOfWork, resource: Resource, ids: list[str]) -> dict[str, dict[str, str | None]]:
    """Whom each record concerns (for the erasure)."""
    if resource in (Resource.CANDIDATE, Resource.CANDIDATE_MEMBER):
        return {i: {"candidate_id": i} for i in ids}
    if resource is Resource.APPLICATION:
        return {i: {"application_id": i} for i in ids}
    if resource is Resource.NOTE and ids:
        notes = uow.ats_notes.many(ids)
        return {
            i: {"candidate_id": n.candidate_id, "application_id": n.application_id} for i, n in notes.items()
        }
    return {}


def refused(
    uow: UnitOfWork, resource: Resource, reasons: Mapping[str, str], *, call: str | None = None
) -> None:
    """Records refused (``reasons``: record id -> why): one entry, one problem, one warning line each."""
    if not reasons:
        return
    record_type = RECORD_TYPES[resource]
    about = _about(uow, resource, list(reasons))
    rows, problems = [], []
    for record_id, reason in reasons.items():
        code = refusal_code(reason)
        whom = about.get(record_id, {})
        rows.append(
            entry(
                uow.tenant,
                record_type,
                record_id,
                Step.REFUSED,
                about=whom,
                call=call,
                detail=reason,
                reason_code=code,
            )
        )
        if code != "record_missing":  # gone from the store: nothing left to fix
            problems.append(
                problem_row(resource, record_id, ProblemKind.REFUSED, code=code, detail=reason, about=whom)
            )
        log.warning(
            "record refused",
            record_type=record_type.value,
            record_id=record_id,
            resource=resource.value,
            reason_code=code,
        )
    uow.ledger.add(rows)
    uow.ledger.clear_problems(
        resource.value, [i for i, r in reasons.items() if refusal_code(r) == "record_missing"]
    )
    uow.ledger.set_problems(problems)


def waiting(uow: UnitOfWork, resource: Resource, later: Mapping[str, Waiting], *, settings: Settings) -> None:
    """Records waiting for another one: an entry when a wait starts, another (and a warning line)
    when it outlasts ``RSC_DEPENDENCY_WAIT_S`` and becomes a problem. Retries in between write nothing."""
    if not later:
        return
    record_type = RECORD_TYPES[resource]
    known = uow.ledger.problems_of(resource.value, later)
    overdue_after = timedelta(seconds=settings.dependency_wait_s)
    now = utcnow()
    rows, problems = [], []
    fresh = [i for i, w in later.items() if (p := known.get(i)) is None or p.reason_code != w.code]
    about = _about(uow, resource, fresh)
    for record_id in fresh:
        wait = later[record_id]
        whom = about.get(record_id, {})
        detail = f"waiting for {wait.what}"
        rows.append(
            entry(
                uow.tenant,
                record_type,
                record_id,
                Step.WAITING,
                about=whom,
                detail=detail,
                reason_code=wait.code,
            )
        )
        problems.append(
            problem_row(resource, record_id, ProblemKind.WAITING, code=wait.code, detail=detail, about=whom)
        )
    for record_id, problem in known.items():
        if record_id in fresh or problem.overdue or now - problem.since < overdue_after:
            continue
        problem.overdue = True
        waited = int((now - problem.since).total_seconds())
        rows.append(
            entry(
                uow.tenant,
                record_type,
                record_id,
                Step.OVERDUE,
                about={"candidate_id": problem.candidate_id, "application_id": problem.application_id},
                detail=f"{problem.detail} for {waited} s (over RSC_DEPENDENCY_WAIT_S); sent once it can be",
                reason_code=problem.reason_code,
            )
        )
        log.warning(
            "record waiting too long",
            record_type=record_type.value,
            record_id=record_id,
            reason_code=problem.reason_code,
            waited_s=waited,
        )
    uow.ledger.add(rows)
    uow.ledger.set_problems(problems)


def skipped(uow: UnitOfWork, resource: Resource, record_id: str, reason: str) -> None:
    """Nothing to send for the record in its state (a draft job)."""
    uow.ledger.add([entry(uow.tenant, RECORD_TYPES[resource], record_id, Step.SKIPPED, detail=reason)])
    uow.ledger.clear_problems(resource.value, [record_id])  # a refusal of an earlier state is over


def pushed(uow: UnitOfWork, resource: Resource, result: BatchResult) -> None:
    """What LinkedIn answered for each record of a batch: taken (its problem, if any, is over) or
    refused with its reason. Records LinkedIn failed transiently are tried again and not entered."""
    call = CALLS[resource]
    record_type = RECORD_TYPES[resource]
    ok = list(result.ok)
    about = _about(uow, resource, ok)
    uow.ledger.add(
        [
            entry(
                uow.tenant,
                record_type,
                record_id,
                Step.PUSHED,
                about=about.get(record_id),
                call=call,
                detail=_answer(answer),
            )
            for record_id, answer in result.ok.items()
        ]
    )
    uow.ledger.clear_problems(resource.value, ok)
    refused(
        uow,
        resource,
        {
            i: f"LinkedIn refused the record ({status}): {message}"
            for i, (status, message) in result.rejected.items()
        },
        call=call,
    )


def _answer(answer: Any) -> str:
    status = answer.get("status") if isinstance(answer, Mapping) else None
    if isinstance(status, int) and not isinstance(status, bool):
        return f"LinkedIn answered {status}"
    if isinstance(answer, str) and answer:
        return f"LinkedIn accepted it ({answer[:200]})"
    return "LinkedIn accepted it"


def problem_row(
    resource: Resource,
    record_id: str,
    kind: ProblemKind,
    *,
    code: str,
    detail: str,
    about: Mapping[str, str | None],
) -> dict[str, Any]:
    return {
        "resource": resource.value,
        "record_id": record_id,
        "record_type": RECORD_TYPES[resource].value,
        "kind": kind.value,
        "reason_code": code,
        "detail": detail,
        "since": utcnow(),
        "overdue": False,
        "candidate_id": about.get("candidate_id"),
        "application_id": about.get("application_id"),
    }
