"""Per-process resources handlers need, built at worker start-up: the settings, the store and the
publisher (``runtime()``), the tenants, and each tenant's LinkedIn client.

This module and the broker's are the worker process's composition root: the only places in
``workers/`` that read the process's settings and store. An actor takes what its handler needs from
here and passes it down as arguments."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from dramatiq import Middleware, Worker
from dramatiq.broker import Broker

from events.publisher import Publisher, get_publisher
from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.provisioning import ProvisionedApplications
from linkedin.ratelimit import Traffic
from rsc.errors import PermanentError
from rsc.settings import Settings, get_settings
from store.db import Store, get_store
from store.tenants import TenantApp, TenantDirectory


class UnknownTenant(PermanentError):
    reason_code = "unknown_tenant"


class PartnerNotConfigured(PermanentError):
    reason_code = "partner_not_configured"


@dataclass(frozen=True)
class Runtime:
    """What the worker process's actors hand their handlers."""

    settings: Settings
    store: Store

    @property
    def publisher(self) -> Publisher:
        """The process's publisher to the settings' broker."""
        return get_publisher(self.settings)


def runtime() -> Runtime:
    """The process's settings and store, each built once on first use and cached by its definition
    (``rsc.settings.get_settings``, ``store.db.get_store``), so tests that change the environment and
    reset those caches get the new ones."""
    return Runtime(get_settings(), get_store())


_lock = threading.Lock()
_clients: LinkedInClients | None = None
_directory: TenantDirectory | None = None


def tenants() -> TenantDirectory:
    global _directory  # noqa: PLW0603
    with _lock:
        if _directory is None:
            _directory = TenantDirectory(lambda: runtime().store.session(None))
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
            _clients = LinkedInClients(get_settings(), get_store)
        return _clients


def linkedin_for(tenant_id: str, traffic: Traffic = Traffic.LIVE) -> LinkedInClient:
    """The tenant's client; ``Traffic.BULK`` (the historical backfill) spends only the bulk share."""
    app = tenant_app(tenant_id)
    return linkedin_clients().for_app(AppCredentials(app.client_id, app.client_secret), app.org_urn, traffic)


def partner_linkedin() -> ProvisionedApplications:
    """The partner (parent) app's provisioning calls, with RSC_PARTNER_CLIENT_ID and its secret."""
    settings = runtime().settings
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
