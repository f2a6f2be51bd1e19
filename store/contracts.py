"""The LinkedIn Recruiter contracts a tenant selected (the contract selection, reference §6.6).

Onboarding names a CSA_API integration for each; once the tenant's integration is enabled, the
seats, InMails and prospect notes of every contract whose CSA_API integration LinkedIn has not
reported off are polled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, and_, delete, exists, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.integrations import IntegrationStatus, IntegrationType, TenantIntegration
from store.tenants import Tenant, TenantStatus
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
    """(tenant, contract URN) of every contract polled now (operator query for the scheduler).

    A contract is polled while its tenant's integration is enabled, unless LinkedIn reported its
    contract-level integration (CSA_API) not enabled or disabled.
    """
    contract_off = exists().where(
        and_(
            TenantIntegration.tenant_id == RecruiterContract.tenant_id,
            TenantIntegration.integration_type == IntegrationType.CSA_API.value,
            TenantIntegration.context == RecruiterContract.urn,
            TenantIntegration.status.in_(
                [IntegrationStatus.NOT_ENABLED.value, IntegrationStatus.DISABLED.value]
            ),
        )
    )
    return [
        (tenant, urn)
        for tenant, urn in session.execute(
            select(RecruiterContract.tenant_id, RecruiterContract.urn)
            .join(Tenant, Tenant.id == RecruiterContract.tenant_id)
            .where(Tenant.status == TenantStatus.ENABLED.value, ~contract_off)
            .order_by(RecruiterContract.tenant_id, RecruiterContract.urn)
        )
    ]
