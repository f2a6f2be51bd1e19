"""The final error of every dead-lettered message.

RabbitMQ's dead-letter copy of a Dramatiq message carries the state of the last *enqueue*, not the
error that killed it, so the worker records the error here before it rejects the message.
Reasons name what went wrong without quoting personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, BigId, utcnow
from store.repository import Repository
from store.upsert import dialect_insert


class DeadLetter(Base):
    __tablename__ = "dead_letters"
    __table_args__ = (Index("ix_dead_letters_queue_reason", "queue", "reason_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    queue: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(100))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(200))
    event_source: Mapped[str | None] = mapped_column(String(500))
    event_type: Mapped[str | None] = mapped_column(String(200))
    #: A short, stable code to group and filter by (``job_not_published``, ``schema_violation``...).
    reason_code: Mapped[str] = mapped_column(String(64))
    #: The human-readable reason, naming the thing and the fix.
    reason: Mapped[str] = mapped_column(Text)
    error_class: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: How many times the message died (a replayed message that dies again counts up).
    deaths: Mapped[int] = mapped_column(Integer, default=1)
    replayed_at: Mapped[datetime | None]
    replays: Mapped[int] = mapped_column(BigInteger, default=0)


@dataclass(frozen=True)
class DeadLetterRecord:
    message_id: str
    queue: str
    actor: str
    tenant_id: str | None
    event_id: str | None
    event_source: str | None
    event_type: str | None
    reason_code: str
    reason: str
    error_class: str
    attempts: int


class DeadLetters(Repository):
    def record(self, rec: DeadLetterRecord) -> None:
        values = {**rec.__dict__, "failed_at": utcnow(), "deaths": 1}
        stmt = dialect_insert(self.session, DeadLetter.__table__).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["message_id"],
            set_={
                **{k: stmt.excluded[k] for k in values if k not in ("message_id", "deaths")},
                "deaths": DeadLetter.__table__.c.deaths + 1,
            },
        )
        self.session.execute(stmt)

    def get(self, message_id: str) -> DeadLetter | None:
        return self.session.scalars(select(DeadLetter).where(DeadLetter.message_id == message_id)).first()

    def list(
        self,
        *,
        queue: str | None = None,
        reason_code: str | None = None,
        tenant_id: str | None = None,
        limit: int = 1000,
    ) -> list[DeadLetter]:
        stmt = select(DeadLetter).order_by(DeadLetter.failed_at.desc()).limit(limit)
        if queue:
            stmt = stmt.where(DeadLetter.queue == queue)
        if reason_code:
            stmt = stmt.where(DeadLetter.reason_code == reason_code)
        if tenant_id:
            stmt = stmt.where(DeadLetter.tenant_id == tenant_id)
        return list(self.session.scalars(stmt))


class Rejection(Base):
    """An input refused at the door (ingress or publisher): what, why, never the body itself."""

    __tablename__ = "rejections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    reason_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    body_bytes: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rejections(Repository):
    def record(
        self,
        *,
        channel: str,
        tenant_id: str | None,
        reason_code: str,
        reason: str,
        http_status: int | None = None,
        body: bytes | None = None,
    ) -> None:
        import hashlib

        self.session.add(
            Rejection(
                channel=channel,
                tenant_id=tenant_id,
                reason_code=reason_code,
                reason=reason,
                http_status=http_status,
                body_sha256=hashlib.sha256(body).hexdigest() if body is not None else None,
                body_bytes=len(body) if body is not None else None,
            )
        )

    def list(self, *, tenant_id: str | None = None, limit: int = 1000) -> list[Rejection]:
        stmt = select(Rejection).order_by(Rejection.id.desc()).limit(limit)
        if tenant_id:
            stmt = stmt.where(Rejection.tenant_id == tenant_id)
        return list(self.session.scalars(stmt))
