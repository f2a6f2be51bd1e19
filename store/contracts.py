"""The LinkedIn Recruiter contracts a tenant selected (the contract selection, reference §6.6), and
how each one's seat reads went.

Onboarding names a CSA_API integration for each contract. A contract's seats, InMails, stubs and
notes are read only while its tenant is enabled and LinkedIn reports its CSA_API integration
ENABLED (:func:`reads_contract`; the store knows the state from LinkedIn's readings). A legacy CSA
tenant syncs as before until its customer enables RSC, so its contracts are read unless LinkedIn
reports their CSA_API integration DISABLED.

Each contract's seats are read on their own: a failed read is recorded on the contract (the error,
when, failures in a row, when it is tried again) and retried for that contract alone, and it never
stops the other contracts' reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, Text, and_, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.integrations import IntegrationStatus, IntegrationType, TenantIntegration
from store.repository import TenantRepository
from store.tenants import Tenant, TenantStatus
from store.upsert import insert_ignore


class RecruiterContract(TenantScoped, Base):
    __tablename__ = "recruiter_contracts"

    urn: Mapped[str] = mapped_column(String(200), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The last read of the contract's seats (seatsV2) that succeeded.
    seats_read_at: Mapped[datetime | None]
    #: The last failed read of its seats: the error (names the cause, no personal data), when,
    #: how many failed in a row, and when the contract is tried again on its own.
    seats_error: Mapped[str | None] = mapped_column(Text)
    seats_failed_at: Mapped[datetime | None]
    seats_failures: Mapped[int] = mapped_column(Integer, default=0)
    seats_retry_at: Mapped[datetime | None]


def reads_contract(tenant_status: str, legacy_csa: bool, csa_status: str | None) -> tuple[bool, str]:
    """Whether a contract's seats, InMails, stubs and notes are read, and why (not): the one rule."""
    if tenant_status != TenantStatus.ENABLED.value:
        return False, f"the tenant is {tenant_status}"
    if csa_status == IntegrationStatus.ENABLED.value:
        return True, "CSA_API enabled"
    if legacy_csa and csa_status != IntegrationStatus.DISABLED.value:
        return True, "legacy CSA tenant: read until LinkedIn reports CSA_API disabled"
    if csa_status in (None, IntegrationStatus.NOT_NAMED.value):
        return (
            False,
            "CSA_API state not known yet (`rsc tenant onboard` names it, `rsc tenant verify` reads it)",
        )
    return False, f"CSA_API {csa_status}"


@dataclass(frozen=True)
class ContractState:
    urn: str
    csa_status: str | None
    read: bool
    why: str
    seats_read_at: datetime | None
    seats_error: str | None
    seats_failed_at: datetime | None
    seats_failures: int
    seats_retry_at: datetime | None


