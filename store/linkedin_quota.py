"""LinkedIn's rate limits as shared state: what each customer app has spent, for every process and host.

Two budgets per customer app (reference §4): records in any minute, and calls per endpoint family in
each UTC day. Minutes are counted on a *sliding* window (a log of what was granted), so the app stays
under the limit in every minute LinkedIn may count, whatever its window boundaries are; days are
fixed UTC days, as LinkedIn's are.

A process does not come here for every call: it takes a *lease*, a share of both budgets (some
records of the minute, some calls of the day) that it spends locally for a short while, and gives
back what it did not use when it takes the next one (``linkedin.ratelimit``). Granting a lease is
one short transaction that first locks the app's row, so concurrent processes are granted one after
another and never overspend together; a lease is spent in full in the log the moment it is granted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import BigInteger, Index, Integer, String, delete, func, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, BigId
from store.repository import Repository
from store.upsert import dialect_insert


class QuotaApp(Base):
    """One row per customer app; admissions lock it so they are decided one at a time."""

    __tablename__ = "linkedin_quota_apps"

    app_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: Admissions decided for the app (a counter the lock statement bumps).
    admissions: Mapped[int] = mapped_column(BigInteger)


class QuotaSpend(Base):
    """Records granted at one time (one call's, or a lease's), the sliding-minute log."""

    __tablename__ = "linkedin_quota_spends"
    __table_args__ = (Index("ix_linkedin_quota_spends_app_at", "app_id", "at_ms"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    app_id: Mapped[str] = mapped_column(String(200))
    at_ms: Mapped[int] = mapped_column(BigInteger)
    records: Mapped[int] = mapped_column(Integer)


class QuotaDay(Base):
    """Calls an app was granted for one endpoint family in one day."""

    __tablename__ = "linkedin_quota_days"

    app_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    family: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Budget:
    """What the app may spend, and the windows it is counted in (milliseconds)."""

    records: int
    calls_per_day: int
    window_ms: int
    day_ms: int


@dataclass(frozen=True)
class Spent:
    """What the app has spent once a lease is granted: records in the window, calls of its family today."""

    records_in_window: int
    calls_today: int


@dataclass(frozen=True)
class Refused:
    """Not granted: which budget is spent, and how long until it has room (milliseconds)."""

    budget: str
    wait_ms: int


@dataclass(frozen=True)
class Grant:
    """A share of both budgets, spent in the log at ``at_ms``: ``records`` of the minute and ``calls`` of
    ``family``'s day ``day``. ``spend_id`` names its log entry, so the unused part can be given back."""

    spend_id: int
    family: str
    day: int
    at_ms: int
    records: int
    calls: int


@dataclass(frozen=True)
class Unused:
    """What a process gives back of a grant it did not spend."""

    grant: Grant
    records: int
    calls: int


#: Expired log entries and old days are deleted at every this many grants of an app, not at each.
PURGE_EVERY = 16


