"""Merges of a LinkedIn-made candidate into an existing one, recorded so each can be undone."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, Json, TenantScoped, utcnow
from store.repository import TenantRepository


class MergeState(StrEnum):
    MERGED = "merged"
    UNDONE = "undone"


class CandidateMerge(TenantScoped, Base):
    __tablename__ = "candidate_merges"
    __table_args__ = (
        Index("ix_candidate_merges_source", "tenant_id", "source_candidate_id"),
        Index("ix_candidate_merges_target", "tenant_id", "target_candidate_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The LinkedIn-made candidate whose data moved (kept, so an unmerge can restore it).
    source_candidate_id: Mapped[str] = mapped_column(String(200))
    #: The existing candidate with the same last name and e-mail address.
    target_candidate_id: Mapped[str] = mapped_column(String(200))
    person_urn: Mapped[str] = mapped_column(String(200))
    #: What moved: application ids; message and note ids (they follow the person URN).
    moved: Mapped[dict[str, list[str]]] = mapped_column(Json)
    #: The target's fields the merge changed, as they were before (restored by an unmerge).
    target_before: Mapped[dict[str, Any]] = mapped_column(Json)
    #: The same fields as the merge left them: an unmerge restores only those still unchanged.
    target_after: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    #: What triggered the merge (the stub id).
    cause: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default=MergeState.MERGED)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]


class CandidateMerges(TenantRepository):
    def add(self, merge: CandidateMerge) -> CandidateMerge:
        merge.tenant_id = self.tenant
        self.session.add(merge)
        self.session.flush()
        return merge

    def active_from(self, source_candidate_id: str) -> CandidateMerge | None:
        """The merge that folded this candidate into another, unless it was undone."""
        return self.session.scalars(
            select(CandidateMerge).where(
                CandidateMerge.tenant_id == self.tenant,
                CandidateMerge.source_candidate_id == source_candidate_id,
                CandidateMerge.state == MergeState.MERGED.value,
            )
        ).first()

    def active_into(self, target_candidate_id: str) -> list[CandidateMerge]:
        return list(
            self.session.scalars(
                select(CandidateMerge)
                .where(
                    CandidateMerge.tenant_id == self.tenant,
                    CandidateMerge.target_candidate_id == target_candidate_id,
                    CandidateMerge.state == MergeState.MERGED.value,
                )
                .order_by(CandidateMerge.merged_at)
            )
        )

    def was_undone(self, source_candidate_id: str, target_candidate_id: str) -> bool:
        """An operator undid this pairing once: it is not merged again automatically."""
        return (
            self.session.scalars(
                select(CandidateMerge.id).where(
                    CandidateMerge.tenant_id == self.tenant,
                    CandidateMerge.source_candidate_id == source_candidate_id,
                    CandidateMerge.target_candidate_id == target_candidate_id,
                    CandidateMerge.state == MergeState.UNDONE.value,
                )
            ).first()
            is not None
        )
