"""The LinkedIn Recruiter contracts a tenant enabled (CSA_API): whose seats, InMails and notes are polled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.upsert import insert_ignore


class RecruiterContract(TenantScoped, Base):
    __tablename__ = "recruiter_contracts"

    urn: Mapped[str] = mapped_column(String(200), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contracts:
    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def add(self, urn: str) -> bool:
        return insert_ignore(
            self.session,
            RecruiterContract.__table__,  # type: ignore[arg-type]
            {"tenant_id": self.tenant, "urn": urn, "added_at": utcnow()},
            key=("tenant_id", "urn"),
        )

    def remove(self, urn: str) -> None:
        self.session.execute(
            delete(RecruiterContract).where(
                RecruiterContract.tenant_id == self.tenant, RecruiterContract.urn == urn
            )
        )

    def urns(self) -> list[str]:
        return list(
            self.session.scalars(
                select(RecruiterContract.urn)
                .where(RecruiterContract.tenant_id == self.tenant)
                .order_by(RecruiterContract.urn)
            )
        )


def all_contracts(session: Session) -> list[tuple[str, str]]:
    """(tenant, contract URN) of every tenant (operator query for the scheduler)."""
    return [
        (tenant, urn)
        for tenant, urn in session.execute(
            select(RecruiterContract.tenant_id, RecruiterContract.urn).order_by(
                RecruiterContract.tenant_id, RecruiterContract.urn
            )
        )
    ]