class LinkedInQuota(Repository):
    """Grants against the shared budgets; used from an operator session (not tenant-bound)."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        #: Set by each grant (metrics report the headroom left).
        self.spent: Spent | None = None

    def grant(
        self,
        app_id: str,
        family: str,
        *,
        need: int,
        records: int,
        calls: int,
        budget: Budget,
        clock_ms: Callable[[], int],
        give_back: Unused | None = None,
    ) -> Grant | Refused:
        """Grant up to ``records`` records (at least ``need``) and up to ``calls`` calls of ``family``
        if both budgets have room for ``need`` records and one call; else say how long to wait.

        ``give_back`` first returns what an earlier grant of this process did not spend. The caller
        commits. Nothing is spent when refused. The time is read once the app's row is locked, so a
        grant that waited for the lock is dated when it is decided.
        """
        admissions = self._lock(app_id)
        if give_back is not None:
            self.give_back(app_id, give_back)
        now_ms = clock_ms()
        since = now_ms - budget.window_ms
        day = now_ms // budget.day_ms
        if admissions % PURGE_EVERY == 1:
            self._purge(app_id, since, day)
        used, calls_today = self.session.execute(
            select(
                select(func.coalesce(func.sum(QuotaSpend.records), 0))
                .where(QuotaSpend.app_id == app_id, QuotaSpend.at_ms > since)
                .scalar_subquery(),
                select(QuotaDay.calls)
                .where(QuotaDay.app_id == app_id, QuotaDay.family == family, QuotaDay.day == day)
                .scalar_subquery(),
            )
        ).one()
        used, calls_today = int(used or 0), int(calls_today or 0)
        if calls_today + 1 > budget.calls_per_day:
            return Refused("calls_per_day", (day + 1) * budget.day_ms - now_ms)
        if used + need > budget.records:
            return Refused(
                "records_per_minute", self._wait_for_room(app_id, used + need - budget.records, since)
            )
        granted_records = max(need, min(records, budget.records - used))
        granted_calls = max(1, min(calls, budget.calls_per_day - calls_today))
        spend_id = self.session.execute(
            insert(QuotaSpend)
            .values(app_id=app_id, at_ms=now_ms, records=granted_records)
            .returning(QuotaSpend.id)
        ).scalar_one()
        self._count_calls(app_id, family, day, granted_calls)
        self.spent = Spent(records_in_window=used + granted_records, calls_today=calls_today + granted_calls)
        return Grant(int(spend_id), family, day, now_ms, granted_records, granted_calls)

    def admit(
        self, app_id: str, family: str, records: int, budget: Budget, clock_ms: Callable[[], int]
    ) -> Refused | None:
        """Spend ``records`` and one call of ``family`` if both budgets have room; else how long to wait."""
        granted = self.grant(
            app_id, family, need=records, records=records, calls=1, budget=budget, clock_ms=clock_ms
        )
        return granted if isinstance(granted, Refused) else None

    def _lock(self, app_id: str) -> int:
        """Lock the app's row (creating it); the number of grants decided for the app so far."""
        table = QuotaApp.__table__
        stmt = dialect_insert(self.session, table).values(app_id=app_id, admissions=1)
        # Updating the row holds its lock until commit (PostgreSQL); SQLite writers are serialised anyway.
        stmt = stmt.on_conflict_do_update(
            index_elements=["app_id"], set_={"admissions": table.c.admissions + 1}
        ).returning(table.c.admissions)
        return int(self.session.scalar(stmt) or 1)

    def give_back(self, app_id: str, unused: Unused) -> None:
        """Return what a process did not spend of a grant; the caller commits."""
        grant = unused.grant
        if unused.records > 0:
            self.session.execute(
                update(QuotaSpend)
                .where(QuotaSpend.id == grant.spend_id, QuotaSpend.app_id == app_id)
                .values(records=QuotaSpend.records - min(unused.records, grant.records))
                .execution_options(synchronize_session=False)
            )
        if unused.calls > 0:
            self.session.execute(
                update(QuotaDay)
                .where(QuotaDay.app_id == app_id, QuotaDay.family == grant.family, QuotaDay.day == grant.day)
                .values(calls=QuotaDay.calls - min(unused.calls, grant.calls))
                .execution_options(synchronize_session=False)
            )

    def _purge(self, app_id: str, since: int, day: int) -> None:
        """Forget log entries no window counts any more, and days before yesterday."""
        self.session.execute(delete(QuotaSpend).where(QuotaSpend.app_id == app_id, QuotaSpend.at_ms <= since))
        self.session.execute(delete(QuotaDay).where(QuotaDay.app_id == app_id, QuotaDay.day < day - 1))

    def _wait_for_room(self, app_id: str, excess: int, since: int) -> int:
        """Milliseconds until the oldest spends that must expire for ``excess`` records have expired."""
        freed = 0
        rows = self.session.execute(
            select(QuotaSpend.at_ms, QuotaSpend.records)
            .where(QuotaSpend.app_id == app_id, QuotaSpend.at_ms > since)
            .order_by(QuotaSpend.at_ms, QuotaSpend.id)
        )
        for at_ms, spent in rows:
            freed += spent
            if freed >= excess:
                return max(1, at_ms - since)
        return 1

    def _count_calls(self, app_id: str, family: str, day: int, calls: int) -> None:
        table = QuotaDay.__table__
        stmt = dialect_insert(self.session, table).values(app_id=app_id, family=family, day=day, calls=calls)
        self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["app_id", "family", "day"], set_={"calls": table.c.calls + calls}
            )
        )
