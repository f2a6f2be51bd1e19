"""What `rsc tenant show` says of a tenant's app and its secret: where the app came from, the secret's
id and rotation, a failed rotation with its error, never the secret itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer

from cli.tenant_secrets import customer_app, secret_facts, secret_rows
from rsc.crypto import Keyring
from store.tenants import Tenant
from tests.infra import TEST_SECRET_KEY

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_a_typed_in_app_is_taken_as_given_and_a_half_one_refused(sqlite_url: str) -> None:
    app = customer_app("acme", "Acme", "acme-client", "acme-secret")
    assert (app.client_id, app.client_secret, app.app_urn) == ("acme-client", "acme-secret", None)
    with pytest.raises(typer.BadParameter, match="go together"):
        customer_app("acme", "Acme", "acme-client", None)
    with pytest.raises(typer.BadParameter, match="RSC_PARTNER_CLIENT_ID"):
        customer_app("acme", "Acme", None, None)


def test_the_secret_is_described_never_shown() -> None:
    tenant = Tenant(id="acme", org_urn="urn:li:organization:1", client_id="acme-client")
    tenant.set_client_secret(Keyring.of(TEST_SECRET_KEY.encode()), "acme-secret")
    facts = secret_facts(tenant)
    assert facts["provisioned"] is False and "acme-secret" not in str(facts)
    assert secret_rows(facts) == [
        ("customer app", "typed in by hand (not provisioned here)"),
        ("secret id", "-"),
        ("secret rotated", "never"),
    ]
    tenant.app_urn, tenant.secret_id = "urn:li:developerApplication:9", "s-2"
    tenant.secret_rotated_at, tenant.secret_rotation_failed_at = T0, T0
    tenant.secret_rotation_error = "LinkedIn answered 503"
    rows = dict(secret_rows(secret_facts(tenant)))
    assert rows["secret rotated"] == "2026-05-01T09:00:00+00:00"
    assert rows["secret rotation failed"] == "2026-05-01T09:00:00+00:00: LinkedIn answered 503"
