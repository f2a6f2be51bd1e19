"""Which candidate of a tenant is a LinkedIn member: at most one, enforced by the key of one table.

Four things make a candidate claim a member: a person's link (``rsc match link``, the profile
widget), a 1-click export or an InMail stub (LinkedIn named the member), and the matcher's
automatic link. They may arrive in any order and at the same moment, from different workers;
``member_claims`` is keyed by (tenant, member), so two of them can never both hold one member,
whatever the handlers do. A claim of a stronger kind takes the member over (a person's link beats
LinkedIn's, which beats the matcher's); a weaker or equal one is refused, and the refused (or
displaced) candidate and the holder go to the review list as a *merge proposal*
(``merge_proposals``) for a person, or the merge rule, to decide. Every write is an
``INSERT ... ON CONFLICT`` or an update of the locked row: a concurrent claimer waits for the
first one's transaction and then sees its claim, never a unique violation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository, in_chunks
from store.upsert import insert_ignore


class ClaimKind(StrEnum):
    #: The matcher linked the candidate.
    AUTOMATIC = "automatic"
    #: LinkedIn named the member: the candidate came from (or took in) a 1-click export or an InMail stub.
    LINKEDIN = "linkedin"
    #: A person linked the candidate.
    MANUAL = "manual"


#: Which kind beats which: a claim takes a member over only from a claim of a lower rank.
RANK = {ClaimKind.AUTOMATIC: 1, ClaimKind.LINKEDIN: 2, ClaimKind.MANUAL: 3}


class ClaimOutcome(StrEnum):
    #: The candidate holds the member now (it was free, or the candidate held it already).
    HELD = "held"
    #: The candidate took the member over from a weaker claim of another candidate.
    TAKEN_OVER = "taken_over"
    #: Another candidate holds the member with an equal or stronger claim; nothing changed.
    REFUSED = "refused"


class ProposalState(StrEnum):
    OPEN = "open"
    #: The two candidates were merged (the merge rule, or a person's link).
    MERGED = "merged"
    #: A person linked one of them; the proposal is decided.
    DECIDED = "decided"


def _candidate_fk(column: str, name: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column], ["candidates.tenant_id", "candidates.id"], ondelete="CASCADE", name=name
    )


class MemberClaim(TenantScoped, Base):
    __tablename__ = "member_claims"
    __table_args__ = (
        _candidate_fk("candidate_id", "fk_member_claims_candidate"),
        Index("ix_member_claims_candidate", "tenant_id", "candidate_id"),
    )

    #: The member; the key: one claim per member of a tenant.
    person_urn: Mapped[str] = mapped_column(String(200), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)


class MergeProposal(TenantScoped, Base):
    """A candidate that would claim a member another candidate holds: the pair, for review."""

    __tablename__ = "merge_proposals"
    __table_args__ = (
        _candidate_fk("candidate_id", "fk_merge_proposals_candidate"),
        _candidate_fk("holder_id", "fk_merge_proposals_holder"),
        Index("ix_merge_proposals_state", "tenant_id", "state", "candidate_id"),
    )

    person_urn: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: The candidate refused (or displaced from) the member.
    candidate_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: The candidate holding the member when the proposal was made.
    holder_id: Mapped[str] = mapped_column(String(200))
    #: The kind of claim the candidate made or lost.
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=ProposalState.OPEN)
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Claim:
    """What a claim found and left: who holds the member now, and who held it before."""

    outcome: ClaimOutcome
    person_urn: str
    holder: str
    holder_kind: ClaimKind
    #: The candidate that held the member before a takeover, and its kind of claim.
    displaced: str | None = None
    displaced_kind: ClaimKind | None = None


class MemberClaims(TenantRepository):
    def holder(self, person_urn: str) -> MemberClaim | None:
        return self.session.get(MemberClaim, (self.tenant, person_urn))

    def of_candidates(self, candidate_ids: Iterable[str]) -> dict[str, MemberClaim]:
        """The member each of these candidates holds, by candidate id (one read per 500)."""
        found: dict[str, MemberClaim] = {}
        for chunk in in_chunks(candidate_ids):
            rows = self.session.scalars(
                select(MemberClaim).where(
                    MemberClaim.tenant_id == self.tenant, MemberClaim.candidate_id.in_(chunk)
                )
            )
            found.update({row.candidate_id: row for row in rows})
        return found

    def claim(self, person_urn: str, candidate_id: str, kind: ClaimKind) -> Claim:
        """Let ``candidate_id`` claim the member with a claim of ``kind``.

        Free, or held by the candidate already (a stronger kind upgrades it): HELD. Held by another
        candidate with a weaker claim: TAKEN_OVER, the displaced candidate is proposed for review.
        Held with an equal or stronger one: REFUSED, the candidate is proposed for review. A
        candidate holds one member: its claims on others end when it holds this one.
        """
        now = utcnow()
        row = {
            "tenant_id": self.tenant,
            "person_urn": person_urn,
            "candidate_id": candidate_id,
            "kind": kind.value,
            "claimed_at": now,
        }
        held: MemberClaim | None = None
        while held is None:
            if insert_ignore(self.session, MemberClaim.__table__, row, key=("tenant_id", "person_urn")):
                self._release_others(candidate_id, person_urn)
                return Claim(ClaimOutcome.HELD, person_urn, candidate_id, kind)
            held = self._locked(person_urn)  # None: released since; insert again
        current = ClaimKind(held.kind)
        if held.candidate_id == candidate_id:
            if RANK[kind] > RANK[current]:
                held.kind, held.claimed_at = kind.value, now
            self._release_others(candidate_id, person_urn)
            return Claim(
                ClaimOutcome.HELD, person_urn, candidate_id, max(kind, current, key=lambda k: RANK[k])
            )
        if RANK[kind] <= RANK[current]:
            self.propose(person_urn, candidate_id, held.candidate_id, kind)
            return Claim(ClaimOutcome.REFUSED, person_urn, held.candidate_id, current)
        displaced = held.candidate_id
        held.candidate_id, held.kind, held.claimed_at = candidate_id, kind.value, now
        self.session.flush()
        self._release_others(candidate_id, person_urn)
        self.propose(person_urn, displaced, candidate_id, current)
        return Claim(ClaimOutcome.TAKEN_OVER, person_urn, candidate_id, kind, displaced, current)

    def move(self, person_urn: str, to_candidate: str, kind: ClaimKind) -> None:
        """Give the member to ``to_candidate`` whoever holds it (a merge, an unmerge: the person URN
        moved between two candidates in the same transaction)."""
        held = self._locked(person_urn)
        if held is None:
            insert_ignore(
                self.session,
                MemberClaim.__table__,
                {
                    "tenant_id": self.tenant,
                    "person_urn": person_urn,
                    "candidate_id": to_candidate,
                    "kind": kind.value,
                    "claimed_at": utcnow(),
                },
                key=("tenant_id", "person_urn"),
            )
        else:
            held.candidate_id, held.kind, held.claimed_at = to_candidate, kind.value, utcnow()
            self.session.flush()
        self._release_others(to_candidate, person_urn)

    def release(self, person_urn: str, candidate_id: str, kind: ClaimKind | None = None) -> bool:
        """End the candidate's claim on the member (of ``kind`` only, when given). True when it had one."""
        stmt = delete(MemberClaim).where(
            MemberClaim.tenant_id == self.tenant,
            MemberClaim.person_urn == person_urn,
            MemberClaim.candidate_id == candidate_id,
        )
        if kind is not None:
            stmt = stmt.where(MemberClaim.kind == kind.value)
        self.session.flush()
        return bool(self.session.execute(stmt.execution_options(synchronize_session="fetch")).rowcount)  # type: ignore[attr-defined]

    def propose(self, person_urn: str, candidate_id: str, holder_id: str, kind: ClaimKind) -> None:
        """Put the pair on the review list; a pair decided before is opened again only when the
        member changed hands since."""
        inserted = insert_ignore(
            self.session,
            MergeProposal.__table__,
            {
                "tenant_id": self.tenant,
                "person_urn": person_urn,
                "candidate_id": candidate_id,
                "holder_id": holder_id,
                "kind": kind.value,
                "state": ProposalState.OPEN.value,
                "proposed_at": utcnow(),
                "decided_by": None,
                "decided_at": None,
            },
            key=("tenant_id", "person_urn", "candidate_id"),
        )
        if not inserted:
            self.session.execute(
                update(MergeProposal)
                .where(
                    MergeProposal.tenant_id == self.tenant,
                    MergeProposal.person_urn == person_urn,
                    MergeProposal.candidate_id == candidate_id,
                    MergeProposal.holder_id != holder_id,
                )
                .values(
                    holder_id=holder_id,
                    kind=kind.value,
                    state=ProposalState.OPEN.value,
                    proposed_at=utcnow(),
                    decided_by=None,
                    decided_at=None,
                )
                .execution_options(synchronize_session="fetch")
            )

    def decide(
        self, person_urn: str | None, candidate_ids: Iterable[str], state: ProposalState, decided_by: str
    ) -> int:
        """Close the open proposals of these candidates on the member (``None``: on any member, a
        person's decision about the candidate). Returns how many."""
        ids = sorted(set(candidate_ids))
        if not ids:
            return 0
        on_member = [] if person_urn is None else [MergeProposal.person_urn == person_urn]
        result = self.session.execute(
            update(MergeProposal)
            .where(
                MergeProposal.tenant_id == self.tenant,
                *on_member,
                MergeProposal.candidate_id.in_(ids),
                MergeProposal.state == ProposalState.OPEN.value,
            )
            .values(state=state.value, decided_by=decided_by, decided_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def proposal(self, person_urn: str, candidate_id: str) -> MergeProposal | None:
        return self.session.get(MergeProposal, (self.tenant, person_urn, candidate_id))

    def open_proposals(self, *, limit: int = 100, after: str | None = None) -> list[MergeProposal]:
        """Open proposals by candidate id (then member), ``limit`` of them after ``after``."""
        stmt = (
            select(MergeProposal)
            .where(MergeProposal.tenant_id == self.tenant, MergeProposal.state == ProposalState.OPEN.value)
            .order_by(MergeProposal.candidate_id, MergeProposal.person_urn)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(MergeProposal.candidate_id > after)
        return list(self.session.scalars(stmt))

    def _locked(self, person_urn: str) -> MemberClaim | None:
        stmt = select(MemberClaim).where(
            MemberClaim.tenant_id == self.tenant, MemberClaim.person_urn == person_urn
        )
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt.execution_options(populate_existing=True)).first()

    def _release_others(self, candidate_id: str, keep: str) -> None:
        self.session.execute(
            delete(MemberClaim)
            .where(
                MemberClaim.tenant_id == self.tenant,
                MemberClaim.candidate_id == candidate_id,
                MemberClaim.person_urn != keep,
            )
            .execution_options(synchronize_session="fetch")
        )
