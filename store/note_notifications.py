"""E-mails about replies to prospect notes: one row per (reply, user), written before the e-mail goes.

The row is the intent; its state says whether the SMTP server accepted the e-mail. A redelivered
reply event finds the rows and sends only what is still pending, so each user gets the e-mail once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.upsert import insert_ignore


class NotificationState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    #: The SMTP server refused this recipient for good; not retried.
    REFUSED = "refused"
    #: Not sent: the user could no longer see the note (or turned notifications off) before it went.
    SKIPPED = "skipped"


class NoteReplyNotification(TenantScoped, Base):
    __tablename__ = "note_reply_notifications"

    reply_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    note_id: Mapped[str] = mapped_column(String(200))
    #: The e-mail's Message-ID, the same on every attempt.
    message_id: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default=NotificationState.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class NoteNotifications(TenantRepository):
    def intend(self, reply_id: str, user_id: str, note_id: str, message_id: str) -> bool:
        return insert_ignore(
            self.session,
            NoteReplyNotification.__table__,
            {
                "tenant_id": self.tenant,
                "reply_id": reply_id,
                "user_id": user_id,
                "note_id": note_id,
                "message_id": message_id,
                "state": NotificationState.PENDING.value,
                "created_at": utcnow(),
            },
            key=("tenant_id", "reply_id", "user_id"),
        )

    def of_reply(self, reply_id: str) -> list[NoteReplyNotification]:
        return list(
            self.session.scalars(
                select(NoteReplyNotification)
                .where(
                    NoteReplyNotification.tenant_id == self.tenant,
                    NoteReplyNotification.reply_id == reply_id,
                )
                .order_by(NoteReplyNotification.user_id)
            )
        )

    def settle(self, reply_id: str, user_id: str, state: NotificationState, error: str | None = None) -> None:
        self.session.execute(
            update(NoteReplyNotification)
            .where(
                NoteReplyNotification.tenant_id == self.tenant,
                NoteReplyNotification.reply_id == reply_id,
                NoteReplyNotification.user_id == user_id,
            )
            .values(state=state.value, sent_at=utcnow(), error=error)
            .execution_options(synchronize_session=False)
        )
