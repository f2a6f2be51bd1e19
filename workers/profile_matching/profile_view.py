"""What the profile plugin shows for a candidate, and the list of doubtful cases for a person.

A candidate shows the member a person linked it to; else the member LinkedIn established (an
export, an InMail stub: ``candidate.person_urn``); else, unless a person unlinked it, the member the
matcher linked. Without a link it shows the members the matcher considered, with scores and reasons.
``rsc match show`` and the ingress's profile endpoint both print this view.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from matching.matcher import MatchStatus, ReviewReason
from matching.scoring import REASON_TEXT, Reason
from store.candidate_matches import CandidateMatch, Decision
from store.members import Member
from store.uow import UnitOfWork


class LinkSource(StrEnum):
    #: A person linked it (CLI, the profile widget's link callback).
    MANUAL = "manual"
    #: LinkedIn named the member: a 1-click export or an InMail stub.
    LINKEDIN = "linkedin"
    #: The matcher linked it.
    AUTOMATIC = "automatic"


class Standing(StrEnum):
    LINKED = "linked"
    REVIEW = "review"
    UNMATCHED = "unmatched"
    #: A person unlinked it; the matcher does not link it again.
    UNLINKED = "unlinked"
    #: Not matched yet (no candidate event since matching was enabled, no bulk run).
    NOT_MATCHED = "not_matched"


@dataclass(frozen=True)
class MemberView:
    person_urn: str
    profile_url: str | None
    first_name: str | None
    last_name: str | None
    companies: list[str]
    title: str | None
    score: float | None = None
    reason: str | None = None
    reason_text: str | None = None
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryView:
    seq: int
    action: str
    person_urn: str | None
    previous_urn: str | None
    actor: str
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class ProfileView:
    candidate_id: str
    standing: Standing
    link: MemberView | None
    link_source: LinkSource | None
    decided_by: str | None
    decided_at: datetime | None
    review_reason: str | None
    considered: list[MemberView]
    history: list[HistoryView]

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["decided_at"] = self.decided_at.isoformat() if self.decided_at else None
        for item in body["history"]:
            item["at"] = item["at"].isoformat()
        return body


def _text(reason: str | None) -> str | None:
    try:
        return REASON_TEXT[Reason(reason)] if reason else None
    except ValueError:
        return reason


def _member_view(urn: str, member: Member | None, scored: dict[str, Any] | None = None) -> MemberView:
    scored = scored or {}
    return MemberView(
        person_urn=urn,
        profile_url=member.profile_url if member else None,
        first_name=member.first_name if member else None,
        last_name=member.last_name if member else None,
        companies=list(member.companies or []) if member else [],
        title=member.title if member else None,
        score=scored.get("score"),
        reason=scored.get("reason"),
        reason_text=_text(scored.get("reason")),
        evidence=list(scored.get("evidence") or []),
    )


def profile_view(uow: UnitOfWork, candidate_id: str) -> ProfileView | None:
    """The candidate's view (inside ``uow``); None when there is no such candidate."""
    candidate = uow.candidates.get(candidate_id)
    if candidate is None:
        return None
    row = uow.candidate_matches.get(candidate_id)
    considered = list(row.considered or []) if row else []
    urns = {c["member"] for c in considered}
    link_urn, source = _link(candidate.person_urn, row)
    claimed_elsewhere = False
    if source is LinkSource.AUTOMATIC and link_urn is not None:
        claim = uow.member_claims.holder(link_urn)
        if claim is None or claim.candidate_id != candidate_id:
            # Another candidate holds the member (store.member_claims): the pair waits for review.
            link_urn, source, claimed_elsewhere = None, None, True
    if link_urn:
        urns.add(link_urn)
    members = {m.person_urn: m for m in uow.members.get_many(urns)}
    scored = {c["member"]: c for c in considered}
    link = None
    if link_urn is not None:
        known = {"score": 1.0, "reason": Reason.PERSON_URN.value, "evidence": ["person_urn"]}
        evidence = scored.get(link_urn) if source is LinkSource.AUTOMATIC else known
        link = _member_view(link_urn, members.get(link_urn), evidence)
    return ProfileView(
        candidate_id=candidate_id,
        standing=Standing.REVIEW if claimed_elsewhere else _standing(link_urn, row),
        link=link,
        link_source=source,
        decided_by=row.decided_by if row else None,
        decided_at=row.decided_at if row else None,
        review_reason=_review_reason(row, claimed_elsewhere),
        considered=[_member_view(c["member"], members.get(c["member"]), c) for c in considered],
        history=[
            HistoryView(h.seq, h.action, h.person_urn, h.previous_urn, h.actor, h.reason, h.at)
            for h in uow.candidate_matches.history(candidate_id)
        ],
    )


