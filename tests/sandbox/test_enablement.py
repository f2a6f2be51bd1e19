"""What the customer enabled, as the sandbox keeps it: the company-level integrations of an app's
organization and one CSA_API per contract, set together and read back per organization and contract."""

from __future__ import annotations

import pytest

from sandbox.enablement import (
    IntegrationStatus,
    IntegrationType,
    app_keys,
    company_enabled,
    contract_enabled,
    enablement_view,
    set_status,
)
from sandbox.state import Sandbox

ORG = "urn:li:organization:1"
CONTRACT = "urn:li:contract:10"


def test_enabling_an_app_enables_its_company_integrations_and_each_contract(sandbox: Sandbox) -> None:
    app = sandbox.apps.create(client_id="acme-client", organization=ORG, contracts=[CONTRACT])
    keys = app_keys(app)
    assert {k["integrationContext"] for k in keys} == {ORG, CONTRACT}
    assert not company_enabled(sandbox, ORG) and not contract_enabled(sandbox, ORG, CONTRACT)
    set_status(sandbox, app, IntegrationStatus.ENABLED)
    assert company_enabled(sandbox, ORG) and contract_enabled(sandbox, ORG, CONTRACT)
    assert enablement_view(sandbox, app) == {"company": True, "contracts": {CONTRACT: True}}
    set_status(sandbox, app, IntegrationStatus.DISABLED, [IntegrationType.CSA_API])
    assert company_enabled(sandbox, ORG) and not contract_enabled(sandbox, ORG, CONTRACT)


def test_an_app_without_an_organization_has_nothing_to_enable(sandbox: Sandbox) -> None:
    app = sandbox.apps.create(client_id="loose-client", contracts=[CONTRACT])
    assert enablement_view(sandbox, app) == {"company": False, "contracts": {CONTRACT: False}}
    with pytest.raises(ValueError, match="has no organization; bind one first"):
        set_status(sandbox, app, IntegrationStatus.ENABLED)
