"""Where the prospect polls stand: watermarks, and the calls spent of the daily budget.

Two kinds of cursor. A *seat* cursor holds the seat's InMail watermark (conversationEvents take one
viewer seat per call) and its own stub-and-note back-fill watermark. A *contract* cursor holds the
stub-and-note watermark of every connected seat of the contract at once (mailStubs and prospectNotes
take many owner seats per call), so the daily budget goes to InMails. ``shared_from_ms`` is where
the first contract poll that included a seat started: the seat's own back-fill stops there, and
from there on the contract's polls cover it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import BigInteger, Date, Float, Integer, String, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.upsert import dialect_insert


class SeatCursor(TenantScoped, Base):
    __tablename__ = "seat_poll_cursors"

    seat: Mapped[str] = mapped_column(String(200), primary_key=True)
    contract: Mapped[str] = mapped_column(String(200))
    inmail_watermark_ms: Mapped[int] = mapped_column(BigInteger)
    #: The seat's own stub and note back-fill cursor (both streams move together), used until it
    #: reaches ``shared_from_ms``.
    backfill_watermark_ms: Mapped[int] = mapped_column(BigInteger)
    #: Start watermark of the first contract poll that included this seat; NULL until one did.
    shared_from_ms: Mapped[int | None] = mapped_column(BigInteger)
    #: Items per hour the seat's polls found, smoothed (the busiest seats are polled most often).
    activity_per_h: Mapped[float] = mapped_column(Float, default=0.0)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    last_polled_at: Mapped[datetime | None]
    #: The scheduler enqueued a poll; it does not enqueue another before this (unless it ran).
    queued_until: Mapped[datetime | None]
    #: A poll in flight holds the cursor until then.
    lease_until: Mapped[datetime | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def catching_up(self) -> bool:
        return self.shared_from_ms is None or self.backfill_watermark_ms < self.shared_from_ms


class ContractCursor(TenantScoped, Base):
    __tablename__ = "contract_poll_cursors"

    contract: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: Stubs and notes of every included seat are read up to here (both streams move together).
    watermark_ms: Mapped[int] = mapped_column(BigInteger)
    last_polled_at: Mapped[datetime | None]
    queued_until: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]


class PollCalls(TenantScoped, Base):
    """Prospect-interaction calls made per UTC day (LinkedIn's budget counts them per app and day)."""

    __tablename__ = "prospect_poll_calls"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    calls: Mapped[int] = mapped_column(BigInteger, default=0)


class PollCursors(TenantRepository):
    def seat(self, seat: str) -> SeatCursor | None:
        return self.session.get(SeatCursor, (self.tenant, seat))

    def contract(self, contract: str) -> ContractCursor | None:
        return self.session.get(ContractCursor, (self.tenant, contract))

    def start_seat(self, seat: str, contract: str, from_ms: int) -> SeatCursor:
        """Begin polling a seat whose history is read from ``from_ms`` (the back-fill horizon)."""
        cursor = self.seat(seat)
        if cursor is None:
            cursor = SeatCursor(
                tenant_id=self.tenant,
                seat=seat,
                contract=contract,
                inmail_watermark_ms=from_ms,
                backfill_watermark_ms=from_ms,
                shared_from_ms=None,
                activity_per_h=0.0,
                polls=0,
                started_at=utcnow(),
            )
            self.session.add(cursor)
            self.session.flush()
        return cursor

    def stop_seat(self, seat: str) -> None:
        cursor = self.seat(seat)
        if cursor is not None:
            self.session.delete(cursor)
            self.session.flush()

    def stop_contract(self, contract: str) -> None:
        cursor = self.contract(contract)
        if cursor is not None:
            self.session.delete(cursor)
            self.session.flush()

    def start_contract(self, contract: str, from_ms: int) -> ContractCursor:
        cursor = self.contract(contract)
        if cursor is None:
            cursor = ContractCursor(tenant_id=self.tenant, contract=contract, watermark_ms=from_ms)
            self.session.add(cursor)
            self.session.flush()
        return cursor

    def seats(self) -> list[SeatCursor]:
        return list(
            self.session.scalars(
                select(SeatCursor).where(SeatCursor.tenant_id == self.tenant).order_by(SeatCursor.seat)
            )
        )

    def contracts(self) -> list[ContractCursor]:
        return list(
            self.session.scalars(
                select(ContractCursor)
                .where(ContractCursor.tenant_id == self.tenant)
                .order_by(ContractCursor.contract)
            )
        )

    def lease_seat(self, seat: str, lease: timedelta) -> SeatCursor | None:
        """Hold the seat's cursor for one poll; None when another poll holds it."""
        now = utcnow()
        result = self.session.execute(
            update(SeatCursor)
            .where(
                SeatCursor.tenant_id == self.tenant,
                SeatCursor.seat == seat,
                or_(SeatCursor.lease_until.is_(None), SeatCursor.lease_until < now),
            )
            .values(lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        self.session.expire_all()
        return self.seat(seat)

    def lease_contract(self, contract: str, lease: timedelta) -> ContractCursor | None:
        """Hold the contract's cursor for one poll; None when another poll holds it."""
        now = utcnow()
        result = self.session.execute(
            update(ContractCursor)
            .where(
                ContractCursor.tenant_id == self.tenant,
                ContractCursor.contract == contract,
                or_(ContractCursor.lease_until.is_(None), ContractCursor.lease_until < now),
            )
            .values(lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        self.session.expire_all()
        return self.contract(contract)

    def advance_seat(
        self, seat: str, *, inmail_watermark_ms: int | None = None, backfill_watermark_ms: int | None = None
    ) -> None:
        """Move the seat's watermarks forward (never back)."""
        cursor = self.seat(seat)
        if cursor is None:
            return
        if inmail_watermark_ms is not None:
            cursor.inmail_watermark_ms = max(cursor.inmail_watermark_ms, inmail_watermark_ms)
        if backfill_watermark_ms is not None:
            cursor.backfill_watermark_ms = max(cursor.backfill_watermark_ms, backfill_watermark_ms)
        self.session.flush()

    def finish_seat(self, seat: str, *, polled_at: datetime, items: int, weight: float) -> None:
        """Release the seat after a poll and update its activity (new InMails an hour, smoothed)."""
        cursor = self.seat(seat)
        if cursor is None:
            return
        if cursor.last_polled_at is not None:
            hours = max((polled_at - cursor.last_polled_at).total_seconds() / 3600, 1 / 3600)
            rate = items / hours
            cursor.activity_per_h = (1 - weight) * cursor.activity_per_h + weight * rate
        cursor.polls += 1
        cursor.last_polled_at = polled_at
        cursor.lease_until = None
        cursor.queued_until = None
        self.session.flush()

    def include_in_contract(self, seats: list[str], *, from_ms: int) -> None:
        """The contract's stubs and notes of ``seats`` are read from ``from_ms`` on."""
        self.session.execute(
            update(SeatCursor)
            .where(
                SeatCursor.tenant_id == self.tenant,
                SeatCursor.seat.in_(seats),
                SeatCursor.shared_from_ms.is_(None),
            )
            .values(shared_from_ms=from_ms)
            .execution_options(synchronize_session=False)
        )
        self.session.expire_all()

    def finish_contract(self, contract: str, *, polled_at: datetime) -> None:
        cursor = self.contract(contract)
        if cursor is None:
            return
        cursor.last_polled_at = polled_at
        cursor.lease_until = None
        cursor.queued_until = None
        self.session.flush()

    def mark_queued(self, *, seats: list[str], contracts: list[str], until: datetime | None) -> None:
        """The scheduler enqueues polls of these; it enqueues no other before ``until`` (None: unmark)."""
        if seats:
            self.session.execute(
                update(SeatCursor)
                .where(SeatCursor.tenant_id == self.tenant, SeatCursor.seat.in_(seats))
                .values(queued_until=until)
                .execution_options(synchronize_session=False)
            )
        if contracts:
            self.session.execute(
                update(ContractCursor)
                .where(ContractCursor.tenant_id == self.tenant, ContractCursor.contract.in_(contracts))
                .values(queued_until=until)
                .execution_options(synchronize_session=False)
            )

    def count_calls(self, calls: int, day: date | None = None) -> None:
        if calls <= 0:
            return
        table = PollCalls.__table__
        stmt = dialect_insert(self.session, table).values(
            tenant_id=self.tenant, day=day or utcnow().date(), calls=calls
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id", "day"], set_={"calls": table.c.calls + calls}
        )
        self.session.execute(stmt)

    def calls_on(self, day: date) -> int:
        return int(
            self.session.scalar(
                select(func.coalesce(func.sum(PollCalls.calls), 0)).where(
                    PollCalls.tenant_id == self.tenant, PollCalls.day == day
                )
            )
            or 0
        )
