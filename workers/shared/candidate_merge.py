"""The merge rule for LinkedIn data reaching the ATS, and its undo.

When an InMail stub (a member shared their contact details) belongs to a candidate the pipeline
made from LinkedIn data (an export or an earlier stub) and a candidate with the same last name and
e-mail address already exists, the LinkedIn candidate is merged into the existing one: its
applications and its person URN move over (InMail messages and prospect notes belong to the member,
so they follow the person URN), the contact details land on the existing candidate, and the merge is
recorded. ``unmerge`` restores both candidates as they were. When the last name or the e-mail
differs, nothing is merged: the LinkedIn candidate stays a candidate of its own.

The same rule settles a contested member (``store.member_claims``): an ATS candidate the matcher
finds to be a member a LinkedIn candidate holds is merged with it when their last names and an
e-mail address agree (``merge_on_contest``); otherwise the pair waits on the review list for a person.
A merge moves the member's claim with the person URN, and an unmerge moves it back.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from rsc.errors import PermanentError
from store.base import utcnow
from store.candidate_merges import CandidateMerge, MergeState
from store.candidates import Candidate, CandidateOrigin, email_key
from store.linkedin_sync import Resource
from store.member_claims import ClaimKind, ProposalState
from store.uow import UnitOfWork

_MERGE_NAMESPACE = uuid.UUID("8d4c1e52-8f1f-4a5e-9a0e-2b7c6f3d9e11")
#: Fields of the existing candidate a merge may change, restored by an unmerge.
MERGED_FIELDS = ("emails", "phones", "current_title", "current_company", "first_name", "last_name")
#: Candidates the pipeline made from LinkedIn data; only these are merged into existing ones.
LINKEDIN_ORIGINS = (CandidateOrigin.LINKEDIN_EXPORT.value, CandidateOrigin.LINKEDIN_INMAIL.value)
#: Who a merge records as the decider of the proposals it closes.
MERGE_RULE = "merge rule"


class NothingToUnmerge(PermanentError):
    reason_code = "nothing_to_unmerge"


def name_key(name: str | None) -> str:
    return unicodedata.normalize("NFKC", name or "").strip().casefold()


def merge_target(
    uow: UnitOfWork, source: Candidate, last_name: str | None, email: str | None
) -> Candidate | None:
    """The existing candidate ``source`` must be merged into, if any.

    Same last name and same e-mail address; not linked to another member; not itself merged away;
    not a pairing an operator undid. Several: the most recently modified (then the smallest id).
    """
    if source.origin not in LINKEDIN_ORIGINS or not email or not name_key(last_name):
        return None
    matches = [
        c
        for c in uow.candidates.by_email(email)
        if c.id != source.id
        and name_key(c.last_name) == name_key(last_name)
        and (c.person_urn is None or c.person_urn == source.person_urn)
        and uow.merges.active_from(c.id) is None
        and not uow.merges.was_undone(source.id, c.id)
    ]
    if not matches:
        return None
    return max(matches, key=lambda c: (c.modified_at, _reverse(c.id)))


def _reverse(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text)


def merge(
    uow: UnitOfWork,
    source: Candidate,
    target: Candidate,
    *,
    cause: str,
    claim: ClaimKind = ClaimKind.LINKEDIN,
) -> CandidateMerge:
    """Move the LinkedIn candidate's applications and person URN onto ``target`` and record it.

    The caller applies the contact details to ``target`` afterwards and commits; the record keeps
    the target's fields as they were before both. The target holds the member with a ``claim``.
    """
    person_urn = source.person_urn
    if person_urn is None:
        raise ValueError("only a candidate linked to a LinkedIn member can be merged")
    moved_applications = []
    for application in uow.applications.for_candidate(source.id):
        application.candidate_id = target.id
        uow.outbox.mark_changed(Resource.APPLICATION, application.id)
        moved_applications.append(application.id)
    record = uow.merges.add(
        CandidateMerge(
            id=uuid.uuid5(_MERGE_NAMESPACE, f"{uow.tenant}|{source.id}|{target.id}|{cause}").hex,
            source_candidate_id=source.id,
            target_candidate_id=target.id,
            person_urn=person_urn,
            moved={
                "applications": moved_applications,
                "messages": [m.id for m in uow.inmails.of_member(person_urn)],
                "notes": [n.id for n in uow.prospect_notes.of_member(person_urn)],
            },
            target_before=_fields(target),
            target_after={},
            cause=cause,
            state=MergeState.MERGED.value,
            merged_at=utcnow(),
        )
    )
    source.person_urn = None
    source.modified_at = utcnow()
    uow.session.flush()  # the person URN is unique per tenant: release it before the target takes it
    target.person_urn = person_urn
    target.modified_at = utcnow()
    if not target.first_name:
        target.first_name = source.first_name
    for resource in (Resource.CANDIDATE, Resource.CANDIDATE_MEMBER):
        uow.outbox.mark_changed(resource, source.id)
        uow.outbox.mark_changed(resource, target.id)
    uow.session.flush()
    uow.member_claims.move(person_urn, target.id, claim)
    uow.member_claims.decide(person_urn, [source.id, target.id], ProposalState.MERGED, MERGE_RULE)
    return record


def merge_on_contest(uow: UnitOfWork, candidate: Candidate, holder_id: str) -> CandidateMerge | None:
    """The merge rule for a candidate refused the member a LinkedIn candidate holds.

    When the holder was made from LinkedIn data and holds the member as LinkedIn named it (no
    person linked it), and the two share their last name and an e-mail address (the holder's,
    or one the member shared in an InMail stub), the holder is merged into ``candidate``, which
    then holds the member. Otherwise nothing happens and the pair stays for review.
    """
    holder = uow.candidates.get(holder_id)
    if holder is None or holder.person_urn is None or candidate.person_urn is not None:
        return None
    claim = uow.member_claims.holder(holder.person_urn)
    if claim is None or claim.candidate_id != holder.id or claim.kind != ClaimKind.LINKEDIN:
        return None
    if holder.origin not in LINKEDIN_ORIGINS or candidate.origin in LINKEDIN_ORIGINS:
        return None
    if not name_key(candidate.last_name) or name_key(candidate.last_name) != name_key(holder.last_name):
        return None
    member = uow.members.get(holder.person_urn)
    shared = {email_key(e) for e in [*(holder.emails or []), *(member.emails if member else [])]}
    if not shared & {email_key(e) for e in candidate.emails or []}:
        return None
    if uow.merges.active_from(holder.id) is not None or uow.merges.was_undone(holder.id, candidate.id):
        return None
    record = merge(uow, holder, candidate, cause=f"claim:{holder.person_urn}")
    seal(record, candidate)
    return record


def seal(record: CandidateMerge, target: Candidate) -> None:
    """Remember what the merge left on the target, so an unmerge restores only untouched fields."""
    record.target_after = _fields(target)


def unmerge(uow: UnitOfWork, candidate_id: str) -> CandidateMerge:
    """Undo the merge of ``candidate_id`` (the merged-away candidate, or the one it was merged into).

    Applications and the person URN go back, and the target's fields the merge changed are
    restored unless the ATS changed them since. The pairing is not merged again automatically.
    The caller commits.
    """
    record = uow.merges.active_from(candidate_id)
    if record is None:
        into = uow.merges.active_into(candidate_id)
        if len(into) > 1:
            sources = ", ".join(repr(m.source_candidate_id) for m in into)
            raise NothingToUnmerge(
                f"candidate {candidate_id!r} has {len(into)} merges ({sources}); name the merged-away "
                f"candidate to undo one"
            )
        record = into[0] if into else None
    if record is None:
        raise NothingToUnmerge(
            f"candidate {candidate_id!r} has no merge to undo; `rsc candidate show` lists its merges"
        )
    source = uow.candidates.get(record.source_candidate_id)
    target = uow.candidates.get(record.target_candidate_id)
    if source is None or target is None:
        raise NothingToUnmerge(
            f"merge {record.id!r} cannot be undone: candidate "
            f"{record.source_candidate_id if source is None else record.target_candidate_id!r} "
            f"was deleted since"
        )
    for application_id in record.moved.get("applications", []):
        application = uow.applications.get(application_id)
        if application is not None and application.candidate_id == target.id:
            application.candidate_id = source.id
            uow.outbox.mark_changed(Resource.APPLICATION, application.id)
    if target.person_urn == record.person_urn:
        target.person_urn = None
        uow.session.flush()
    source.person_urn = record.person_urn
    uow.session.flush()
    uow.member_claims.move(record.person_urn, source.id, ClaimKind.LINKEDIN)
    after = record.target_after or {}
    before = record.target_before
    for name in MERGED_FIELDS:
        if name in after and _plain(getattr(target, name)) == after[name]:
            setattr(target, name, before.get(name))
    now = utcnow()
    source.modified_at = target.modified_at = now
    uow.session.flush()
    uow.candidates.index_emails(target.id, list(target.emails or []))
    for stub in uow.mail_stubs.of_member(record.person_urn):
        stub.candidate_id = source.id
    for resource in (Resource.CANDIDATE, Resource.CANDIDATE_MEMBER):
        uow.outbox.mark_changed(resource, source.id)
        uow.outbox.mark_changed(resource, target.id)
    record.state = MergeState.UNDONE.value
    record.undone_at = now
    uow.session.flush()
    return record


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _fields(candidate: Candidate) -> dict[str, Any]:
    return {name: _plain(getattr(candidate, name)) for name in MERGED_FIELDS}