class Contracts(TenantRepository):
    def add(self, urn: str) -> bool:
        return insert_ignore(
            self.session,
            RecruiterContract.__table__,
            {"tenant_id": self.tenant, "urn": urn, "added_at": utcnow(), "seats_failures": 0},
            key=("tenant_id", "urn"),
        )

    def remove(self, urn: str) -> bool:
        result = self.session.execute(
            delete(RecruiterContract).where(
                RecruiterContract.tenant_id == self.tenant, RecruiterContract.urn == urn
            )
        )
        return bool(getattr(result, "rowcount", 0))

    def replace(self, urns: Iterable[str]) -> tuple[list[str], list[str]]:
        """Make the tenant's contracts exactly ``urns``; returns (added, removed)."""
        wanted = set(urns)
        current = set(self.urns())
        added = sorted(u for u in wanted - current if self.add(u))
        removed = sorted(u for u in current - wanted if self.remove(u))
        return added, removed

    def get(self, urn: str) -> RecruiterContract | None:
        return self.session.get(RecruiterContract, (self.tenant, urn))

    def urns(self) -> list[str]:
        return list(
            self.session.scalars(
                select(RecruiterContract.urn)
                .where(RecruiterContract.tenant_id == self.tenant)
                .order_by(RecruiterContract.urn)
            )
        )

    def states(self) -> list[ContractState]:
        """Every contract with its CSA_API state, whether it is read, and its last seat reads."""
        tenant = self.session.get(Tenant, self.tenant)
        csa = _csa_statuses(self.session, [self.tenant])
        states = []
        for row in self.session.scalars(
            select(RecruiterContract)
            .where(RecruiterContract.tenant_id == self.tenant)
            .order_by(RecruiterContract.urn)
        ):
            status = csa.get((self.tenant, row.urn))
            read, why = (
                reads_contract(tenant.status, tenant.legacy_csa, status)
                if tenant is not None
                else (False, "the tenant does not exist")
            )
            states.append(
                ContractState(
                    urn=row.urn,
                    csa_status=status,
                    read=read,
                    why=why,
                    seats_read_at=row.seats_read_at,
                    seats_error=row.seats_error,
                    seats_failed_at=row.seats_failed_at,
                    seats_failures=row.seats_failures or 0,
                    seats_retry_at=row.seats_retry_at,
                )
            )
        return states

    def read(self) -> list[str]:
        """The contracts read now (seats, InMails, stubs, notes)."""
        return [s.urn for s in self.states() if s.read]

    def is_read(self, urn: str) -> bool:
        return urn in self.read()

    def seats_read(self, urn: str) -> None:
        """The contract's seats were read: its failure record is cleared."""
        row = self.get(urn)
        if row is None:
            return
        row.seats_read_at = utcnow()
        row.seats_error = None
        row.seats_failed_at = None
        row.seats_failures = 0
        row.seats_retry_at = None
        self.session.flush()

    def seats_failed(self, urn: str, error: str, retry_at: datetime) -> int:
        """Record a failed read of the contract's seats; returns the failures in a row."""
        row = self.get(urn)
        if row is None:
            return 0
        row.seats_error = error
        row.seats_failed_at = utcnow()
        row.seats_failures = (row.seats_failures or 0) + 1
        row.seats_retry_at = retry_at
        self.session.flush()
        return row.seats_failures

    def retries_due(self, now: datetime) -> list[str]:
        """Contracts read now whose failed seat read is due to be tried again."""
        due = {
            row.urn
            for row in self.session.scalars(
                select(RecruiterContract).where(
                    RecruiterContract.tenant_id == self.tenant,
                    RecruiterContract.seats_retry_at.is_not(None),
                    RecruiterContract.seats_retry_at <= now,
                )
            )
        }
        return [urn for urn in self.read() if urn in due]

    def hold_retries(self, urns: list[str], until: datetime) -> None:
        """A retry of these was asked for; it is not asked again before ``until`` unless it ran."""
        for urn in urns:
            row = self.get(urn)
            if row is not None and row.seats_retry_at is not None:
                row.seats_retry_at = until
        self.session.flush()


def _csa_statuses(session: Session, tenants: list[str]) -> dict[tuple[str, str], str]:
    if not tenants:
        return {}
    return {
        (tenant, context): status
        for tenant, context, status in session.execute(
            select(TenantIntegration.tenant_id, TenantIntegration.context, TenantIntegration.status).where(
                TenantIntegration.tenant_id.in_(tenants),
                TenantIntegration.integration_type == IntegrationType.CSA_API.value,
            )
        )
    }


def all_contracts(session: Session) -> list[tuple[str, str]]:
    """(tenant, contract URN) of every contract read now (operator query for the scheduler): one
    query over the enabled tenants' contracts and their CSA_API states, whatever their number."""
    csa = and_(
        TenantIntegration.tenant_id == RecruiterContract.tenant_id,
        TenantIntegration.integration_type == IntegrationType.CSA_API.value,
        TenantIntegration.context == RecruiterContract.urn,
    )
    rows = session.execute(
        select(
            RecruiterContract.tenant_id, RecruiterContract.urn, Tenant.legacy_csa, TenantIntegration.status
        )
        .join(Tenant, Tenant.id == RecruiterContract.tenant_id)
        .outerjoin(TenantIntegration, csa)
        .where(Tenant.status == TenantStatus.ENABLED.value)
        .order_by(RecruiterContract.tenant_id, RecruiterContract.urn)
    )
    return [
        (tenant, urn)
        for tenant, urn, legacy_csa, csa_status in rows
        if reads_contract(TenantStatus.ENABLED.value, legacy_csa, csa_status)[0]
    ]
