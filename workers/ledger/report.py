"""Reading the sync ledger: one record's timeline, and a tenant's problems grouped by reason with the fix.

What ``rsc sync show``, ``rsc sync problems``, the ATS API (``ingress.sync_views``) and the metrics
read. Problems are of three kinds: records refused (by LinkedIn, or by the check of what LinkedIn
requires), records waiting for one they need for longer than ``RSC_DEPENDENCY_WAIT_S``, and records
stuck: not in sync for that long for another reason (LinkedIn failing, the integration not enabled).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rsc.settings import Settings
from store.base import utcnow
from store.linkedin_sync import Resource, SyncState
from store.sync_ledger import LedgerEntry, ProblemKind, RecordType, SyncProblem, problem_counts
from store.tenants import syncing_tenant_ids, tenant_syncs
from store.tombstones import Subject
from store.uow import UnitOfWork

#: What to do about each reason a record does not sync.
FIXES = {
    "missing_description": "add the job's description in the ATS; the job is sent again with that change",
    "missing_location": "give the job a city with a region or country, or a country code with a postal "
    "code, in the ATS",
    "title_too_long": "shorten the job's title to 200 characters in the ATS",
    "missing_first_name": "add the candidate's first name in the ATS; the candidate and its applications "
    "follow",
    "parent_refused": "fix the candidate or application the note belongs to (see its own problem)",
    "record_missing": "nothing: the record was deleted from the store before it could be sent",
    "linkedin_refused": "read LinkedIn's reason (rsc sync show TYPE ID), correct the record in the ATS; "
    "it is sent again with that change",
    "refused": "read the reason (rsc sync show TYPE ID) and correct the record in the ATS",
    "waiting_for_job": "publish the job from the ATS (ats.job.published); the application follows",
    "waiting_for_candidate": "publish the candidate from the ATS (ats.candidate.created); the application "
    "follows",
    "waiting_for_job_push": "the job has not reached LinkedIn: look at the job's own problem",
    "waiting_for_candidate_push": "the candidate has not reached LinkedIn: look at the candidate's problem",
    "waiting_for_parent_push": "the note's candidate or application has not reached LinkedIn: look at "
    "its problem",
    "linkedin_unavailable": "LinkedIn keeps failing (429/5xx): nothing to do but wait; see "
    "rsc_linkedin_* metrics and LinkedIn's status",
    "integration_not_enabled": "the customer must enable the integration in Recruiter (rsc tenant show "
    "TENANT); records are sent once it is",
    "not_pushed": "no outbox sweep sent it: check that the scheduler and the status_push workers run",
    "job_posting_failed": "read LinkedIn's reason (rsc sync show job ID), correct the job in the ATS; it "
    "is posted again with that change",
    "job_posting_unconfirmed": "LinkedIn never finished the posting's task: change the job in the ATS "
    "(or replay its last event) to post it again; if it recurs, ask LinkedIn about the task",
}


@dataclass
class Timeline:
    record_type: RecordType
    record_id: str
    entries: list[LedgerEntry]
    #: Where the record stands with LinkedIn (from the outbox), or None when it has no outbox row.
    state: dict[str, Any] | None
    problem: SyncProblem | None
    #: When the record was erased with its candidate (its entries went with it), else None.
    erased_at: datetime | None = None
    receipt_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        problem = self.problem
        return {
            "type": self.record_type.value,
            "id": self.record_id,
            "state": self.state,
            "problem": None if problem is None else problem_json(problem),
            "erased_at": self.erased_at,
            "deletion_receipt": self.receipt_id,
            "entries": [entry_json(e) for e in self.entries],
        }


def entry_json(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "step": entry.step,
        "event_id": entry.event_id,
        "event_source": entry.event_source,
        "event_time": entry.event_time,
        "call": entry.call,
        "detail": entry.detail,
        "reason_code": entry.reason_code,
    }


def problem_json(problem: SyncProblem) -> dict[str, Any]:
    return {
        "type": problem.record_type,
        "id": problem.record_id,
        "resource": problem.resource,
        "kind": problem.kind,
        "reason_code": problem.reason_code,
        "detail": problem.detail,
        "since": problem.since,
        "fix": FIXES.get(problem.reason_code, FIXES["refused"]),
    }


#: The outbox resources of each record type (a candidate's member link is pushed on its own).
RESOURCES = {
    RecordType.JOB: (Resource.JOB, Resource.JOB_ACL),
    RecordType.CANDIDATE: (Resource.CANDIDATE, Resource.CANDIDATE_MEMBER),
    RecordType.APPLICATION: (Resource.APPLICATION,),
    RecordType.NOTE: (Resource.NOTE,),
    RecordType.EXPORT: (),
    RecordType.INMAIL: (),
}
_ERASED = {RecordType.CANDIDATE: Subject.CANDIDATE, RecordType.APPLICATION: Subject.APPLICATION}


class RecordNotFound(LookupError):
    """No record of that type and id (or id prefix) has a ledger, an outbox row or a tombstone."""


def resolve(uow: UnitOfWork, record_type: RecordType, given: str) -> str:
    """The record id ``given`` names: itself if it has entries, else the one id it is a prefix of."""
    if uow.ledger.timeline(record_type, given, limit=1) or _outbox(uow, record_type, given):
        return given
    ids = uow.ledger.ids_starting(record_type, given)
    if len(ids) == 1:
        return ids[0]
    if len(ids) > 1:
        shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        raise RecordNotFound(
            f"{len(ids)} {record_type.value}s start with {given!r} ({shown}); give more of the id"
        )
    return given


def timeline(uow: UnitOfWork, record_type: RecordType, record_id: str) -> Timeline:
    """The record's timeline (inside ``uow``); RecordNotFound when nothing at all is known of it."""
    entries = uow.ledger.timeline(record_type, record_id)
    states = _outbox(uow, record_type, record_id)
    problems = [
        p
        for r in RESOURCES[record_type]
        if (p := uow.ledger.problems_of(r.value, [record_id]).get(record_id))
    ]
    result = Timeline(record_type, record_id, entries, _state(states), problems[0] if problems else None)
    subject = _ERASED.get(record_type)
    tombstone = uow.tombstones.get(subject, record_id) if subject is not None else None
    if tombstone is not None:
        result.erased_at, result.receipt_id = tombstone.erased_at, tombstone.receipt_id
    if not entries and not states and tombstone is None:
        raise RecordNotFound(
            f"no {record_type.value} {record_id!r} in tenant {uow.tenant!r}: no event about it was received "
            f"(or its entries are older than RSC_SYNC_LEDGER_RETENTION_DAYS)"
        )
    return result


