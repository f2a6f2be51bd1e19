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

from matching.matcher import MatchStatus
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
        standing=_standing(link_urn, row),
        link=link,
        link_source=source,
        decided_by=row.decided_by if row else None,
        decided_at=row.decided_at if row else None,
        review_reason=row.review_reason if row and row.status == MatchStatus.REVIEW else None,
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


def review_list(uow: UnitOfWork, *, limit: int = 100, after: str | None = None) -> list[ReviewItem]:
    """Candidates waiting for a person's decision, by candidate id (inside ``uow``)."""
    rows = uow.candidate_matches.in_review(limit=limit, after=after)
    urns = {c["member"] for row in rows for c in row.considered or []}
    members = {m.person_urn: m for m in uow.members.get_many(urns)}
    items = []
    for row in rows:
        candidate = uow.candidates.get(row.candidate_id)
        if candidate is None or candidate.person_urn is not None:
            continue
        items.append(
            ReviewItem(
                candidate_id=row.candidate_id,
                review_reason=row.review_reason,
                best_score=row.score,
                considered=[_member_view(c["member"], members.get(c["member"]), c) for c in row.considered],
            )
        )
    return items
