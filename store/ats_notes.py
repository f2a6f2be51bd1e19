"""Notes written in the ATS about a candidate or one of its applications (LinkedIn: candidate and
application notes, reference §3.5 and §3.6). Stored as snapshots, newest wins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from schemas.ats import CandidateNoteSnapshot
from store.base import Base, TenantScoped, to_ms
from store.repository import TenantRepository
from store.upsert import upsert_snapshot


class AtsNote(TenantScoped, Base):
    __tablename__ = "ats_notes"
    __table_args__ = (Index("ix_ats_notes_candidate", "tenant_id", "candidate_id"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(200))
    #: Set for a note about one application: LinkedIn keeps it under that application.
    application_id: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    author_first_name: Mapped[str | None] = mapped_column(Text)
    author_last_name: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]
    source_modified_ms: Mapped[int] = mapped_column(BigInteger)
    source_revision: Mapped[int] = mapped_column(Integer, default=0)


class AtsNotes(TenantRepository):
    def get(self, note_id: str) -> AtsNote | None:
        return self.session.get(AtsNote, (self.tenant, note_id))

    def many(self, note_ids: list[str]) -> dict[str, AtsNote]:
        rows = self.session.scalars(
            select(AtsNote).where(AtsNote.tenant_id == self.tenant, AtsNote.id.in_(note_ids))
        )
        return {note.id: note for note in rows}

    def apply(self, snapshot: CandidateNoteSnapshot) -> bool:
        """Store the snapshot unless the stored one is as new or newer. True when it changed."""
        author = snapshot.author
        return upsert_snapshot(
            self.session,
            AtsNote.__table__,
            {
                "tenant_id": self.tenant,
                "id": snapshot.note_id,
                "candidate_id": snapshot.candidate_id,
                "application_id": snapshot.application_id,
                "text": snapshot.text,
                "author_first_name": author.first_name if author else None,
                "author_last_name": author.last_name if author else None,
                "created_at": snapshot.created_at,
                "modified_at": snapshot.modified_at,
                "source_modified_ms": to_ms(snapshot.modified_at),
                "source_revision": snapshot.revision,
            },
        )
