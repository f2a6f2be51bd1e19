"""The inbox: each (consumer, event source, event id) takes effect exactly once.

The inbox row is written in the same transaction as the effect, so a redelivered or replayed event
finds its row and changes nothing, and a crash before commit leaves neither behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.tombstones import Guard, lock_keys_sql
from store.upsert import insert_ignore


class InboxEntry(TenantScoped, Base):
    __tablename__ = "inbox"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_source: Mapped[str] = mapped_column(String(500), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Inbox(TenantRepository):
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

    def record(self, consumer: str, source: str, event_id: str, *, guards: Sequence[Guard] = ()) -> bool:
        """Claim the event for this consumer. False when it was already processed.

        ``guards``: tombstone guards the handler checks next (``store.tombstones``). On PostgreSQL
        their shared locks are taken in the same round trip as the claim, so the statements that
        read their tombstones afterwards see any erasure that held them committed.
        """
        row = {
            "tenant_id": self.tenant,
            "consumer": consumer,
            "event_source": source,
            "event_id": event_id,
            "processed_at": utcnow(),
        }
        if guards and self.session.get_bind().dialect.name == "postgresql":
            self.session.flush()
            keys = sorted({guard.lock_key for guard in guards})  # in key order, as erasures lock
            claimed = self.session.connection().execute(_CLAIM_AND_LOCK, {**row, "keys": keys}).scalar()
            return bool(claimed)
        return insert_ignore(self.session, InboxEntry.__table__, row, key=_KEY)

    def record_all(
        self, consumer: str, events: Sequence[tuple[str, str]], *, guards: Sequence[Guard] = ()
    ) -> set[tuple[str, str]]:
        """``record`` for several events (``(source, event id)`` each) at once: the ones this call
        claimed. An event listed twice is claimed once.

        On PostgreSQL the claims and the guards' shared locks (in key order) are one statement,
        whatever the number of events, so a group of events costs one round trip where one each
        would cost as many.
        """
        keys = sorted(set(events))  # in key order, so two groups sharing an event cannot deadlock
        if not keys:
            return set()
        if self.session.get_bind().dialect.name != "postgresql":
            return {key for key in keys if self.record(consumer, *key)}
        self.session.flush()
        sources, ids = zip(*keys, strict=True)
        params = {
            "tenant_id": self.tenant,
            "consumer": consumer,
            "sources": list(sources),
            "ids": list(ids),
            "processed_at": utcnow(),
            "keys": sorted({guard.lock_key for guard in guards}),
        }
        claimed_sources, claimed_ids, _ = self.session.connection().execute(_CLAIM_ALL_AND_LOCK, params).one()
        return set(zip(claimed_sources, claimed_ids, strict=True))


_KEY = ("tenant_id", "consumer", "event_source", "event_id")


#: The inbox claim and the guards' shared advisory locks in one statement (PostgreSQL).
_CLAIM_AND_LOCK = text(
    "WITH claimed AS ("  # noqa: S608 (built from constants only)
    "INSERT INTO inbox (tenant_id, consumer, event_source, event_id, processed_at) "
    "VALUES (:tenant_id, :consumer, :event_source, :event_id, :processed_at) "
    "ON CONFLICT (tenant_id, consumer, event_source, event_id) DO NOTHING RETURNING 1) "
    f"SELECT (SELECT count(*) FROM claimed), ({lock_keys_sql(exclusive=False)})"
)

#: The claims of several events of one tenant and consumer, and their guards' shared advisory locks,
#: in one statement (PostgreSQL): the claimed events' sources and ids, as two arrays.
_CLAIM_ALL_AND_LOCK = text(
    "WITH claimed AS ("  # noqa: S608 (built from constants only)
    "INSERT INTO inbox (tenant_id, consumer, event_source, event_id, processed_at) "
    "SELECT :tenant_id, :consumer, e.source, e.id, :processed_at "
    "FROM unnest(CAST(:sources AS varchar[]), CAST(:ids AS varchar[])) AS e(source, id) "
    "ON CONFLICT (tenant_id, consumer, event_source, event_id) DO NOTHING "
    "RETURNING event_source, event_id) "
    "SELECT ARRAY(SELECT event_source FROM claimed), ARRAY(SELECT event_id FROM claimed), "
    f"({lock_keys_sql(exclusive=False)})"
)
