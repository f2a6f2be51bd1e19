"""The inbox: each (consumer, event source, event id) takes effect exactly once.

The inbox row is written in the same transaction as the effect, so a redelivered or replayed event
finds its row and changes nothing, and a crash before commit leaves neither behind.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.upsert import insert_ignore


class InboxEntry(TenantScoped, Base):
    __tablename__ = "inbox"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_source: Mapped[str] = mapped_column(String(500), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Inbox:
    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def seen(self, consumer: str, source: str, event_id: str) -> bool:
        return (
            self.session.scalar(
                select(InboxEntry.event_id).where(
                    InboxEntry.tenant_id == self.tenant,
                    InboxEntry.consumer == consumer,
                    InboxEntry.event_source == source,
                    InboxEntry.event_id == event_id,
                )
            )
            is not None
        )

    def record(self, consumer: str, source: str, event_id: str) -> bool:
        """Claim the event for this consumer. False when it was already processed."""
        return insert_ignore(
            self.session,
            InboxEntry.__table__,  # type: ignore[arg-type]
            {
                "tenant_id": self.tenant,
                "consumer": consumer,
                "event_source": source,
                "event_id": event_id,
                "processed_at": utcnow(),
            },
            key=("tenant_id", "consumer", "event_source", "event_id"),
        )
