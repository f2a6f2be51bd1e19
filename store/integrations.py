"""A tenant's LinkedIn integrations and their states, as LinkedIn last reported them (reference §3.2).

The company-level integrations (ONE_CLICK_EXPORT, IN_ATS_INDICATOR, PROFILE_PLUGIN) are keyed by the
customer's organization URN, CSA_API by each selected Recruiter contract's URN. Partners must show
each one's state; the pipeline syncs a tenant only once LinkedIn says a company-level one is enabled.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, String, Text, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.upsert import dialect_insert


class IntegrationType(StrEnum):
    ONE_CLICK_EXPORT = "ONE_CLICK_EXPORT"
    IN_ATS_INDICATOR = "IN_ATS_INDICATOR"
    PROFILE_PLUGIN = "PROFILE_PLUGIN"
    #: Contract-level (InMail and prospect notes); keyed by a contract URN.
    CSA_API = "CSA_API"

    @property
    def company_level(self) -> bool:
        return self is not IntegrationType.CSA_API


#: The integrations keyed by the organization URN; enabling them authorises the data sync.
COMPANY_INTEGRATIONS = (
    IntegrationType.ONE_CLICK_EXPORT,
    IntegrationType.IN_ATS_INDICATOR,
    IntegrationType.PROFILE_PLUGIN,
)


class IntegrationStatus(StrEnum):
    #: LinkedIn does not know it yet: onboarding has not named it.
    NOT_NAMED = "NOT_NAMED"
    #: Named, and not enabled by the customer yet.
    NOT_ENABLED = "NOT_ENABLED"
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class TenantIntegration(TenantScoped, Base):
    __tablename__ = "tenant_integrations"

    integration_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The organization URN, or the contract URN of a CSA_API integration.
    context: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=IntegrationStatus.NOT_NAMED)
    #: LinkedIn's ``lastModifiedAt`` of the state held here; an older reading never replaces it.
    linkedin_modified_ms: Mapped[int | None] = mapped_column(BigInteger)
    #: The INTEGRATION_STATUS_CHANGE request that reported the state, when a push did.
    request_id: Mapped[str | None] = mapped_column(String(200))
    named_at: Mapped[datetime | None]
    checked_at: Mapped[datetime | None]


class Integrations(TenantRepository):
    def named(self, integration_type: IntegrationType, context: str, name: str) -> None:
        """Record that onboarding named the integration in LinkedIn (its state is read separately)."""
        now = utcnow()
        table = TenantIntegration.__table__
        stmt = dialect_insert(self.session, table).values(
            tenant_id=self.tenant,
            integration_type=integration_type.value,
            context=context,
            name=name,
            status=IntegrationStatus.NOT_ENABLED.value,
            named_at=now,
        )
        self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "integration_type", "context"],
                set_={"name": name, "named_at": now},
            )
        )

    def observe(
        self,
        integration_type: IntegrationType,
        context: str,
        status: IntegrationStatus,
        *,
        modified_ms: int | None,
        request_id: str | None = None,
    ) -> bool:
        """Keep LinkedIn's reading unless the stored one is newer. True when the state changed."""
        now = utcnow()
        table = TenantIntegration.__table__
        stmt = dialect_insert(self.session, table).values(
            tenant_id=self.tenant,
            integration_type=integration_type.value,
            context=context,
            status=status.value,
            linkedin_modified_ms=modified_ms,
            request_id=request_id,
            checked_at=now,
        )
        newer = or_(
            table.c.linkedin_modified_ms.is_(None),
            stmt.excluded.linkedin_modified_ms >= table.c.linkedin_modified_ms,
        )
        before = self.get(integration_type, context)
        previous = before.status if before is not None else None
        self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "integration_type", "context"],
                set_={
                    "status": status.value,
                    "linkedin_modified_ms": stmt.excluded.linkedin_modified_ms,
                    "request_id": func.coalesce(stmt.excluded.request_id, table.c.request_id),
                    "checked_at": now,
                },
                where=newer,
            )
        )
        self.session.expire_all()
        after = self.get(integration_type, context)
        return after is not None and after.status != previous

    def get(self, integration_type: IntegrationType, context: str) -> TenantIntegration | None:
        return self.session.get(TenantIntegration, (self.tenant, integration_type.value, context))

    def all(self) -> list[TenantIntegration]:
        return list(
            self.session.scalars(
                select(TenantIntegration)
                .where(TenantIntegration.tenant_id == self.tenant)
                .order_by(TenantIntegration.integration_type, TenantIntegration.context)
            )
        )

    def company_enabled(self) -> bool:
        """Whether LinkedIn reports a company-level integration of the tenant enabled."""
        return (
            self.session.scalar(
                select(TenantIntegration.context).where(
                    TenantIntegration.tenant_id == self.tenant,
                    TenantIntegration.integration_type.in_([t.value for t in COMPANY_INTEGRATIONS]),
                    TenantIntegration.status == IntegrationStatus.ENABLED.value,
                )
            )
            is not None
        )
