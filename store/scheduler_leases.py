"""Which scheduler leads: a lease row in the store, on PostgreSQL and SQLite alike.

Two or more schedulers may run; one leads and does the periodic work, the others stand by. The
leader renews its lease every tick; a standby tries to take it every few seconds and gets it once
it has run out (the leader died, hung, or lost the database). The row lives in the store, so a
database restart loses nothing: whoever reaches the database first afterwards and finds the lease
run out (or its own) leads.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, case, delete, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, utcnow
from store.upsert import dialect_insert

#: The lease of the periodic scheduler (one name per singleton role).
SCHEDULER = "scheduler"


class SchedulerLease(Base):
    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[datetime]
    #: When the holder took the lease (a renewal keeps it).
    since: Mapped[datetime]


def acquire(session: Session, holder: str, lease: timedelta, name: str = SCHEDULER) -> bool:
    """Take or renew the lease for ``lease`` from now; False while another holder's lease runs.

    One statement (INSERT ... ON CONFLICT DO UPDATE WHERE): two contenders cannot both win."""
    now = utcnow()
    table = SchedulerLease.__table__
    stmt = dialect_insert(session, table).values(name=name, holder=holder, lease_until=now + lease, since=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"],
        set_={
            "holder": holder,
            "lease_until": now + lease,
            # A renewal keeps the time the holder took it.
            "since": case((table.c.holder == holder, table.c.since), else_=stmt.excluded.since),
        },
        where=or_(table.c.lease_until < now, table.c.holder == holder),
    ).returning(table.c.holder, table.c.since)
    return session.execute(stmt).first() is not None


def release(session: Session, holder: str, name: str = SCHEDULER) -> None:
    """Give the lease up (a leader stopping cleanly), so a standby takes over at its next poll."""
    session.execute(
        delete(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .execution_options(synchronize_session=False)
    )


def holder_of(session: Session, name: str = SCHEDULER) -> tuple[str, datetime] | None:
    """Who holds the lease and until when (None: nobody ever took it, or it was released)."""
    row = session.execute(
        select(SchedulerLease.holder, SchedulerLease.lease_until).where(SchedulerLease.name == name)
    ).first()
    return (row[0], row[1]) if row is not None else None
