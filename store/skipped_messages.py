"""Messages settled without being processed, and why: work for a tenant whose integration is off.

While a tenant's integration is not enabled (or was disabled) nothing of it may reach LinkedIn, so
messages that would talk to LinkedIn for it are acknowledged without running, and recorded here with
the reason, instead of being retried forever or dead-lettered (``workers.runtime.integration_gate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Index, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, BigId, utcnow
from store.repository import Repository


class SkippedMessage(Base):
    __tablename__ = "skipped_messages"
    __table_args__ = (Index("ix_skipped_messages_tenant", "tenant_id", "skipped_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str | None] = mapped_column(String(200))
    event_id: Mapped[str | None] = mapped_column(String(200))
    #: ``integration_not_enabled`` or ``integration_disabled``.
    reason_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    skipped_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class SkippedCount:
    queue: str
    reason_code: str
    count: int
    last: datetime


class SkippedMessages(Repository):
    """Operator view (not bound to one tenant)."""

    def record(self, message: SkippedMessage) -> None:
        self.session.add(message)

    def counts(self, tenant_id: str) -> list[SkippedCount]:
        rows = self.session.execute(
            select(
                SkippedMessage.queue,
                SkippedMessage.reason_code,
                func.count(),
                func.max(SkippedMessage.skipped_at),
            )
            .where(SkippedMessage.tenant_id == tenant_id)
            .group_by(SkippedMessage.queue, SkippedMessage.reason_code)
            .order_by(SkippedMessage.queue, SkippedMessage.reason_code)
        )
        return [SkippedCount(queue, code, int(count), last) for queue, code, count, last in rows]
