"""One outbox sweep per tenant at a time, whichever worker process or host runs it.

LinkedIn wants the batch calls of one stream sent one after another (reference §4). Sweeps are
requested every scheduler tick, so without this, several workers could push one tenant's records in
parallel. A sweep holds its tenant's lease while it runs and renews it batch by batch; a sweep that
finds the lease held by another leaves at once. A dead worker's lease simply expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, delete, or_
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.upsert import dialect_insert


class SweepLease(TenantScoped, Base):
    __tablename__ = "outbox_sweep_leases"

    holder: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[datetime]


class SweepLeases(TenantRepository):
    def acquire(self, holder: str, lease: timedelta) -> bool:
        """Take (or renew) the tenant's lease for ``lease``. False when another sweep holds it."""
        now = utcnow()
        table = SweepLease.__table__
        stmt = dialect_insert(self.session, table).values(
            tenant_id=self.tenant, holder=holder, lease_until=now + lease
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id"],
            set_={"holder": holder, "lease_until": now + lease},
            where=or_(table.c.lease_until < now, table.c.holder == holder),
        ).returning(table.c.tenant_id)
        return self.session.execute(stmt).first() is not None

    def release(self, holder: str) -> None:
        self.session.execute(
            delete(SweepLease)
            .where(SweepLease.tenant_id == self.tenant, SweepLease.holder == holder)
            .execution_options(synchronize_session=False)
        )
