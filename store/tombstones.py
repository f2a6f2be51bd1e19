"""What is left of an erased candidate, application or LinkedIn member: a keyed hash and a time.

When a candidate is deleted in the ATS its personal data is erased from every table; the tombstone
is what remains, so that an event about it that is older than the deletion (a late InMail, a
redelivered export, a replayed ATS update) changes nothing. The key is an HMAC of the identifier
(``Keyring.keyed_hash`` with the store's keyring): without ``RSC_SECRET_KEY`` it cannot be reversed or
recomputed, so a tombstone says nothing about whom it buries to someone reading the table.

Two times are kept. ``deleted_at`` is when the ATS deleted the record (its own clock): ATS events
are compared with it. ``erased_at`` is when this store erased it: anything LinkedIn made before
either (an InMail, a stub, a note, an export) stays erased, so LinkedIn items are compared with the
later of the two. An event newer than the deletion is a new fact (a new export is a new consent)
and passes.

Guards and erasures of one subject are serialised: on PostgreSQL a guard takes a shared
transaction-level advisory lock on the subject and an erasure an exclusive one, so a handler cannot
read "no tombstone" and then write a row that the erasure has just deleted. SQLite serialises
writers already (every transaction begins IMMEDIATE).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, case, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from rsc.crypto import Keyring
from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.upsert import dialect_insert


class Subject(StrEnum):
    CANDIDATE = "candidate"
    APPLICATION = "application"
    #: A LinkedIn member (person URN) whose data was erased with its candidate.
    MEMBER = "member"


class Tombstone(TenantScoped, Base):
    __tablename__ = "erasure_tombstones"

    #: keyed_hash(tenant, kind, identifier): the identifier itself is not kept.
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: When the ATS deleted the record (the latest deletion, if it was deleted more than once).
    deleted_at: Mapped[datetime]
    #: When the store erased it.
    erased_at: Mapped[datetime]
    #: The deletion receipt that proves it (``store.deletion_receipts``).
    receipt_id: Mapped[str] = mapped_column(String(32))


def subject_of(keyring: Keyring, tenant: str, kind: Subject, identifier: str) -> str:
    return keyring.keyed_hash("tombstone", tenant, kind.value, identifier)


def _lock_key(subject: str) -> int:
    """A signed 64-bit advisory lock key from the subject's hash."""
    return int.from_bytes(bytes.fromhex(subject[:16]), "big", signed=True)


@dataclass(frozen=True)
class Guard:
    """A subject a handler checks before writing, for handlers that fold the check into their own
    statements: the inbox claim takes its shared lock (``Inbox.record``), a later statement of the
    same transaction reads its tombstone (``deletion_times``), ``erased`` compares."""

    subject: str
    lock_key: int


def lock_keys_sql(*, exclusive: bool) -> str:
    """A SELECT taking the advisory transaction locks of ``:keys`` (a bigint array), in its order."""
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    return f"SELECT count({function}(k)) FROM unnest(CAST(:keys AS bigint[])) AS t(k)"  # noqa: S608


def deletion_times(tenant: Any, subject: Any) -> tuple[Any, Any]:
    """Scalar subqueries of a subject's tombstone times (deleted_at, erased_at), NULL without one."""
    table = Tombstone.__table__.c
    where = (table.tenant_id == tenant, table.subject == subject)
    return (
        select(table.deleted_at).where(*where).scalar_subquery(),
        select(table.erased_at).where(*where).scalar_subquery(),
    )


def erased(deleted_at: datetime | None, erased_at: datetime | None, at: datetime, *, linkedin: bool) -> bool:
    """Whether an event made at ``at`` predates the deletion these tombstone times record.

    ``linkedin``: the event is something LinkedIn made, compared with the later of the two times.
    """
    if deleted_at is None or erased_at is None:
        return False
    return at <= (max(deleted_at, erased_at) if linkedin else deleted_at)


class Tombstones(TenantRepository):
    def subject(self, kind: Subject, identifier: str) -> str:
        return subject_of(self.keyring, self.tenant, kind, identifier)

    def guard(self, kind: Subject, identifier: str) -> Guard:
        subject = self.subject(kind, identifier)
        return Guard(subject, _lock_key(subject))

    def get(self, kind: Subject, identifier: str) -> Tombstone | None:
        return self.session.get(Tombstone, (self.tenant, self.subject(kind, identifier)))

    def lock(self, kind: Subject, identifiers: Iterable[str], *, exclusive: bool) -> None:
        """Serialise with guards (shared) or erasures (exclusive) of the same subjects (PostgreSQL)."""
        self._lock({_lock_key(self.subject(kind, i)) for i in identifiers}, exclusive=exclusive)

    def _lock(self, keys: set[int], *, exclusive: bool) -> None:
        if not keys or self.session.get_bind().dialect.name != "postgresql":
            return
        # In key order, so two erasures sharing subjects cannot deadlock on them.
        self.session.execute(text(lock_keys_sql(exclusive=exclusive)), {"keys": sorted(keys)})

    def erased_since(self, kind: Subject, identifier: str, at: datetime, *, linkedin: bool = False) -> bool:
        """Whether ``identifier`` was erased by a deletion not older than ``at`` (an event's time).

        ``linkedin``: the event is something LinkedIn made (compared with the later of the
        deletion and the erasure). Call it inside the transaction that would write, before writing.
        """
        self.lock(kind, [identifier], exclusive=False)
        tombstone = self.get(kind, identifier)
        if tombstone is None:
            return False
        return erased(tombstone.deleted_at, tombstone.erased_at, at, linkedin=linkedin)

    def member_erased_since(self, person_urn: str | None, at_ms: int) -> bool:
        """Whether something LinkedIn made about ``person_urn`` at ``at_ms`` predates its erasure."""
        if person_urn is None:
            return False
        at = datetime.fromtimestamp(at_ms / 1000, UTC)
        return self.erased_since(Subject.MEMBER, person_urn, at, linkedin=True)

    def bury(
        self, kind: Subject, identifiers: Iterable[str], *, deleted_at: datetime, receipt_id: str
    ) -> int:
        """Leave a tombstone for each identifier (a later deletion moves its times forward)."""
        now = utcnow()
        rows = [
            {
                "tenant_id": self.tenant,
                "subject": self.subject(kind, identifier),
                "kind": kind.value,
                "deleted_at": deleted_at,
                "erased_at": now,
                "receipt_id": receipt_id,
            }
            for identifier in sorted(set(identifiers))
        ]
        if not rows:
            return 0
        table = Tombstone.__table__
        stmt = dialect_insert(self.session, table).values(rows)
        later = stmt.excluded.deleted_at >= table.c.deleted_at
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id", "subject"],
            set_={
                "deleted_at": case((later, stmt.excluded.deleted_at), else_=table.c.deleted_at),
                "erased_at": stmt.excluded.erased_at,
                "receipt_id": case((later, stmt.excluded.receipt_id), else_=table.c.receipt_id),
            },
        )
        self.session.execute(stmt)
        return len(rows)

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).where(Tombstone.tenant_id == self.tenant)) or 0)
