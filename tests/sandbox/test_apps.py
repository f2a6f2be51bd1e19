"""The sandbox's app registry: customer apps created once per client id, authenticated by either of
their secrets, and the partner app by its own; tokens minted for an app are found again."""

from __future__ import annotations

import pytest

from sandbox.apps import AppRegistry
from sandbox.state import Sandbox

ORG = "urn:li:organization:1"


def test_an_app_is_created_once_and_authenticated_by_its_secrets(sandbox: Sandbox) -> None:
    apps: AppRegistry = sandbox.apps
    app = apps.create(client_id="acme-client", client_secret="acme-secret", organization=ORG)
    assert app.app_urn.startswith("urn:li:developerApplication:")
    with pytest.raises(ValueError, match="an app with client id 'acme-client' already exists"):
        apps.create(client_id="acme-client", organization=ORG)
    found = apps.authenticate("acme-client", "acme-secret")
    assert found is not None and found.app.client_id == "acme-client"
    assert apps.authenticate("acme-client", "wrong") is None
    assert apps.authenticate("nobody", "acme-secret") is None
    second = apps.add_secret(app)
    assert apps.authenticate("acme-client", second.secret) is not None
    assert apps.for_organization(ORG) == apps.get("acme-client")


def test_the_partner_app_authenticates_by_its_own_secret(sandbox: Sandbox) -> None:
    parent = sandbox.apps.parent
    assert sandbox.apps.authenticate(parent.client_id, parent.client_secret) is not None
    assert sandbox.apps.authenticate(parent.client_id, "wrong") is None


def test_a_minted_token_is_looked_up_to_its_app(sandbox: Sandbox) -> None:
    app = sandbox.apps.create(client_id="acme-client", organization=ORG)
    token = sandbox.apps.mint(app, ttl_s=1800)
    found = sandbox.apps.lookup(token)
    assert found.app is not None and found.app.client_id == "acme-client" and not found.expired
    assert sandbox.apps.lookup("no-such-token").app is None
    sandbox.clock.advance(1801)
    assert sandbox.apps.lookup(token).expired
    assert sandbox.apps.newest_expiry("other-client") is None
