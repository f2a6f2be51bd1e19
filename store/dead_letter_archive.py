"""Dead letters kept beyond RabbitMQ's dead-letter TTL: the message, encrypted, with where it died.

RabbitMQ drops a dead letter from ``Q.XQ`` after ``dramatiq_dead_message_ttl`` (seven days), payload
and all. The scheduler archives every dead letter here long before that (``events.dead_letters``), so
a message nobody replayed over a long holiday can still be read and replayed (``rsc dlq``). The body
holds personal data: it is Fernet-encrypted with ``RSC_SECRET_KEY``, and the candidate, application
and member it is about are kept beside it, so the erasure (which deletes the rows of every table
naming an erased candidate, application or member) removes it with the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from rsc.crypto import Keyring
from store.base import Base, utcnow
from store.repository import Repository
from store.upsert import insert_ignore


class ArchivedDeadLetter(Base):
    __tablename__ = "archived_dead_letters"
    __table_args__ = (
        Index("ix_archived_dead_letters_tenant_candidate", "tenant_id", "candidate_id"),
        Index("ix_archived_dead_letters_tenant_member", "tenant_id", "member_urn"),
    )

    message_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: The feature queue whose ``Q.XQ`` held it.
    queue: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str | None] = mapped_column(String(100))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    #: What the event is about, read from its data, so an erasure finds it.
    candidate_id: Mapped[str | None] = mapped_column(String(200))
    application_id: Mapped[str | None] = mapped_column(String(200))
    member_urn: Mapped[str | None] = mapped_column(String(200))
    #: The message body as it was in ``Q.XQ``, encrypted.
    body_enc: Mapped[str] = mapped_column(Text)
    #: When RabbitMQ dead-lettered it (its ``x-death`` time, else when it was archived).
    dead_since: Mapped[datetime]
    archived_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set once it was replayed or purged; it is then history, not work.
    settled_at: Mapped[datetime | None]
    settled_how: Mapped[str | None] = mapped_column(String(16))

    def body(self, keyring: Keyring) -> bytes:
        return keyring.decrypt(self.body_enc).encode("latin-1")


class DeadLetterArchive(Repository):
    def add(
        self,
        *,
        message_id: str,
        queue: str,
        actor: str | None,
        tenant_id: str | None,
        body: bytes,
        dead_since: datetime,
        about: dict[str, str | None],
    ) -> bool:
        """Archive a dead letter once; True when it was not archived yet."""
        return insert_ignore(
            self.session,
            ArchivedDeadLetter.__table__,
            {
                "message_id": message_id,
                "queue": queue,
                "actor": actor,
                "tenant_id": tenant_id,
                "candidate_id": about.get("candidate_id"),
                "application_id": about.get("application_id"),
                "member_urn": about.get("member_urn"),
                # latin-1 maps every byte to one character: any body survives the text column.
                "body_enc": self.keyring.encrypt(body.decode("latin-1")),
                "dead_since": dead_since,
                "archived_at": utcnow(),
            },
            key=("message_id",),
        )

    def archived_ids(self, message_ids: list[str]) -> set[str]:
        if not message_ids:
            return set()
        return set(
            self.session.scalars(
                select(ArchivedDeadLetter.message_id).where(ArchivedDeadLetter.message_id.in_(message_ids))
            )
        )

    def get(self, message_id: str) -> ArchivedDeadLetter | None:
        return self.session.get(ArchivedDeadLetter, message_id)

    def open_letters(self) -> list[ArchivedDeadLetter]:
        """Archived dead letters neither replayed nor purged, oldest first."""
        return list(
            self.session.scalars(
                select(ArchivedDeadLetter)
                .where(ArchivedDeadLetter.settled_at.is_(None))
                .order_by(ArchivedDeadLetter.dead_since, ArchivedDeadLetter.message_id)
            )
        )

    def settle(self, message_ids: list[str], how: str) -> None:
        """Mark dead letters replayed or purged (``how``); their rows stay as history."""
        if message_ids:
            self.session.execute(
                update(ArchivedDeadLetter)
                .where(ArchivedDeadLetter.message_id.in_(message_ids))
                .values(settled_at=utcnow(), settled_how=how)
            )

    def open_older_than(self, cutoff: datetime) -> dict[str, int]:
        """Open dead letters dead since before ``cutoff``, counted by queue."""
        rows = self.session.execute(
            select(ArchivedDeadLetter.queue, func.count())
            .where(ArchivedDeadLetter.settled_at.is_(None), ArchivedDeadLetter.dead_since < cutoff)
            .group_by(ArchivedDeadLetter.queue)
        )
        return {queue: int(count) for queue, count in rows}