def _link(person_urn: str | None, row: CandidateMatch | None) -> tuple[str | None, LinkSource | None]:
    if person_urn is not None:
        manual = row is not None and row.decision == Decision.LINKED
        return person_urn, LinkSource.MANUAL if manual else LinkSource.LINKEDIN
    if row is None or row.decision is not None or row.status != MatchStatus.LINKED:
        return None, None
    return row.member_urn, LinkSource.AUTOMATIC


def _review_reason(row: CandidateMatch | None, claimed_elsewhere: bool) -> str | None:
    if claimed_elsewhere:
        return ReviewReason.MEMBER_CLAIMED.value
    return row.review_reason if row and row.status == MatchStatus.REVIEW else None


def _standing(link_urn: str | None, row: CandidateMatch | None) -> Standing:
    if link_urn is not None:
        return Standing.LINKED
    if row is None:
        return Standing.NOT_MATCHED
    if row.decision == Decision.UNLINKED:
        return Standing.UNLINKED
    return Standing(row.status)


@dataclass(frozen=True)
class ReviewItem:
    candidate_id: str
    review_reason: str | None
    best_score: float
    considered: list[MemberView]
    #: A merge proposal: the candidate holding the member this one would be (``store.member_claims``).
    merge_with: str | None = None
    #: The member the two would share.
    member: str | None = None


def _reason_of(row: CandidateMatch | None) -> str | None:
    return row.review_reason if row is not None else None


def review_list(uow: UnitOfWork, *, limit: int = 100, after: str | None = None) -> list[ReviewItem]:
    """Candidates waiting for a person's decision, by candidate id (inside ``uow``): the matcher's
    doubtful cases and the merge proposals (a member another candidate holds)."""
    rows = {row.candidate_id: row for row in uow.candidate_matches.in_review(limit=limit, after=after)}
    proposals: dict[str, tuple[str, str]] = {}
    for proposal in uow.member_claims.open_proposals(limit=limit, after=after):
        claim = uow.member_claims.holder(proposal.person_urn)
        if claim is not None and claim.candidate_id != proposal.candidate_id:
            proposals.setdefault(proposal.candidate_id, (claim.candidate_id, proposal.person_urn))
    ids = sorted({*rows, *proposals})[:limit]
    rows.update(uow.candidate_matches.get_many([i for i in ids if i not in rows]))
    urns = {c["member"] for i in ids if i in rows for c in rows[i].considered or []}
    urns |= {urn for _, urn in proposals.values()}
    members = {m.person_urn: m for m in uow.members.get_many(urns)}
    items = []
    for candidate_id in ids:
        candidate = uow.candidates.get(candidate_id)
        merge_with, member = proposals.get(candidate_id, (None, None))
        if candidate is None or (candidate.person_urn is not None and merge_with is None):
            continue
        row = rows.get(candidate_id)
        considered = list(row.considered or []) if row else []
        if member is not None and all(c["member"] != member for c in considered):
            considered.insert(0, {"member": member})
        items.append(
            ReviewItem(
                candidate_id=candidate_id,
                review_reason=ReviewReason.MEMBER_CLAIMED.value if merge_with else _reason_of(row),
                best_score=row.score if row else 0.0,
                considered=[_member_view(c["member"], members.get(c["member"]), c) for c in considered],
                merge_with=merge_with,
                member=member,
            )
        )
    return items
