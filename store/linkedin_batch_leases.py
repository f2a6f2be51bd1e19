"""Batch calls of one customer app to one resource family, one at a time across processes and hosts.

LinkedIn wants batch calls sent sequentially (reference §4). Within a process a lock per (app,
family) keeps them in order (``linkedin.sequencing``); across processes a process holds this lease
while one of its batch calls is in flight and gives it back as soon as the answer is in. A lease
whose holder died expires after a call's longest possible duration.

Two of these transactions go with every batch call, so on PostgreSQL they commit without waiting for
the WAL flush (``synchronous_commit off``): waiting made a turn cost 16 ms on a disk that flushes in
8 ms, against under 1 ms without (``bench/RESULTS.md``, "Batch turns"). A lease is coordination of
the moment: one lost in a database crash lets a process send without waiting for one call, one
given back and lost keeps others waiting until it expires.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, delete, or_, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base
from store.repository import Repository
from store.upsert import dialect_insert


class BatchLease(Base):
    __tablename__ = "linkedin_batch_leases"

    app_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    family: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    #: Epoch ms until which the holder may send (its clock).
    lease_until_ms: Mapped[int] = mapped_column(BigInteger)


class BatchLeases(Repository):
    """Used from operator sessions (not tenant-bound); the caller commits."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))

    def acquire(self, app_id: str, family: str, holder: str, now_ms: int, lease_ms: int) -> bool:
        """Take (or extend) the lease for ``lease_ms``; False while another holder's lease lasts."""
        table = BatchLease.__table__
        until = now_ms + lease_ms
        stmt = dialect_insert(self.session, table).values(
            app_id=app_id, family=family, holder=holder, lease_until_ms=until
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["app_id", "family"],
            set_={"holder": holder, "lease_until_ms": until},
            where=or_(table.c.lease_until_ms <= now_ms, table.c.holder == holder),
        ).returning(table.c.app_id)
        return self.session.execute(stmt).first() is not None

    def release(self, app_id: str, family: str, holder: str) -> None:
        self.session.execute(
            delete(BatchLease)
            .where(BatchLease.app_id == app_id, BatchLease.family == family, BatchLease.holder == holder)
            .execution_options(synchronize_session=False)
        )
