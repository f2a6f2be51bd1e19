"""Profile matching: link each candidate to its LinkedIn member, when candidates or members change.

Three ways in, one decision (``matching``):

- a candidate changed in the ATS (``ats.candidate.created/updated``): it is matched against the
  members sharing a blocking key with it;
- members changed (an export, an InMail stub, LinkedIn's matches): the profile match sweep, asked
  for by the scheduler, re-matches the candidates the members' old and new data could concern;
- ``rsc match run``: every candidate of a tenant against every member, in memory.

The matcher writes only its own result. It never changes ``candidate.person_urn`` (what LinkedIn
gets as ``manualMatchedMember``) and never touches a person's decision; readers let the decision win.
An automatic link is not sent to LinkedIn as a manual match: LinkedIn runs its own matcher on the
same fields, and its ``manualMatchedMember`` is meant for what a person (or a LinkedIn export)
established. See docs/profile-matching.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from events.messages import OutgoingMessage, command_message
from linkedin.client import LinkedInClient
from matching.matcher import MatchResult, MatchStatus, match_against
from matching.profiles import Features, Profile, blocking_keys, features
from rsc.errors import NotReadyYet
from rsc.logs import get_logger
from schemas.ats import CandidateCreated, CandidateUpdated
from schemas.commands import MembersChanged
from store.base import utcnow
from store.candidate_matches import MATCHER, CandidateMatch, HistoryAction
from store.candidates import Candidate
from store.linkedin_sync import Resource, SyncState
from store.match_keys import Side
from store.members import Member, MemberObservation, MemberSource, tenants_with_due_members
from store.tombstones import Subject
from store.uow import UnitOfWork
from workers.profile_matching.claims import claim_automatic

log = get_logger(__name__)

CONSUMER = "profile_match"
#: Members one sweep message re-matches before it yields to other messages.
SWEEP_MEMBERS = 200
#: A bulk run refreshes the planner's statistics of the key tables every this many batches.
STATISTICS_EVERY = 10

CandidateEvent = CandidateCreated | CandidateUpdated


class CandidateNotStoredYet(NotReadyYet):
    reason_code = "candidate_not_stored_yet"


# -- store rows -> matcher profiles ---------------------------------------------------------------


def candidate_profile(candidate: Candidate, linkedin_matches: Iterable[str] = ()) -> Profile:
    companies = [c for c in (candidate.current_company, *(candidate.current_companies or [])) if c]
    addresses = candidate.addresses or []
    city = next((a.get("city") for a in addresses if a.get("city")), None) or candidate.location_text
    return Profile(
        id=candidate.id,
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        emails=tuple(candidate.emails or ()),
        phones=tuple(p.get("number", "") for p in candidate.phones or ()),
        profile_url=candidate.linkedin_profile_url,
        companies=tuple(dict.fromkeys(companies)),
        title=candidate.current_title,
        city=city,
        person_urn=candidate.person_urn,
        linkedin_matches=tuple(linkedin_matches),
    )


def member_profile(member: Member) -> Profile:
    return Profile(
        id=member.person_urn,
        first_name=member.first_name,
        last_name=member.last_name,
        emails=tuple(member.emails or ()),
        phones=tuple(member.phones or ()),
        profile_url=member.profile_url,
        companies=tuple(member.companies or ()),
        title=member.title,
        city=member.location,
        person_urn=member.person_urn,
    )


# -- one candidate -------------------------------------------------------------------------------


def _considered(result: MatchResult) -> list[dict[str, Any]]:
    return [
        {
            "member": s.member_id,
            "score": round(s.score, 4),
            "reason": s.reason.value,
            "evidence": list(s.evidence),
        }
        for s in result.candidates
    ]


def record_result(
    uow: UnitOfWork, row: CandidateMatch, result: MatchResult, *, last_seq: int | None = None
) -> bool:
    """Store the matcher's result; append to the history when the automatic link changed.

    True when the automatic link changed. A person's decision is left as it is, and while there is
    one the automatic link is not what the candidate shows, so no history is written for it.
    """
    previous = row.member_urn if row.status == MatchStatus.LINKED else None
    current = result.member_id if result.status is MatchStatus.LINKED else None
    values = {
        "status": result.status.value,
        "member_urn": current,
        "score": round(result.score, 4),
        "reason": result.reason.value if result.reason else None,
        "review_reason": result.review_reason.value if result.review_reason else None,
        "considered": _considered(result),
    }
    if any(getattr(row, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(row, name, value)
        row.matched_at = utcnow()
    if previous == current:
        return False
    if row.decision is None:
        uow.candidate_matches.record(
            row.candidate_id,
            HistoryAction.AUTO_LINK if current else HistoryAction.AUTO_UNLINK,
            person_urn=current,
            previous_urn=previous,
            actor=MATCHER,
            reason=row.reason,
            score=row.score,
            last_seq=last_seq,
        )
    return True


def members_for(uow: UnitOfWork, keys: Iterable[str]) -> list[Features]:
    urns = uow.match_keys.entities(Side.MEMBER, keys)
    return [features(member_profile(m)) for m in uow.members.get_many(urns)]


def match_candidate(
    uow: UnitOfWork, candidate_id: str, *, locked: Candidate | None = None
) -> MatchResult | None:
    """Match one stored candidate against the members sharing a key with it (inside ``uow``).

    ``locked``: the candidate as the caller read it with its lock (``Candidates.get(lock=True)``).
    The candidate's row is locked first, before its match row and its keys, in the order an erasure
    takes them (``store.match_keys``).
    """
    candidate = locked or uow.candidates.get(candidate_id, lock=True)
    if candidate is None:
        return None
    row = uow.candidate_matches.get(candidate_id, for_update=True)
    new_row = row is None
    if row is None:
        row = uow.candidate_matches.get_or_add(candidate_id)
    mine = features(candidate_profile(candidate, row.linkedin_matches))
    keys = blocking_keys(mine)
    uow.match_keys.replace(Side.CANDIDATE, {candidate_id: keys}, owners_locked=True)
    result = claim_automatic(uow, candidate, row, match_against(mine, members_for(uow, keys)))
    record_result(uow, row, result, last_seq=0 if new_row else None)
    return result


def handle_candidate_changed(event: CandidateEvent, uow: UnitOfWork) -> MatchResult | None:
    """Match the candidate the status push stored (its route runs after that one's, ``Route.after``).

    The status push sends the event on once it has stored the candidate, so the store holds it at
    least at this event's version, or it was deleted since. A newer stored version is fine: matching
    always reads the latest state, so a late or repeated event cannot bring an older one back. The
    inbox claim comes first: a second delivery of the same event (the status push sends it again
    when its own event is redelivered) waits for the first and then changes nothing.
    """
    data = event.data
    with uow:
        if not uow.inbox.record(CONSUMER, event.source, event.id):
            return None
        candidate = uow.candidates.get(data.candidate_id, lock=True)
        if candidate is None and uow.tombstones.erased_since(
            Subject.CANDIDATE, data.candidate_id, data.modified_at
        ):
            uow.commit()  # deleted after this snapshot: there is nothing to match
            return None
        if candidate is None or (candidate.source_modified_ms, candidate.source_revision) < data.order_key:
            # Only a message sent before matches followed storage (or by hand) can get here.
            raise CandidateNotStoredYet(
                f"candidate {data.candidate_id!r} is not stored at this event's version yet (the "
                f"status_push consumer stores it); if status_push dead-lettered it, replay that first"
            )
        result = match_candidate(uow, data.candidate_id, locked=candidate)
        uow.commit()
    if result is not None:
        log.info("candidate matched", candidate_id=data.candidate_id, status=result.status.value)
    return result


# -- members changed -----------------------------------------------------------------------------


@dataclass
class SweepReport:
    members: int = 0
    candidates: int = 0
    links_changed: int = 0


def handle_members_changed(
    command: MembersChanged, uow: UnitOfWork, *, limit: int = SWEEP_MEMBERS
) -> SweepReport:
    """Re-file due members under their keys and re-match every candidate their old or new keys reach."""
    report = SweepReport()
    with uow:
        claimed = uow.members.claim_due(limit)
        uow.commit()
    if not claimed:
        return report
    affected: set[str] = set()
    with uow:
        for urn in sorted(claimed):
            member = uow.members.get(urn)
            if member is None:
                continue
            keys = blocking_keys(features(member_profile(member)))
            affected |= uow.match_keys.entities_by_digest(
                Side.CANDIDATE, uow.match_keys.digests_of(Side.MEMBER, urn)
            )
            uow.match_keys.replace(Side.MEMBER, {urn: keys})
            affected |= uow.match_keys.entities(Side.CANDIDATE, keys)
        uow.commit()
    for candidate_id in sorted(affected):
        with uow:
            row = uow.candidate_matches.get(candidate_id)
            before = row.member_urn if row is not None else None
            result = match_candidate(uow, candidate_id)
            uow.commit()
        report.candidates += result is not None
        report.links_changed += result is not None and result.member_id != before
    with uow:
        uow.members.settle(claimed)
        uow.commit()
    report.members = len(claimed)
    log.info("members re-matched", count=report.members, records=report.candidates, done=report.links_changed)
    return report


def member_sweep_messages(session: Session) -> list[OutgoingMessage]:
    """One profile match sweep per tenant with members due and not held (the scheduler's tick)."""
    return [command_message(MembersChanged(tenant=tenant)) for tenant in tenants_with_due_members(session)]


# -- LinkedIn's own matches ----------------------------------------------------------------------


def refresh_linkedin_matches(
    uow: UnitOfWork, linkedin: LinkedInClient, candidate_ids: list[str], *, rematch: bool = True
) -> int:
    """Read LinkedIn's matchedMembers of synced candidates and keep them as evidence.

    The members LinkedIn names become known members (by URN); candidates whose LinkedIn matches
    changed are matched again (unless ``rematch`` is off: a bulk run matches them all afterwards).
    Returns how many candidates' LinkedIn matches changed.
    """
    found = linkedin.candidates.matched_members(candidate_ids)
    changed: list[str] = []
    now = utcnow()
    with uow:
        for candidate_id, urns in sorted(found.items()):
            if uow.candidates.get(candidate_id) is None:
                continue
            row = uow.candidate_matches.get_or_add(candidate_id)
            row.linkedin_checked_at = now
            if sorted(urns) != sorted(row.linkedin_matches or []):
                row.linkedin_matches = sorted(urns)
                changed.append(candidate_id)
            for urn in urns:
                uow.members.observe(MemberObservation(urn, MemberSource.LINKEDIN_MATCH, now))
        uow.commit()
    for candidate_id in changed if rematch else ():
        with uow:
            match_candidate(uow, candidate_id)
            uow.commit()
    return len(changed)


def synced_candidate_ids(uow: UnitOfWork, after: str, limit: int) -> list[str]:
    """Candidates LinkedIn holds (pushed at least once), by id (inside ``uow``)."""
    return list(
        uow.session.scalars(
            select(SyncState.entity_id)
            .where(
                SyncState.tenant_id == uow.tenant,
                SyncState.resource == Resource.CANDIDATE.value,
                SyncState.synced_version > 0,
                SyncState.entity_id > after,
            )
            .order_by(SyncState.entity_id)
            .limit(limit)
        )
    )
