"""Deletion receipts: proof that a deleted candidate or application is gone, here and on LinkedIn.

One receipt per deletion the ATS asked for. It says what was erased in the store (rows per table),
which LinkedIn records were deleted (application keys, and the candidate's) with LinkedIn's answer
for each, and when; it holds no personal data. The candidate it concerns is named only by a keyed
hash of its id (``store.tombstones``), so a receipt is found by whoever knows the id
(``rsc privacy receipt --tenant T CANDIDATE_ID``) and says nothing to anyone else.

Until LinkedIn has confirmed every delete the receipt is *pending*: the keys still to delete are kept
encrypted with ``RSC_SECRET_KEY`` (they include the candidate's id), and the deletion sweep retries
them with backoff, however long LinkedIn takes. Then they are dropped and the receipt is *confirmed*
(or *refused* where LinkedIn refused a key for good, with its reason).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from rsc.crypto import Keyring
from store.base import Base, Json, TenantScoped, utcnow
from store.repository import TenantRepository

#: How long a worker holds a receipt while it sends its deletes.
RECEIPT_LEASE = timedelta(minutes=2)
_NAMESPACE = uuid.UUID("5f0e3c1a-9b7d-4e2f-8a61-3d2c1b0a9e87")


class DeletionKind(StrEnum):
    CANDIDATE = "candidate"
    APPLICATION = "application"


class ReceiptState(StrEnum):
    #: Erased in the store; LinkedIn has not confirmed every delete yet (retried until it does).
    PENDING = "pending"
    #: LinkedIn confirmed every delete (or did not hold the record).
    CONFIRMED = "confirmed"
    #: LinkedIn refused to delete a key for good; the receipt names it and LinkedIn's reason.
    REFUSED = "refused"


class LinkedInOutcome(StrEnum):
    DELETED = "deleted"
    #: LinkedIn did not hold the record (never synced, or deleted already).
    NOT_HELD = "not_held"
    REFUSED = "refused"


class DeletionReceipt(TenantScoped, Base):
    __tablename__ = "deletion_receipts"
    __table_args__ = (
        Index("ix_deletion_receipts_subject", "tenant_id", "subject"),
        Index("ix_deletion_receipts_application", "tenant_id", "application_subject"),
        Index("ix_deletion_receipts_due", "state", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: Keyed hash of the candidate's id (for an application: of its candidate, when known).
    subject: Mapped[str | None] = mapped_column(String(64))
    #: Keyed hash of the application's id (application deletions only).
    application_subject: Mapped[str | None] = mapped_column(String(64))
    #: When the ATS deleted the record (the event's ``deleted_at``).
    requested_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the store erased it (the same transaction as the tombstones).
    erased_at: Mapped[datetime]
    #: Rows erased per table of the store (scrubbed rows of other records count too).
    store_rows: Mapped[dict[str, int]] = mapped_column(Json, default=dict)
    #: LinkedIn's answer per key: [{"resource", "key" | "role", "outcome", "status", "at"}].
    linkedin: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    #: Keys still to delete, {"atsApplications": [...], "atsCandidates": [...]}, encrypted.
    pending_enc: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=ReceiptState.PENDING)
    #: No delete is sent before this: a push of these records that may still be in flight ends first.
    not_before: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]

    def pending(self, keyring: Keyring) -> dict[str, list[str]]:
        if not self.pending_enc:
            return {}
        loaded: dict[str, list[str]] = json.loads(keyring.decrypt(self.pending_enc))
        return loaded

    def set_pending(self, keyring: Keyring, keys: dict[str, list[str]]) -> None:
        remaining = {resource: ids for resource, ids in keys.items() if ids}
        self.pending_enc = keyring.encrypt(json.dumps(remaining, sort_keys=True)) if remaining else None


def receipt_id(tenant: str, kind: DeletionKind, subject: str, requested_at: datetime) -> str:
    """The same deletion (redelivered, replayed, or sent twice by the ATS) gets the same receipt."""
    return uuid.uuid5(_NAMESPACE, f"{tenant}|{kind.value}|{subject}|{requested_at.isoformat()}").hex


class DeletionReceipts(TenantRepository):
    def get(self, receipt_id: str) -> DeletionReceipt | None:
        return self.session.get(DeletionReceipt, (self.tenant, receipt_id))

    def add(self, receipt: DeletionReceipt) -> DeletionReceipt:
        receipt.tenant_id = self.tenant
        self.session.add(receipt)
        self.session.flush()
        return receipt

    def of_subject(self, subject: str) -> list[DeletionReceipt]:
        return list(
            self.session.scalars(
                select(DeletionReceipt)
                .where(DeletionReceipt.tenant_id == self.tenant, DeletionReceipt.subject == subject)
                .order_by(DeletionReceipt.requested_at, DeletionReceipt.id)
            )
        )

    def of_application(self, application_subject: str) -> list[DeletionReceipt]:
        return list(
            self.session.scalars(
                select(DeletionReceipt)
                .where(
                    DeletionReceipt.tenant_id == self.tenant,
                    DeletionReceipt.application_subject == application_subject,
                )
                .order_by(DeletionReceipt.requested_at, DeletionReceipt.id)
            )
        )

    def claim_due(self, *, ids: list[str] | None = None, limit: int = 20) -> list[DeletionReceipt]:
        """Lease pending receipts whose deletes may be sent now (oldest first)."""
        now = utcnow()
        stmt = (
            select(DeletionReceipt)
            .where(
                DeletionReceipt.tenant_id == self.tenant,
                DeletionReceipt.state == ReceiptState.PENDING.value,
                DeletionReceipt.not_before <= now,
                or_(DeletionReceipt.next_attempt_at.is_(None), DeletionReceipt.next_attempt_at <= now),
                or_(DeletionReceipt.lease_until.is_(None), DeletionReceipt.lease_until < now),
            )
            .order_by(DeletionReceipt.received_at, DeletionReceipt.id)
            .limit(limit)
        )
        if ids is not None:
            stmt = stmt.where(DeletionReceipt.id.in_(ids))
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        claimed = list(self.session.scalars(stmt))
        for receipt in claimed:
            receipt.lease_until = now + RECEIPT_LEASE
        self.session.flush()
        return claimed


def tenants_with_due_receipts(session: Session) -> list[str]:
    """Tenants with deletions LinkedIn has not confirmed that are due a try (operator query)."""
    now = utcnow()
    return list(
        session.scalars(
            select(DeletionReceipt.tenant_id)
            .where(
                DeletionReceipt.state == ReceiptState.PENDING.value,
                DeletionReceipt.not_before <= now,
                or_(DeletionReceipt.next_attempt_at.is_(None), DeletionReceipt.next_attempt_at <= now),
                or_(DeletionReceipt.lease_until.is_(None), DeletionReceipt.lease_until < now),
            )
            .distinct()
            .order_by(DeletionReceipt.tenant_id)
        )
    )


def release(session: Session, tenant: str, receipt_ids: list[str]) -> None:
    session.execute(
        update(DeletionReceipt)
        .where(DeletionReceipt.tenant_id == tenant, DeletionReceipt.id.in_(receipt_ids))
        .values(lease_until=None)
        .execution_options(synchronize_session=False)
    )
