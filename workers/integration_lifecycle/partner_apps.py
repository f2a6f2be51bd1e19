"""The customer app of a tenant, provisioned by the partner app (reference §3.1, §1).

The tenant id is the app's ``uniqueForeignId``, so provisioning twice finds the first app instead of
creating a second; its callback URLs and JS SDK domains come from the settings
(``RSC_APP_CALLBACK_URLS``, ``RSC_APP_JS_SDK_DOMAINS``) and are brought in line when they changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkedin.provisioning import AppProfile, ProvisionedApplications, Provisioning, provision
from rsc.logs import get_logger
from rsc.settings import Settings

log = get_logger(__name__)


@dataclass(frozen=True)
class CustomerApp:
    client_id: str
    client_secret: str
    #: The app's URN when the partner app provisioned it (None: typed in by hand).
    app_urn: str | None


def app_profile(tenant_id: str, name: str, settings: Settings) -> AppProfile:
    customer = name or tenant_id
    return AppProfile(
        unique_foreign_id=tenant_id,
        name=f"{customer} RSC integration",
        description=f"Recruiter System Connect integration of {customer}",
        callback_urls=tuple(settings.callback_url_list),
        js_sdk_domains=tuple(settings.js_sdk_domain_list),
    )


def provision_customer_app(
    partner: ProvisionedApplications, tenant_id: str, name: str, settings: Settings
) -> tuple[CustomerApp, Provisioning]:
    """The tenant's app, created or found again (and updated) by the partner app."""
    provisioned = provision(partner, app_profile(tenant_id, name, settings))
    log.info("customer app provisioned", tenant=tenant_id, outcome=provisioned.outcome.value)
    app = provisioned.app
    return CustomerApp(app.client_id, app.client_secret, app.app_urn), provisioned.outcome
