"""Per-process resources handlers need: tenants, and each tenant's LinkedIn client."""

from __future__ import annotations

import threading

from dramatiq import Middleware, Worker
from dramatiq.broker import Broker

from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.provisioning import ProvisionedApplications
from linkedin.ratelimit import Traffic
from rsc.errors import PermanentError
from rsc.settings import get_settings
from store.db import get_store
from store.tenants import TenantApp, TenantDirectory


class UnknownTenant(PermanentError):
    reason_code = "unknown_tenant"


class PartnerNotConfigured(PermanentError):
    reason_code = "partner_not_configured"


_lock = threading.Lock()
_clients: LinkedInClients | None = None
_directory: TenantDirectory | None = None


def tenants() -> TenantDirectory:
    global _directory  # noqa: PLW0603
    with _lock:
        if _directory is None:
            _directory = TenantDirectory(lambda: get_store().session(None))
        return _directory


def tenant_app(tenant_id: str) -> TenantApp:
    app = tenants().get(tenant_id)
    if app is None:
        raise UnknownTenant(
            f"tenant {tenant_id!r} does not exist; create it with `rsc tenant create` and replay"
        )
    return app


def linkedin_clients() -> LinkedInClients:
    global _clients  # noqa: PLW0603
    with _lock:
        if _clients is None:
            _clients = LinkedInClients()
        return _clients


def linkedin_for(tenant_id: str, traffic: Traffic = Traffic.LIVE) -> LinkedInClient:
    """The tenant's client; ``Traffic.BULK`` (the historical backfill) spends only the bulk share."""
    app = tenant_app(tenant_id)
    return linkedin_clients().for_app(AppCredentials(app.client_id, app.client_secret), app.org_urn, traffic)


def partner_linkedin() -> ProvisionedApplications:
    """The partner (parent) app's provisioning calls, with RSC_PARTNER_CLIENT_ID and its secret."""
    settings = get_settings()
    if not settings.partner_configured:
        raise PartnerNotConfigured(
            "set RSC_PARTNER_CLIENT_ID and RSC_PARTNER_CLIENT_SECRET (the partner app's credentials) "
            "to provision customer apps and rotate their secrets"
        )
    credentials = AppCredentials(settings.partner_client_id, settings.partner_client_secret)
    return linkedin_clients().for_partner(credentials)


def forget_tenant(tenant_id: str) -> None:
    """Read the tenant from the store again next time (its credentials changed)."""
    tenants().forget(tenant_id)


def use_linkedin_clients(clients: LinkedInClients) -> None:
    """Make this process use ``clients`` (tests point them at an in-process sandbox)."""
    global _clients  # noqa: PLW0603
    with _lock:
        _clients = clients


def close_linkedin_clients() -> None:
    """Close this process's LinkedIn clients (their rate-limit leases go back to the store)."""
    global _clients  # noqa: PLW0603
    with _lock:
        if _clients is not None:
            _clients.close()
        _clients = None


class LinkedInShutdown(Middleware):
    """A worker process that stops gives back what it holds of the shared LinkedIn budgets."""

    def after_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        close_linkedin_clients()


def reset_runtime() -> None:
    """Forget cached tenants and clients (tests)."""
    global _directory  # noqa: PLW0603
    close_linkedin_clients()
    with _lock:
        _directory = None
