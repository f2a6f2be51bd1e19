"""Tenants: one ATS customer each, with its LinkedIn organization and customer-app credentials."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from rsc.crypto import decrypt, encrypt
from store.base import Base, utcnow


class TenantStatus(StrEnum):
    PENDING = "pending"
    ENABLED = "enabled"
    DISABLED = "disabled"


class JobAvailability(StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE_TO_ATS_INTEGRATION"


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_urn: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(200))
    #: The customer app's client secret, Fernet-encrypted with RSC_SECRET_KEY.
    client_secret_enc: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=TenantStatus.ENABLED)
    job_availability: Mapped[str] = mapped_column(String(32), default=JobAvailability.PRIVATE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def client_secret(self) -> str:
        return decrypt(self.client_secret_enc)

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_enc = encrypt(value)


class TenantNotFound(LookupError):
    pass


class Tenants:
    """The tenant registry; used from operator sessions (not bound to one tenant)."""

    def __init__(self, session: Session) -> None:
        self.session = session

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


def job_availability_of(session: Session, tenant_id: str) -> JobAvailability:
    """Where the tenant's jobs are shown on LinkedIn: its choice, else private to the integration."""
    tenant = session.get(Tenant, tenant_id)
    return JobAvailability(tenant.job_availability) if tenant is not None else JobAvailability.PRIVATE


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
                    tenant.client_secret,
                    TenantStatus(tenant.status),
                )
                if tenant
                else None
            )
        with self._lock:
            self._cache[tenant_id] = (time.monotonic() + self._ttl_s, app)
        return app

    def forget(self, tenant_id: str | None = None) -> None:
        with self._lock:
            if tenant_id is None:
                self._cache.clear()
            else:
                self._cache.pop(tenant_id, None)
