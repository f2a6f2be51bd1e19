"""Polled LinkedIn items no reader could read, kept whole with the query that returned them and why.

An item is parked once per content (its key is a digest of the kind and the item): polling the same
window again updates the row instead of adding one. A parked item waits until ``rsc parked replay``
reads it again (with the reader of that day) or an operator drops it. It holds what LinkedIn sent,
personal data included, so erasing a member erases the items that name them (``member_urn``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, Json, TenantScoped, utcnow
from store.repository import TenantRepository
from store.upsert import dialect_insert


class ParkedState(StrEnum):
    WAITING = "waiting"
    #: Read by a replay: its event went out (or, for a seat, it is stored).
    REPLAYED = "replayed"


class ParkedItem(TenantScoped, Base):
    __tablename__ = "parked_items"
    __table_args__ = (Index("ix_parked_items_state", "tenant_id", "state", "reason_code"),)

    #: sha256 of the kind and the item (canonical JSON), hex.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The finder it came from: conversationEvents, mailStubs, prospectNotes, seatsV2.
    kind: Mapped[str] = mapped_column(String(32))
    #: LinkedIn's id of the item, when it has a readable one.
    item_id: Mapped[str | None] = mapped_column(String(200))
    #: The member the item is about, when it says (an erasure of the member erases the row).
    member_urn: Mapped[str | None] = mapped_column(String(200))
    item: Mapped[dict[str, Any]] = mapped_column(Json)
    #: The query that returned it (``workers.prospect_polling.items.Asked``).
    asked: Mapped[dict[str, Any]] = mapped_column(Json)
    reason_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=ParkedState.WAITING)
    first_parked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_parked_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: How many reads (polls or replays) could not read it.
    times_parked: Mapped[int] = mapped_column(Integer, default=1)
    replayed_at: Mapped[datetime | None]


def item_key(kind: str, item: dict[str, Any]) -> str:
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{kind}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class ParkedCount:
    tenant_id: str
    kind: str
    reason_code: str
    count: int
    last: datetime


class ParkedItems(TenantRepository):
    def park(
        self,
        *,
        kind: str,
        item: dict[str, Any],
        asked: dict[str, Any],
        reason_code: str,
        reason: str,
        item_id: str | None,
        member_urn: str | None,
    ) -> str:
        """Keep the item (again) with its latest reason; returns its key."""
        key = item_key(kind, item)
        now = utcnow()
        table = ParkedItem.__table__
        stmt = dialect_insert(self.session, table).values(
            tenant_id=self.tenant,
            key=key,
            kind=kind,
            item_id=item_id,
            member_urn=member_urn,
            item=item,
            asked=asked,
            reason_code=reason_code,
            reason=reason,
            state=ParkedState.WAITING.value,
            first_parked_at=now,
            last_parked_at=now,
            times_parked=1,
        )
        self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "key"],
                set_={
                    "asked": stmt.excluded.asked,
                    "reason_code": stmt.excluded.reason_code,
                    "reason": stmt.excluded.reason,
                    "state": ParkedState.WAITING.value,
                    "last_parked_at": now,
                    "times_parked": table.c.times_parked + 1,
                },
            )
        )
        return key

    def get(self, key_or_prefix: str) -> ParkedItem | None:
        """The item by its key, or by a prefix of it that names one item."""
        rows = list(
            self.session.scalars(
                select(ParkedItem)
                .where(ParkedItem.tenant_id == self.tenant, ParkedItem.key.startswith(key_or_prefix))
                .limit(2)
            )
        )
        return rows[0] if len(rows) == 1 else None

    def waiting(
        self, *, kind: str | None = None, reason_code: str | None = None, limit: int = 1000
    ) -> list[ParkedItem]:
        stmt = (
            select(ParkedItem)
            .where(ParkedItem.tenant_id == self.tenant, ParkedItem.state == ParkedState.WAITING.value)
            .order_by(ParkedItem.first_parked_at, ParkedItem.key)
            .limit(limit)
        )
        if kind:
            stmt = stmt.where(ParkedItem.kind == kind)
        if reason_code:
            stmt = stmt.where(ParkedItem.reason_code == reason_code)
        return list(self.session.scalars(stmt))

    def replayed(self, row: ParkedItem) -> None:
        row.state = ParkedState.REPLAYED.value
        row.replayed_at = utcnow()
        self.session.flush()

    def still_unreadable(self, row: ParkedItem, reason_code: str, reason: str) -> None:
        row.reason_code = reason_code
        row.reason = reason
        row.last_parked_at = utcnow()
        row.times_parked += 1
        self.session.flush()

    def drop(self, key: str) -> bool:
        result = self.session.execute(
            delete(ParkedItem).where(ParkedItem.tenant_id == self.tenant, ParkedItem.key == key)
        )
        return bool(getattr(result, "rowcount", 0))

    def count_waiting(self) -> int:
        return int(
            self.session.scalar(
                select(func.count()).where(
                    ParkedItem.tenant_id == self.tenant, ParkedItem.state == ParkedState.WAITING.value
                )
            )
            or 0
        )


def waiting_counts(session: Session, tenant_id: str | None = None) -> list[ParkedCount]:
    """Items waiting per tenant, kind and reason (operator view across tenants)."""
    stmt = (
        select(
            ParkedItem.tenant_id,
            ParkedItem.kind,
            ParkedItem.reason_code,
            func.count(),
            func.max(ParkedItem.last_parked_at),
        )
        .where(ParkedItem.state == ParkedState.WAITING.value)
        .group_by(ParkedItem.tenant_id, ParkedItem.kind, ParkedItem.reason_code)
        .order_by(ParkedItem.tenant_id, ParkedItem.kind, ParkedItem.reason_code)
    )
    if tenant_id:
        stmt = stmt.where(ParkedItem.tenant_id == tenant_id)
    return [ParkedCount(t, k, r, int(n), last) for t, k, r, n, last in session.execute(stmt)]
