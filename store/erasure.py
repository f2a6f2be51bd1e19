"""Erasure: everything of a deleted candidate goes from the store, in one transaction, but a tombstone.

A candidate deleted in the ATS takes with it, from every table that holds anything of the person:

- the candidate and the LinkedIn-made candidates merged into it (same person), their e-mail index,
  match rows, match history and blocking keys, their applications with their stage history, and
  the exports log rows that link LinkedIn request ids to them;
- the LinkedIn member(s) they are: the candidate's person URN, and the member the matcher or LinkedIn
  linked it to unless another candidate is that member. With a member go its member record and keys,
  its InMail messages, its InMail stubs (contact details and consent), its prospect notes and the
  reply notifications about them;
- the merge records that involve the candidate (they copy its fields);
- every mention of the erased members in other candidates' match rows and history;
- the outbox rows that would push any of it to LinkedIn again;
- the sync ledger's entries and problems about any of it (``store.sync_ledger``, by their columns);
- the candidate's name on purge notices (the notice is closed: the customer decided).

What stays is a tombstone per candidate, application and member (``store.tombstones``), and the
deletion receipt. A push of these records that may still be in flight is detected here (its outbox
row is leased), so the LinkedIn deletes wait until it has certainly ended; how long a push can run
(``push_window``) is the caller's to say. The deletion cascade (``workers.deletion_cascade``) calls
these functions and sends the LinkedIn deletes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, delete, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from store.applications import Application, ApplicationStage
from store.base import utcnow
from store.candidate_matches import CandidateMatch, MatchHistory
from store.candidate_merges import CandidateMerge
from store.candidates import Candidate, CandidateEmail
from store.exports import ExportRecord
from store.inmails import InMailRecord
from store.linkedin_sync import Resource, SyncState
from store.mail_stubs import MailStubRecord
from store.match_keys import CandidateKey, MemberKey
from store.members import Member
from store.note_notifications import NoteReplyNotification
from store.prospect_notes import ProspectNoteRecord
from store.repository import in_chunks
from store.schema import metadata
from store.sweep_leases import SweepLease
from store.tombstones import Subject
from store.uow import UnitOfWork


@dataclass
class Erasure:
    """What one erasure removed, and what LinkedIn must delete."""

    candidate_ids: list[str] = field(default_factory=list)
    application_ids: list[str] = field(default_factory=list)
    person_urns: list[str] = field(default_factory=list)
    #: Rows removed (or scrubbed) per table.
    rows: Counter[str] = field(default_factory=Counter)
    #: A push of one of the records was in flight when the erasure committed: LinkedIn's deletes wait.
    push_in_flight: bool = False

    def linkedin_keys(self) -> dict[str, list[str]]:
        return {"atsApplications": list(self.application_ids), "atsCandidates": list(self.candidate_ids)}


def _for_update(uow: UnitOfWork, stmt: Any) -> Any:
    return stmt.with_for_update() if uow.session.get_bind().dialect.name == "postgresql" else stmt


def erase_candidate(
    uow: UnitOfWork, candidate_id: str, *, deleted_at: datetime, receipt_id: str, push_window: timedelta
) -> Erasure:
    """Erase the candidate and everything of the person (inside ``uow``; the caller commits).

    ``push_window``: how long a push claimed from the outbox can still be running."""
    erasure = Erasure()
    tombstones = uow.tombstones
    tombstones.lock(Subject.CANDIDATE, [candidate_id], exclusive=True)
    candidate = uow.session.scalars(
        _for_update(
            uow, select(Candidate).where(Candidate.tenant_id == uow.tenant, Candidate.id == candidate_id)
        )
    ).first()
    merged_away = [m.source_candidate_id for m in uow.merges.active_into(candidate_id)]
    tombstones.lock(Subject.CANDIDATE, merged_away, exclusive=True)
    candidates = sorted({candidate_id, *merged_away})
    urns = _members_of(uow, candidate, candidates)
    tombstones.lock(Subject.MEMBER, urns, exclusive=True)
    applications = _ids(uow, Application.id, Application.candidate_id, candidates)
    tombstones.lock(Subject.APPLICATION, applications, exclusive=True)
    erasure.candidate_ids, erasure.application_ids, erasure.person_urns = candidates, applications, urns

    erasure.push_in_flight = _retire_outbox(
        uow,
        erasure.rows,
        {
            Resource.CANDIDATE: candidates,
            Resource.CANDIDATE_MEMBER: candidates,
            Resource.APPLICATION: applications,
        },
        push_window,
    )
    rows = erasure.rows
    # Tables of other features first: one may refer to a candidate or an application by a foreign key.
    _erase_elsewhere(uow, rows, {"candidate": candidates, "application": applications, "member": urns})
    rows["application_stages"] += _delete(uow, ApplicationStage.application_id, applications)
    rows["applications"] += _delete(uow, Application.id, applications)
    rows["exports"] += _delete(uow, ExportRecord.candidate_id, candidates)
    rows["exports"] += _delete(uow, ExportRecord.application_id, applications)
    rows["candidate_emails"] += _delete(uow, CandidateEmail.candidate_id, candidates)
    rows["candidate_match_keys"] += _delete(uow, CandidateKey.candidate_id, candidates)
    rows["match_history"] += _delete(uow, MatchHistory.candidate_id, candidates)
    rows["candidate_matches"] += _delete(uow, CandidateMatch.candidate_id, candidates)
    rows["candidate_merges"] += _delete(uow, CandidateMerge.source_candidate_id, candidates)
    rows["candidate_merges"] += _delete(uow, CandidateMerge.target_candidate_id, candidates)
    rows["candidate_merges"] += _delete(uow, CandidateMerge.person_urn, urns)
    rows["mail_stubs"] += _delete(uow, MailStubRecord.candidate_id, candidates)
    _erase_members(uow, urns, rows)
    rows["candidates"] += _delete(uow, Candidate.id, candidates)
    rows["purge_notices"] += uow.purge_notices.close_for_candidates(candidates)

    tombstones.bury(Subject.CANDIDATE, candidates, deleted_at=deleted_at, receipt_id=receipt_id)
    tombstones.bury(Subject.APPLICATION, applications, deleted_at=deleted_at, receipt_id=receipt_id)
    tombstones.bury(Subject.MEMBER, urns, deleted_at=deleted_at, receipt_id=receipt_id)
    uow.session.expire_all()
    return erasure


def erase_application(
    uow: UnitOfWork, application_id: str, *, deleted_at: datetime, receipt_id: str, push_window: timedelta
) -> tuple[Erasure, str | None]:
    """Erase one application and its stage history; (erasure, its candidate id if it was stored).
    ``push_window`` as for ``erase_candidate``."""
    erasure = Erasure()
    uow.tombstones.lock(Subject.APPLICATION, [application_id], exclusive=True)
    application = uow.session.scalars(
        _for_update(
            uow,
            select(Application).where(Application.tenant_id == uow.tenant, Application.id == application_id),
        )
    ).first()
    candidate_id = application.candidate_id if application is not None else None
    erasure.application_ids = [application_id]
    erasure.push_in_flight = _retire_outbox(
        uow, erasure.rows, {Resource.APPLICATION: [application_id]}, push_window
    )
    _erase_elsewhere(uow, erasure.rows, {"application": [application_id]})
    erasure.rows["application_stages"] += _delete(uow, ApplicationStage.application_id, [application_id])
    erasure.rows["applications"] += _delete(uow, Application.id, [application_id])
    uow.tombstones.bury(Subject.APPLICATION, [application_id], deleted_at=deleted_at, receipt_id=receipt_id)
    uow.session.expire_all()
    return erasure, candidate_id


#: Tables the erasure handles by name (above), or that are not about candidates; every other table
#: is erased by its column names.
HANDLED = frozenset(
    {
        "applications",
        "application_stages",
        "exports",
        "candidate_emails",
        "candidate_match_keys",
        "match_history",
        "candidate_matches",
        "candidate_merges",
        "mail_stubs",
        "inmail_messages",
        "prospect_notes",
        "note_reply_notifications",
        "member_match_keys",
        "members",
        "candidates",
        "purge_notices",
        "linkedin_sync",
        # Recruiters, not candidates: a user's person URN is theirs even if they were once a candidate.
        "ats_users",
        "seats",
    }
)
#: Column names that say which candidate, application or member a row of another table is about.
SUBJECT_COLUMNS = {
    "candidate_id": "candidate",
    "application_id": "application",
    "person_urn": "member",
    "member_urn": "member",
}


def _erase_elsewhere(uow: UnitOfWork, rows: Counter[str], erased: dict[str, list[str]]) -> None:
    """Rows of tenant tables the erasure does not know by name (a later feature's) that name an
    erased candidate, application or member by one of ``SUBJECT_COLUMNS``."""
    for table in metadata.sorted_tables:
        if table.name in HANDLED or "tenant_id" not in table.c:
            continue
        for column, kind in SUBJECT_COLUMNS.items():
            values = erased.get(kind) or []
            if column not in table.c or not values:
                continue
            for chunk in in_chunks(values):
                result = uow.session.execute(
                    table.delete().where(table.c.tenant_id == uow.tenant, table.c[column].in_(chunk))
                )
                rows[table.name] += int(getattr(result, "rowcount", 0) or 0)


def _members_of(uow: UnitOfWork, candidate: Candidate | None, candidates: list[str]) -> list[str]:
    """The LinkedIn members the erased candidates are, unless a candidate that stays is that member."""
    urns: set[str] = set()
    if candidate is not None and candidate.person_urn:
        urns.add(candidate.person_urn)
    for chunk in in_chunks(candidates):
        for row in uow.session.scalars(
            select(CandidateMatch).where(
                CandidateMatch.tenant_id == uow.tenant, CandidateMatch.candidate_id.in_(chunk)
            )
        ):
            if row.status == "linked" and row.member_urn:
                urns.add(row.member_urn)
            if row.decided_member:
                urns.add(row.decided_member)
            urns.update(row.linkedin_matches or [])
    if not urns:
        return []
    held = set(
        uow.session.scalars(
            select(Candidate.person_urn).where(
                Candidate.tenant_id == uow.tenant,
                Candidate.person_urn.in_(sorted(urns)),
                Candidate.id.not_in(candidates),
            )
        )
    )
    return sorted(urns - held)


def _ids(
    uow: UnitOfWork, wanted: InstrumentedAttribute[str], column: InstrumentedAttribute[Any], values: list[str]
) -> list[str]:
    model = wanted.class_
    found: set[str] = set()
    for chunk in in_chunks(values):
        found.update(
            uow.session.scalars(select(wanted).where(model.tenant_id == uow.tenant, column.in_(chunk)))
        )
    return sorted(found)


def _delete(uow: UnitOfWork, column: InstrumentedAttribute[Any], values: Iterable[str]) -> int:
    model = column.class_
    gone = 0
    for chunk in in_chunks(values):
        result = uow.session.execute(
            delete(model)
            .where(model.tenant_id == uow.tenant, column.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        gone += int(getattr(result, "rowcount", 0) or 0)
    return gone


def _retire_outbox(
    uow: UnitOfWork, rows: Counter[str], records: dict[Resource, list[str]], window: timedelta
) -> bool:
    """Delete the records' outbox rows; True when a push of one of them may still be running.

    A push holds its records' leases from the claim until it settles, inside an outbox sweep that
    holds the tenant's sweep lease until it ends (``workers.shared.outbox_sweep``). Both must be there for
    a push to be in flight; a lease alone may be a record waiting for another one. The rows are
    locked first (PostgreSQL), so a sweep that claimed one a moment ago has committed its lease
    before it is read; a sweep claiming after this commit finds nothing to claim.
    """
    now = utcnow()
    in_flight = False
    for resource, ids in records.items():
        for chunk in in_chunks(ids):
            stmt = select(SyncState.lease_until).where(
                SyncState.tenant_id == uow.tenant,
                SyncState.resource == resource.value,
                SyncState.entity_id.in_(chunk),
            )
            for lease_until in uow.session.scalars(_for_update(uow, stmt)):
                # A lease is cleared when its push settles; one set within the window may be running.
                in_flight = in_flight or (lease_until is not None and lease_until + window > now)
            result = uow.session.execute(
                delete(SyncState)
                .where(
                    SyncState.tenant_id == uow.tenant,
                    SyncState.resource == resource.value,
                    SyncState.entity_id.in_(chunk),
                )
                .execution_options(synchronize_session=False)
            )
            rows["linkedin_sync"] += int(getattr(result, "rowcount", 0) or 0)
    if not in_flight:
        return False
    sweep = uow.session.get(SweepLease, (uow.tenant,))
    return sweep is not None and sweep.lease_until + window > now


def _erase_members(uow: UnitOfWork, urns: list[str], rows: Counter[str]) -> None:
    """The members' own data, and every mention of them in the match rows of other candidates."""
    if not urns:
        return
    notes = _ids(uow, ProspectNoteRecord.id, ProspectNoteRecord.member_urn, urns)
    rows["note_reply_notifications"] += _delete(uow, NoteReplyNotification.note_id, notes)
    rows["prospect_notes"] += _delete(uow, ProspectNoteRecord.id, notes)
    rows["inmail_messages"] += _delete(uow, InMailRecord.member_urn, urns)
    rows["inmail_messages"] += _delete(uow, InMailRecord.author, urns)
    rows["mail_stubs"] += _delete(uow, MailStubRecord.member_urn, urns)
    rows["member_match_keys"] += _delete(uow, MemberKey.person_urn, urns)
    rows["members"] += _delete(uow, Member.person_urn, urns)
    erased = set(urns)
    mentions: list[ColumnElement[bool]] = [
        CandidateMatch.member_urn.in_(urns),
        CandidateMatch.decided_member.in_(urns),
    ]
    for urn in urns:
        mentions.append(cast(CandidateMatch.considered, Text).contains(urn, autoescape=True))
        mentions.append(cast(CandidateMatch.linkedin_matches, Text).contains(urn, autoescape=True))
    for row in uow.session.scalars(
        select(CandidateMatch).where(CandidateMatch.tenant_id == uow.tenant, or_(*mentions))
    ):
        if row.member_urn in erased:
            row.status, row.member_urn, row.score = "unmatched", None, 0.0
            row.reason = row.review_reason = None
        if row.decided_member in erased:
            row.decided_member = None
        row.considered = [c for c in row.considered or [] if c.get("member") not in erased]
        row.linkedin_matches = [m for m in row.linkedin_matches or [] if m not in erased]
        rows["candidate_matches"] += 1
    uow.session.flush()
    for column in (MatchHistory.person_urn, MatchHistory.previous_urn):
        result = uow.session.execute(
            update(MatchHistory)
            .where(MatchHistory.tenant_id == uow.tenant, column.in_(urns))
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
        rows["match_history"] += int(getattr(result, "rowcount", 0) or 0)
