"""LinkedIn's rate limits as shared state: what each customer app has spent, for every process and host.

Two budgets per customer app (reference §4): records in any minute, and calls per endpoint family in
each UTC day. Minutes are counted on a *sliding* window (a log of admitted calls), so the app stays
under the limit in every minute LinkedIn may count, whatever its window boundaries are; days are
fixed UTC days, as LinkedIn's are. One admission is one short transaction that first locks the app's
row, so concurrent workers admit one after another and never overspend together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import BigInteger, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, BigId
from store.upsert import dialect_insert


class QuotaApp(Base):
    """One row per customer app; admissions lock it so they are decided one at a time."""

    __tablename__ = "linkedin_quota_apps"

    app_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: Admissions decided for the app (a counter the lock statement bumps).
    admissions: Mapped[int] = mapped_column(BigInteger)


class QuotaSpend(Base):
    """Records one admitted call carries, at the time it was admitted (the sliding-minute log)."""

    __tablename__ = "linkedin_quota_spends"
    __table_args__ = (Index("ix_linkedin_quota_spends_app_at", "app_id", "at_ms"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    app_id: Mapped[str] = mapped_column(String(200))
    at_ms: Mapped[int] = mapped_column(BigInteger)
    records: Mapped[int] = mapped_column(Integer)


class QuotaDay(Base):
    """Calls an app made to one endpoint family in one day."""

    __tablename__ = "linkedin_quota_days"

    app_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    family: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Budget:
    """What one admission may spend up to, and the windows it is counted in (milliseconds)."""

    records: int
    calls_per_day: int
    window_ms: int
    day_ms: int


@dataclass(frozen=True)
class Spent:
    """What the app has spent once a call is admitted: records in the window, calls of its family today."""

    records_in_window: int
    calls_today: int


@dataclass(frozen=True)
class Refused:
    """Not admitted: which budget is spent, and how long until it has room (milliseconds)."""

    budget: str
    wait_ms: int


class LinkedInQuota:
    """Admissions against the shared budgets; used from an operator session (not tenant-bound)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        #: Set by each admission that is granted (metrics report the headroom left).
        self.spent: Spent | None = None

    def admit(
        self, app_id: str, family: str, records: int, budget: Budget, clock_ms: Callable[[], int]
    ) -> Refused | None:
        """Spend ``records`` and one call of ``family`` if both budgets have room; else say how long to wait.

        The caller commits. Nothing is spent when the call is refused. The time is read once the
        app's row is locked, so an admission that waited for the lock is dated when it is decided.
        """
        self._lock(app_id)
        now_ms = clock_ms()
        since = now_ms - budget.window_ms
        self.session.execute(delete(QuotaSpend).where(QuotaSpend.app_id == app_id, QuotaSpend.at_ms <= since))
        day = now_ms // budget.day_ms
        calls = self.session.scalar(
            select(QuotaDay.calls).where(
                QuotaDay.app_id == app_id, QuotaDay.family == family, QuotaDay.day == day
            )
        )
        if (calls or 0) + 1 > budget.calls_per_day:
            return Refused("calls_per_day", (day + 1) * budget.day_ms - now_ms)
        used = int(
            self.session.scalar(
                select(func.coalesce(func.sum(QuotaSpend.records), 0)).where(QuotaSpend.app_id == app_id)
            )
            or 0
        )
        if used + records > budget.records:
            return Refused(
                "records_per_minute", self._wait_for_room(app_id, used + records - budget.records, since)
            )
        self.session.add(QuotaSpend(app_id=app_id, at_ms=now_ms, records=records))
        self._count_call(app_id, family, day)
        self.spent = Spent(records_in_window=used + records, calls_today=(calls or 0) + 1)
        return None

    def _lock(self, app_id: str) -> None:
        table = QuotaApp.__table__
        stmt = dialect_insert(self.session, table).values(app_id=app_id, admissions=1)  # type: ignore[arg-type]
        # Updating the row holds its lock until commit (PostgreSQL); SQLite writers are serialised anyway.
        self.session.execute(
            stmt.on_conflict_do_update(index_elements=["app_id"], set_={"admissions": table.c.admissions + 1})
        )

    def _wait_for_room(self, app_id: str, excess: int, since: int) -> int:
        """Milliseconds until the oldest spends that must expire for ``excess`` records have expired."""
        freed = 0
        rows = self.session.execute(
            select(QuotaSpend.at_ms, QuotaSpend.records)
            .where(QuotaSpend.app_id == app_id)
            .order_by(QuotaSpend.at_ms, QuotaSpend.id)
        )
        for at_ms, spent in rows:
            freed += spent
            if freed >= excess:
                return max(1, at_ms - since)
        return 1

    def _count_call(self, app_id: str, family: str, day: int) -> None:
        table = QuotaDay.__table__
        stmt = dialect_insert(self.session, table).values(app_id=app_id, family=family, day=day, calls=1)  # type: ignore[arg-type]
        self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["app_id", "family", "day"], set_={"calls": table.c.calls + 1}
            )
        )
        self.session.execute(delete(QuotaDay).where(QuotaDay.app_id == app_id, QuotaDay.day < day - 1))
