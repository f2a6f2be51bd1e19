"""Tenants: one ATS customer each, with its LinkedIn organization and customer-app credentials."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, Text, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from rsc.crypto import Keyring
from store.base import Base, utcnow
from store.repository import Repository, keyring_of


class TenantStatus(StrEnum):
    #: Registered; the customer has not enabled the integration in Recruiter (or it is not verified
    #: yet). The ATS's events are stored, nothing is sent to LinkedIn.
    PENDING = "pending"
    #: LinkedIn confirmed the customer enabled it (or the tenant is a legacy CSA customer): syncing.
    ENABLED = "enabled"
    #: Disabled in Recruiter or by the operator: every sync to LinkedIn stopped.
    DISABLED = "disabled"


class JobAvailability(StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE_TO_ATS_INTEGRATION"


class JobPostingViewers(StrEnum):
    """Who in Recruiter sees the tenant's synced jobs (JOB_POSTING_VIEWERS, reference §3.2)."""

    ALL_PRODUCT_USERS = "ALL_PRODUCT_USERS"
    #: Only the users a job's ACL names (its hiring team's seats, reference §3.7).
    ACL_BASED = "ACL_BASED"


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_urn: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(200))
    #: The customer app's client secret, Fernet-encrypted with RSC_SECRET_KEY.
    client_secret_enc: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=TenantStatus.PENDING)
    #: Why the status is what it is (names the push, the operator command or the legacy mark).
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    #: On LinkedIn's old CSA integration: syncs as before until its customer enables RSC, which
    #: moves it to the new integration (and starts the historical backfill).
    legacy_csa: Mapped[bool] = mapped_column(default=False)
    #: Disabled by the operator (``rsc tenant disable``): only the customer enabling the integration
    #: again (a push announcing it) or ``rsc tenant verify`` enables it again.
    disabled_by_operator: Mapped[bool] = mapped_column(default=False)
    #: The customer's name, used in the integration names shown in Recruiter.
    display_name: Mapped[str | None] = mapped_column(String(200))
    #: The CALLBACK_URL registered with LinkedIn at onboarding (one per customer).
    callback_url: Mapped[str | None] = mapped_column(Text)
    job_availability: Mapped[str] = mapped_column(String(32), default=JobAvailability.PRIVATE)
    #: The customer app's URN when this pipeline provisioned it with the partner app
    #: (provisionedApplications); null for credentials typed in by hand.
    app_urn: Mapped[str | None] = mapped_column(String(200))
    #: LinkedIn's id of the stored client secret, once a rotation created it (null: the first secret).
    secret_id: Mapped[str | None] = mapped_column(String(200))
    #: When the client secret was last rotated (null: never; its age then counts from ``created_at``).
    secret_rotated_at: Mapped[datetime | None]
    #: The last rotation that did not complete (blocked by two secrets, refused), and why; cleared by
    #: the next one that does.
    secret_rotation_failed_at: Mapped[datetime | None]
    secret_rotation_error: Mapped[str | None] = mapped_column(Text)
    job_posting_viewers: Mapped[str] = mapped_column(
        String(32), default=JobPostingViewers.ALL_PRODUCT_USERS, server_default="ALL_PRODUCT_USERS"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def syncs(self) -> bool:
        """Whether anything of this tenant may be sent to LinkedIn."""
        return self.status == TenantStatus.ENABLED

    def set_status(self, status: TenantStatus, reason: str) -> None:
        self.status = status.value
        self.status_reason = reason
        self.status_changed_at = utcnow()

    def client_secret(self, keyring: Keyring) -> str:
        return keyring.decrypt(self.client_secret_enc)

    def set_client_secret(self, keyring: Keyring, value: str) -> None:
        self.client_secret_enc = keyring.encrypt(value)


class TenantNotFound(LookupError):
    pass


class Tenants(Repository):
    """The tenant registry; used from operator sessions (not bound to one tenant)."""

    def get(self, tenant_id: str) -> Tenant | None:
        return self.session.get(Tenant, tenant_id)

    def require(self, tenant_id: str) -> Tenant:
        tenant = self.get(tenant_id)
        if tenant is None:
            raise TenantNotFound(f"tenant {tenant_id!r} does not exist; create it with `rsc tenant create`")
        return tenant

    def add(self, tenant: Tenant) -> Tenant:
        self.session.add(tenant)
        return tenant

    def all(self) -> list[Tenant]:
        return list(self.session.scalars(select(Tenant).order_by(Tenant.id)))


def lock_tenant(session: Session, tenant_id: str) -> Tenant | None:
    """The tenant, its row locked until the transaction ends (PostgreSQL; SQLite locks on write)."""
    stmt = select(Tenant).where(Tenant.id == tenant_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def tenant_syncs(session: Session, tenant_id: str) -> bool:
    """Whether the tenant's integration is enabled (verified), so its records may go to LinkedIn."""
    status = session.scalar(select(Tenant.status).where(Tenant.id == tenant_id))
    return status == TenantStatus.ENABLED


def syncing_tenant_ids(session: Session) -> set[str]:
    """Every tenant whose integration is enabled (operator query)."""
    return set(session.scalars(select(Tenant.id).where(Tenant.status == TenantStatus.ENABLED.value)))


def tenants_due_for_rotation(
    session: Session, now: datetime, *, max_age: timedelta, retry_after: timedelta
) -> list[str]:
    """Tenants with a provisioned app whose secret is older than ``max_age`` (counting from its last
    rotation, else from the tenant's creation), leaving those whose last try failed within ``retry_after``."""
    age_from = func.coalesce(Tenant.secret_rotated_at, Tenant.created_at)
    return list(
        session.scalars(
            select(Tenant.id)
            .where(
                Tenant.app_urn.is_not(None),
                Tenant.status != TenantStatus.DISABLED.value,
                age_from <= now - max_age,
                or_(
                    Tenant.secret_rotation_failed_at.is_(None),
                    Tenant.secret_rotation_failed_at <= now - retry_after,
                ),
            )
            .order_by(Tenant.id)
        )
    )


def job_availability_of(session: Session, tenant_id: str) -> JobAvailability:
    """Where the tenant's jobs are shown on LinkedIn: its choice, else private to the integration."""
    tenant = session.get(Tenant, tenant_id)
    return JobAvailability(tenant.job_availability) if tenant is not None else JobAvailability.PRIVATE


def job_posting_viewers_of(session: Session, tenant_id: str) -> JobPostingViewers:
    """Who sees the tenant's jobs on LinkedIn: its choice, else every Recruiter user."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        return JobPostingViewers.ALL_PRODUCT_USERS
    return JobPostingViewers(tenant.job_posting_viewers)


@dataclass(frozen=True)
class TenantApp:
    """What a process needs to act for a tenant: its organization and decrypted app credentials."""

    tenant_id: str
    org_urn: str
    client_id: str
    client_secret: str
    status: TenantStatus


class TenantDirectory:
    """Tenants read from the store and kept for ``ttl_s`` seconds (ingress and workers)."""

    def __init__(self, session_factory: Callable[[], Session], ttl_s: float = 30.0) -> None:
        self._session_factory = session_factory
        self._ttl_s = ttl_s
        self._cache: dict[str, tuple[float, TenantApp | None]] = {}
        self._lock = threading.Lock()

    def forget(self, tenant_id: str) -> None:
        with self._lock:
            self._cache.pop(tenant_id, None)

    def get(self, tenant_id: str) -> TenantApp | None:
        cached = self._cache.get(tenant_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        with self._session_factory() as session:
            tenant = Tenants(session).get(tenant_id)
            app = (
                TenantApp(
                    tenant.id,
                    tenant.org_urn,
                    tenant.client_id,
                    tenant.client_secret(keyring_of(session)),
                    TenantStatus(tenant.status),
                )
                if tenant
                else None
            )
        if app is not None:
            # An unknown tenant is read again next time: it may be created any moment.
            with self._lock:
                self._cache[tenant_id] = (time.monotonic() + self._ttl_s, app)
        return app