def _outbox(uow: UnitOfWork, record_type: RecordType, record_id: str) -> list[SyncState]:
    return [s for r in RESOURCES[record_type] if (s := uow.outbox.state(r, record_id)) is not None]


def _state(states: list[SyncState]) -> dict[str, Any] | None:
    if not states:
        return None
    record = states[0]
    dirty = any(s.version > s.synced_version for s in states)
    return {
        "in_sync": not dirty and record.last_outcome == "ok",
        "last_outcome": record.last_outcome,
        "last_error": record.last_error,
        "changed_at": record.changed_at,
        "not_sent_since": min((s.dirty_since for s in states if s.dirty_since), default=None),
    }


@dataclass
class ProblemGroup:
    kind: str
    reason_code: str
    fix: str
    records: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reason_code": self.reason_code,
            "fix": self.fix,
            "count": len(self.records),
            "records": self.records,
        }


def problems(uow: UnitOfWork, *, settings: Settings) -> list[ProblemGroup]:
    """The tenant's refused, overdue and stuck records, grouped by (kind, reason), largest first."""
    groups: dict[tuple[str, str], ProblemGroup] = {}
    for problem in uow.ledger.problems():
        key = (problem.kind, problem.reason_code)
        group = groups.setdefault(key, ProblemGroup(*key, FIXES.get(key[1], FIXES["refused"])))
        group.records.append(
            {
                "type": problem.record_type,
                "id": problem.record_id,
                "since": problem.since,
                "detail": problem.detail,
            }
        )
    known = {(p.resource, p.record_id) for p in uow.ledger.problems(waiting_too=True)}
    syncing = tenant_syncs(uow.session, uow.tenant)
    for state in _stuck(uow.session, uow.tenant, settings=settings):
        if (state.resource, state.entity_id) in known:
            continue
        code = stuck_reason(state, syncing=syncing)
        group = groups.setdefault(
            (ProblemKind.STUCK.value, code), ProblemGroup(ProblemKind.STUCK.value, code, FIXES[code])
        )
        record_type = "candidate" if state.resource == Resource.CANDIDATE_MEMBER.value else state.resource
        group.records.append(
            {
                "type": record_type,
                "id": state.entity_id,
                "since": state.dirty_since,
                "detail": state.last_error,
            }
        )
    return sorted(groups.values(), key=lambda g: (-len(g.records), g.kind, g.reason_code))


def stuck_reason(state: SyncState, *, syncing: bool) -> str:
    if not syncing:
        return "integration_not_enabled"
    if state.last_error and "LinkedIn" in state.last_error:
        return "linkedin_unavailable"
    return "not_pushed"


def _stuck(session: Session, tenant: str | None, *, limit: int = 1000, settings: Settings) -> list[SyncState]:
    """Records not in sync for longer than ``RSC_DEPENDENCY_WAIT_S`` (oldest first)."""
    cutoff = utcnow() - timedelta(seconds=settings.dependency_wait_s)
    stmt = select(SyncState).where(SyncState.dirty_since.is_not(None), SyncState.dirty_since < cutoff)
    if tenant is not None:
        stmt = stmt.where(SyncState.tenant_id == tenant)
    return list(session.scalars(stmt.order_by(SyncState.dirty_since).limit(limit)))


def problem_gauge_values(session: Session, settings: Settings) -> Counter[tuple[str, str, str]]:
    """Every tenant's problems counted by (tenant, kind, reason code), for the metrics (operator
    session; stuck records with a refusal or a wait of their own are counted under that)."""
    counts: Counter[tuple[str, str, str]] = Counter(problem_counts(session))
    cutoff = utcnow() - timedelta(seconds=settings.dependency_wait_s)
    syncing = syncing_tenant_ids(session)
    rows = session.execute(
        select(SyncState.tenant_id, SyncState.last_error, func.count())
        .outerjoin(
            SyncProblem,
            (SyncProblem.tenant_id == SyncState.tenant_id)
            & (SyncProblem.resource == SyncState.resource)
            & (SyncProblem.record_id == SyncState.entity_id),
        )
        .where(SyncState.dirty_since < cutoff, SyncProblem.record_id.is_(None))
        .group_by(SyncState.tenant_id, SyncState.last_error)
    )
    for tenant, last_error, count in rows:
        probe = SyncState(last_error=last_error)
        counts[(tenant, ProblemKind.STUCK.value, stuck_reason(probe, syncing=tenant in syncing))] += int(
            count
        )
    return counts
