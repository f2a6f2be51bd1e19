"""Where each candidate stands with LinkedIn: the matcher's answer, a person's decision, the history.

One row per candidate holds the automatic result (linked, review or unmatched, with the members it
considered, their scores and reasons), the manual decision if a person made one (linked to a member
or unlinked, by whom and when), and the members LinkedIn's own matcher returned for the candidate.
A manual decision is never changed by the matcher: the matcher keeps writing its own columns, and
every reader (``workers.profile_matching.profile_view``) lets the decision win. Every change of
a link, manual or automatic, is appended to ``match_history``. Both tables are deleted with their candidate.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKeyConstraint, Index, Integer, String, Text, and_, func, select
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, Json, TenantScoped, utcnow
from store.candidates import Candidate
from store.repository import TenantRepository, in_chunks


class Decision(StrEnum):
    LINKED = "linked"
    UNLINKED = "unlinked"


class HistoryAction(StrEnum):
    LINK = "link"
    UNLINK = "unlink"
    AUTO_LINK = "auto_link"
    AUTO_UNLINK = "auto_unlink"


#: Who is recorded for the matcher's own changes.
MATCHER = "matcher"


def _candidate_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "candidate_id"], ["candidates.tenant_id", "candidates.id"], ondelete="CASCADE"
    )


class CandidateMatch(TenantScoped, Base):
    __tablename__ = "candidate_matches"
    __table_args__ = (_candidate_fk(), Index("ix_candidate_matches_status", "tenant_id", "status"))

    candidate_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: The matcher's outcome: linked, review or unmatched (``matching.matcher.MatchStatus``).
    status: Mapped[str] = mapped_column(String(16))
    #: The member the matcher linked (status linked only).
    member_urn: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str | None] = mapped_column(String(40))
    review_reason: Mapped[str | None] = mapped_column(String(40))
    #: The members considered, best first: [{"member", "score", "reason", "evidence": [...]}].
    considered: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    #: When the matcher's result last changed.
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A person's decision: linked or unlinked; NULL while the matcher decides.
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_member: Mapped[str | None] = mapped_column(String(200))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    #: Members LinkedIn's matcher returned for the candidate (``atsCandidates`` matchedMembers).
    linkedin_matches: Mapped[list[str]] = mapped_column(Json, default=list)
    linkedin_checked_at: Mapped[datetime | None]


class MatchHistory(TenantScoped, Base):
    __tablename__ = "match_history"
    __table_args__ = (_candidate_fk(),)

    candidate_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    action: Mapped[str] = mapped_column(String(16))
    person_urn: Mapped[str | None] = mapped_column(String(200))
    previous_urn: Mapped[str | None] = mapped_column(String(200))
    #: The person (ATS user or operator) behind a manual change, or "matcher".
    actor: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CandidateMatches(TenantRepository):
    def get(self, candidate_id: str, *, for_update: bool = False) -> CandidateMatch | None:
        stmt = select(CandidateMatch).where(
            CandidateMatch.tenant_id == self.tenant, CandidateMatch.candidate_id == candidate_id
        )
        if for_update and self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).first()

    def get_many(self, candidate_ids: list[str]) -> dict[str, CandidateMatch]:
        found: dict[str, CandidateMatch] = {}
        for chunk in in_chunks(candidate_ids):
            for row in self.session.scalars(
                select(CandidateMatch).where(
                    CandidateMatch.tenant_id == self.tenant, CandidateMatch.candidate_id.in_(chunk)
                )
            ):
                found[row.candidate_id] = row
        return found

    def get_or_add(self, candidate_id: str) -> CandidateMatch:
        """The candidate's row, locked (PostgreSQL) or made; a concurrent maker loses on the key."""
        row = self.get(candidate_id, for_update=True)
        if row is None:
            row = self.add(candidate_id)
            self.session.flush()
        return row

    def add(self, candidate_id: str) -> CandidateMatch:
        """A new row for a candidate that has none (written at the next flush)."""
        row = CandidateMatch(
            tenant_id=self.tenant,
            candidate_id=candidate_id,
            status="unmatched",
            score=0.0,
            considered=[],
            linkedin_matches=[],
            matched_at=utcnow(),
        )
        self.session.add(row)
        return row

    def candidates_after(self, after: str, limit: int) -> list[tuple[Candidate, CandidateMatch | None]]:
        """The next ``limit`` candidates by id after ``after``, each with its match row (bulk matching)."""
        stmt = (
            select(Candidate, CandidateMatch)
            .outerjoin(
                CandidateMatch,
                and_(
                    CandidateMatch.tenant_id == Candidate.tenant_id,
                    CandidateMatch.candidate_id == Candidate.id,
                ),
            )
            .where(Candidate.tenant_id == self.tenant, Candidate.id > after)
            .order_by(Candidate.id)
            .limit(limit)
        )
        return [(candidate, match) for candidate, match in self.session.execute(stmt).all()]

    def in_review(self, *, limit: int = 100, after: str | None = None) -> list[CandidateMatch]:
        """Candidates the matcher could not decide and no person has decided, by candidate id."""
        stmt = (
            select(CandidateMatch)
            .where(
                CandidateMatch.tenant_id == self.tenant,
                CandidateMatch.status == "review",
                CandidateMatch.decision.is_(None),
            )
            .order_by(CandidateMatch.candidate_id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(CandidateMatch.candidate_id > after)
        return list(self.session.scalars(stmt))

    def counts(self) -> dict[str, int]:
        """How many candidates stand where: matcher statuses, and manual decisions apart."""
        counts: dict[str, int] = {}
        rows = self.session.execute(
            select(CandidateMatch.status, CandidateMatch.decision, func.count())
            .where(CandidateMatch.tenant_id == self.tenant)
            .group_by(CandidateMatch.status, CandidateMatch.decision)
        )
        for status, decision, count in rows:
            key = f"manual_{decision}" if decision else status
            counts[key] = counts.get(key, 0) + int(count)
        return counts

    def record(
        self,
        candidate_id: str,
        action: HistoryAction,
        *,
        person_urn: str | None,
        previous_urn: str | None,
        actor: str,
        reason: str | None = None,
        score: float | None = None,
        last_seq: int | None = None,
    ) -> MatchHistory:
        """Append one change to the candidate's history (call with the candidate's match row locked).

        ``last_seq`` is the candidate's last history number when the caller knows it (``last_seqs``;
        0 for none), saving a read.
        """
        last = last_seq
        if last is None:
            last = self.session.scalar(
                select(func.max(MatchHistory.seq)).where(
                    MatchHistory.tenant_id == self.tenant, MatchHistory.candidate_id == candidate_id
                )
            )
        entry = MatchHistory(
            tenant_id=self.tenant,
            candidate_id=candidate_id,
            seq=int(last or 0) + 1,
            action=action.value,
            person_urn=person_urn,
            previous_urn=previous_urn,
            actor=actor,
            reason=reason,
            score=score,
            at=utcnow(),
        )
        self.session.add(entry)
        return entry

    def last_seqs(self, candidate_ids: list[str]) -> dict[str, int]:
        """The last history number of each candidate that has a history (one read for a batch)."""
        found: dict[str, int] = {}
        for chunk in in_chunks(candidate_ids):
            rows = self.session.execute(
                select(MatchHistory.candidate_id, func.max(MatchHistory.seq))
                .where(MatchHistory.tenant_id == self.tenant, MatchHistory.candidate_id.in_(chunk))
                .group_by(MatchHistory.candidate_id)
            )
            found.update({candidate_id: int(seq) for candidate_id, seq in rows})
        return found

    def history(self, candidate_id: str) -> list[MatchHistory]:
        return list(
            self.session.scalars(
                select(MatchHistory)
                .where(MatchHistory.tenant_id == self.tenant, MatchHistory.candidate_id == candidate_id)
                .order_by(MatchHistory.seq)
            )
        )
