"""Registering a tenant: a new one starts pending (or enabled, on LinkedIn's legacy CSA integration);
an existing one keeps its state while its customer app's details change (``rsc tenant create``)."""

from __future__ import annotations

from dataclasses import dataclass

from store.tenants import JobAvailability, JobPostingViewers, Tenant, TenantStatus
from store.uow import OpsUnitOfWork


class TenantExists(Exception):
    """The tenant is registered already and the caller did not ask to update it."""


class LegacyOnlyForNew(Exception):
    """Only a new tenant can be put on the legacy CSA integration."""


@dataclass(frozen=True)
class Registration:
    tenant_id: str
    org: str
    client_id: str
    client_secret: str
    job_availability: JobAvailability
    #: The customer's name, used in the integration names ("" keeps the one stored).
    name: str = ""
    legacy_csa: bool = False
    #: The customer app's URN when the partner app provisioned it (None: credentials typed in).
    app_urn: str | None = None
    #: Who sees the tenant's jobs on LinkedIn (None keeps the one stored; a new tenant: every user).
    job_posting_viewers: JobPostingViewers | None = None


def _new_tenant(ops: OpsUnitOfWork, registration: Registration) -> Tenant:
    tenant = ops.tenants.add(Tenant(id=registration.tenant_id))
    if registration.legacy_csa:
        tenant.set_status(TenantStatus.ENABLED, "on the legacy CSA integration; syncs until RSC is enabled")
        tenant.legacy_csa = True
    else:
        tenant.set_status(TenantStatus.PENDING, "waiting for the customer to enable the integration")
    return tenant


def register_tenant(ops: OpsUnitOfWork, registration: Registration, *, update: bool) -> str:
    """Add or (with ``update``) change the tenant, commit, and return its status."""
    tenant = ops.tenants.get(registration.tenant_id)
    if tenant is not None and not update:
        raise TenantExists(registration.tenant_id)
    if tenant is None:
        tenant = _new_tenant(ops, registration)
    elif registration.legacy_csa and not tenant.legacy_csa:
        raise LegacyOnlyForNew(registration.tenant_id)
    tenant.org_urn = registration.org
    if tenant.client_id != registration.client_id or tenant.app_urn != registration.app_urn:
        tenant.secret_id = None
    tenant.app_urn = registration.app_urn
    tenant.client_id = registration.client_id
    tenant.set_client_secret(ops.keyring, registration.client_secret)
    tenant.job_availability = registration.job_availability.value
    if registration.job_posting_viewers is not None:
        tenant.job_posting_viewers = registration.job_posting_viewers.value
    elif tenant.job_posting_viewers is None:
        tenant.job_posting_viewers = JobPostingViewers.ALL_PRODUCT_USERS.value
    if registration.name:
        tenant.display_name = registration.name
    status = tenant.status
    ops.commit()
    return status
