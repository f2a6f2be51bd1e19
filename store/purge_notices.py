"""Purge notices: LinkedIn members who closed their account or were purged after being exported.

LinkedIn lists them in ``atsPurgedExportedCandidates`` and asks partners to read it at least every
30 days and tell the customer, who may need to delete the candidate unless it has a legal basis to
keep it (reference §3.8, §6.3). Each notice is recorded once, with the candidate it concerns, and
stays *open* until the customer decides: the candidate is deleted in the ATS (the erasure closes
the notice) or kept (``rsc privacy keep``, recording who decided). The member's URN is not kept,
only its keyed hash, which is what the notice's id is made from.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import BigInteger, Index, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.upsert import insert_ignore

#: How long a requested purge poll holds its tenant before another may be requested.
POLL_LEASE = timedelta(minutes=10)


class NoticeState(StrEnum):
    #: The notice concerns a candidate of the tenant; the customer has not decided yet.
    OPEN = "open"
    #: No candidate of the tenant is (still) linked to that member; nothing to decide.
    NO_CANDIDATE = "no_candidate"
    #: The customer deleted the candidate (its erasure closed the notice).
    CANDIDATE_DELETED = "candidate_deleted"
    #: The customer decided to keep the candidate (it has a legal basis to).
    KEPT = "kept"


class PurgeNotice(TenantScoped, Base):
    __tablename__ = "purge_notices"
    __table_args__ = (
        Index("ix_purge_notices_candidate", "tenant_id", "candidate_id"),
        Index("ix_purge_notices_state", "tenant_id", "state"),
    )

    #: Keyed hash of (member, purgedAt, exportType): one notice per LinkedIn element.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Keyed hash of the member's person URN.
    member_subject: Mapped[str] = mapped_column(String(64))
    #: The candidate linked to that member when the notice arrived.
    candidate_id: Mapped[str | None] = mapped_column(String(200))
    export_type: Mapped[str | None] = mapped_column(String(40))
    purged_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime | None]
    #: Who decided to keep the candidate (an ATS user or operator).
    decided_by: Mapped[str | None] = mapped_column(Text)


class PurgePollCursor(TenantScoped, Base):
    """How far a tenant's purge notices have been read, and when the next read is due."""

    __tablename__ = "purge_poll_cursors"

    #: purgedAt (epoch ms) up to which every notice has been read; NULL before the first poll.
    polled_until_ms: Mapped[int | None] = mapped_column(BigInteger)
    last_polled_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime]
    #: A poll was requested and not finished yet (another is not requested before then).
    queued_until: Mapped[datetime | None]


class PurgeNotices(TenantRepository):
    def add(
        self,
        *,
        notice_id: str,
        member_subject: str,
        candidate_id: str | None,
        export_type: str | None,
        purged_at: datetime,
    ) -> bool:
        """Record a notice once. True when it is new."""
        return insert_ignore(
            self.session,
            PurgeNotice.__table__,
            {
                "tenant_id": self.tenant,
                "id": notice_id,
                "member_subject": member_subject,
                "candidate_id": candidate_id,
                "export_type": export_type,
                "purged_at": purged_at,
                "received_at": utcnow(),
                "state": (NoticeState.OPEN if candidate_id else NoticeState.NO_CANDIDATE).value,
            },
            key=("tenant_id", "id"),
        )

    def get(self, notice_id: str) -> PurgeNotice | None:
        return self.session.get(PurgeNotice, (self.tenant, notice_id))

    def find(self, *, states: list[NoticeState] | None = None, limit: int = 1000) -> list[PurgeNotice]:
        stmt = (
            select(PurgeNotice)
            .where(PurgeNotice.tenant_id == self.tenant)
            .order_by(PurgeNotice.purged_at.desc(), PurgeNotice.id)
            .limit(limit)
        )
        if states:
            stmt = stmt.where(PurgeNotice.state.in_([s.value for s in states]))
        return list(self.session.scalars(stmt))

    def close_for_candidates(self, candidate_ids: list[str]) -> int:
        """The candidates were erased: their notices are closed and no longer name them."""
        if not candidate_ids:
            return 0
        result = self.session.execute(
            update(PurgeNotice)
            .where(PurgeNotice.tenant_id == self.tenant, PurgeNotice.candidate_id.in_(candidate_ids))
            .values(
                candidate_id=None,
                state=NoticeState.CANDIDATE_DELETED.value,
                decided_at=utcnow(),
                decided_by=None,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def cursor(self) -> PurgePollCursor | None:
        return self.session.get(PurgePollCursor, (self.tenant,))

    def polled(self, until_ms: int, next_poll_at: datetime) -> None:
        cursor = self.cursor()
        now = utcnow()
        if cursor is None:
            cursor = PurgePollCursor(tenant_id=self.tenant, next_poll_at=next_poll_at)
            self.session.add(cursor)
        cursor.polled_until_ms = max(cursor.polled_until_ms or 0, until_ms)
        cursor.last_polled_at = now
        cursor.next_poll_at = next_poll_at
        cursor.queued_until = None
        self.session.flush()


def claim_due_purge_polls(session: Session, tenants: list[str]) -> list[str]:
    """Of ``tenants``, those whose purge poll is due and not requested; marks them requested.

    A tenant never polled is due at once. Operator session (the scheduler).
    """
    now = utcnow()
    cursors = {
        c.tenant_id: c
        for c in session.scalars(select(PurgePollCursor).where(PurgePollCursor.tenant_id.in_(tenants)))
    }
    due: list[str] = []
    for tenant in tenants:
        cursor = cursors.get(tenant)
        if cursor is None:
            cursor = PurgePollCursor(tenant_id=tenant, next_poll_at=now)
            session.add(cursor)
        elif cursor.next_poll_at > now or (cursor.queued_until is not None and cursor.queued_until > now):
            continue
        cursor.queued_until = now + POLL_LEASE
        due.append(tenant)
    session.flush()
    return due
