"""InMail messages polled from LinkedIn, kept per LinkedIn member.

A candidate shows the messages of the member it is linked to (its person URN), in thread order, so
messages that arrive before the candidate exists, or move with the person URN in a merge, are never
lost or copied.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from schemas.linkedin import InMailMessage
from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.upsert import insert_ignore


class InMailRecord(TenantScoped, Base):
    __tablename__ = "inmail_messages"
    __table_args__ = (Index("ix_inmail_messages_member", "tenant_id", "member_urn", "created_ms"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    member_urn: Mapped[str | None] = mapped_column(String(200))
    thread: Mapped[str] = mapped_column(String(200))
    viewer: Mapped[str] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(200))
    created_ms: Mapped[int] = mapped_column(BigInteger)
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class InMails(TenantRepository):
    def add(self, message: InMailMessage) -> bool:
        """Store the message once. True when it is new."""
        return insert_ignore(
            self.session,
            InMailRecord.__table__,
            {
                "tenant_id": self.tenant,
                "id": message.event_id,
                "member_urn": message.member,
                "thread": message.thread,
                "viewer": message.viewer,
                "author": message.author,
                "created_ms": message.created_ms,
                "subject": message.subject,
                "body": message.body,
                "stored_at": utcnow(),
            },
            key=("tenant_id", "id"),
        )

    def of_member(self, member_urn: str) -> list[InMailRecord]:
        """The member's messages, thread by thread (threads by their first message), each in order."""
        rows = list(
            self.session.scalars(
                select(InMailRecord)
                .where(InMailRecord.tenant_id == self.tenant, InMailRecord.member_urn == member_urn)
                .order_by(InMailRecord.created_ms, InMailRecord.id)
            )
        )
        first: dict[str, int] = {}
        for row in rows:
            first.setdefault(row.thread, row.created_ms)
        return sorted(rows, key=lambda r: (first[r.thread], r.thread, r.created_ms, r.id))
