"""Prospect notes synced from LinkedIn, and the one rule that decides who may see each.

A note's author is the ATS user connected to the seat that wrote it. "Anyone in my organization"
notes are visible to every present user with a connected seat; "Only me" notes (and notes whose
visibility LinkedIn did not say, or said in a way not known) to their author alone, and to nobody
while the seat has no user; a note deleted in LinkedIn (``active: false``) to nobody. Every read
path (candidate view, activity feed, HTTP, reply notifications) asks :class:`NoteAudience`, never
the rows directly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from schemas.linkedin import NoteVisibility, ProspectNote
from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.seats import Seat
from store.upsert import upsert_snapshot
from store.users import AtsUser


class ProspectNoteRecord(TenantScoped, Base):
    __tablename__ = "prospect_notes"
    __table_args__ = (Index("ix_prospect_notes_member", "tenant_id", "member_urn"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    member_urn: Mapped[str | None] = mapped_column(String(200))
    contract: Mapped[str] = mapped_column(String(200))
    owner_seat: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    #: ORGANIZATION or PRIVATE; a note LinkedIn sent with no, or an unknown, visibility is PRIVATE.
    visibility: Mapped[str] = mapped_column(String(16))
    #: The visibility as LinkedIn wrote it (None: it sent none).
    visibility_sent: Mapped[str | None] = mapped_column(String(64))
    #: False once LinkedIn reports the note deleted; the row stays so an older version cannot return.
    active: Mapped[bool] = mapped_column(Boolean)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    last_modified_ms: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ProspectNotes(TenantRepository):
    def get(self, note_id: str) -> ProspectNoteRecord | None:
        return self.session.get(ProspectNoteRecord, (self.tenant, note_id))

    def apply(self, note: ProspectNote) -> bool:
        """Store this version unless a version as new or newer is stored. True when it changed."""
        return upsert_snapshot(
            self.session,
            ProspectNoteRecord.__table__,
            {
                "tenant_id": self.tenant,
                "id": note.note_id,
                "member_urn": note.member,
                "contract": note.contract,
                "owner_seat": note.owner,
                "text": note.text if note.active else None,
                "visibility": note.visibility.value,
                "visibility_sent": note.visibility_sent,
                "active": note.active,
                "created_ms": note.created_ms,
                "last_modified_ms": note.last_modified_ms,
                "stored_at": utcnow(),
            },
            order=("last_modified_ms",),
        )

    def of_member(self, member_urn: str) -> list[ProspectNoteRecord]:
        return list(
            self.session.scalars(
                select(ProspectNoteRecord)
                .where(
                    ProspectNoteRecord.tenant_id == self.tenant,
                    ProspectNoteRecord.member_urn == member_urn,
                    ProspectNoteRecord.active,
                )
                .order_by(ProspectNoteRecord.created_ms, ProspectNoteRecord.id)
            )
        )

    def recent_organization_notes(self, limit: int) -> list[ProspectNoteRecord]:
        return list(
            self.session.scalars(
                select(ProspectNoteRecord)
                .where(
                    ProspectNoteRecord.tenant_id == self.tenant,
                    ProspectNoteRecord.active,
                    ProspectNoteRecord.visibility == NoteVisibility.ORGANIZATION.value,
                )
                .order_by(ProspectNoteRecord.last_modified_ms.desc(), ProspectNoteRecord.id)
                .limit(limit)
            )
        )


class NoteAudience:
    """Who may see which note, from the tenant's seats and users as they are now."""

    def __init__(self, session: Session, tenant: str) -> None:
        seats = session.scalars(select(Seat).where(Seat.tenant_id == tenant, Seat.user_id.is_not(None)))
        users = session.scalars(select(AtsUser).where(AtsUser.tenant_id == tenant))
        self.users: dict[str, AtsUser] = {u.id: u for u in users if u.is_present}
        #: seat URN -> the present user connected to it.
        self.user_of_seat: dict[str, str] = {
            s.urn: s.user_id for s in seats if s.user_id is not None and s.user_id in self.users
        }
        self.seated: set[str] = set(self.user_of_seat.values())

    def author_of(self, note: ProspectNoteRecord) -> str | None:
        return self.user_of_seat.get(note.owner_seat)

    def can_see(self, note: ProspectNoteRecord, user_id: str) -> bool:
        if not note.active or user_id not in self.seated:
            return False
        if note.visibility == NoteVisibility.ORGANIZATION.value:
            return True
        return self.author_of(note) == user_id

    def members(self, note: ProspectNoteRecord) -> list[AtsUser]:
        """Every user who can see the note."""
        return [self.users[u] for u in sorted(self.seated) if self.can_see(note, u)]
