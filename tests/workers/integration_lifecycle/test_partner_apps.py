"""`rsc tenant create` with the partner app's credentials: the customer's app is provisioned through
provisionedApplications once, found again on a rerun, updated when the settings' domains change; typed
in credentials still work. Against the in-process sandbox in strict mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from rsc.settings import reset_settings
from store.db import get_store
from store.uow import OpsUnitOfWork
from tests.helpers import ORG
from tests.sandbox_harness import BASE_URL, SandboxHarness, running_sandbox
from workers.runtime.wiring import use_linkedin_clients

runner = CliRunner()
CREATE = ["tenant", "create", "globex", "--org", ORG, "--name", "Globex", "--no-onboard"]


@pytest.fixture
def sandbox(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", BASE_URL)
    monkeypatch.setenv("RSC_PARTNER_CLIENT_ID", "parent-client")
    monkeypatch.setenv("RSC_PARTNER_CLIENT_SECRET", "parent-secret")
    monkeypatch.setenv("RSC_APP_CALLBACK_URLS", "https://ats.example.com/oauth/callback")
    monkeypatch.setenv("RSC_APP_JS_SDK_DOMAINS", "https://ats.example.com/, https://widgets.example.com")
    monkeypatch.setenv("COLUMNS", "200")
    reset_settings()
    with running_sandbox(tmp_path, validate_callbacks=False) as harness:
        use_linkedin_clients(harness.linkedin_clients())
        yield harness


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def provisioned(sandbox: SandboxHarness, tenant: str = "globex") -> list[dict[str, Any]]:
    return [a for a in sandbox.control("GET", "/apps")["apps"] if a["uniqueForeignId"] == tenant]


def provisioning_calls(sandbox: SandboxHarness) -> list[tuple[str, str]]:
    found = sandbox.control("GET", "/requests", params={"path_prefix": "/v2/provisionedApplications"})
    return [(r["method"], r["path"]) for r in found["requests"]]


def test_create_provisions_the_customer_app_once_and_a_rerun_reuses_it(sandbox: SandboxHarness) -> None:
    output = invoke(*CREATE)

    (remote,) = provisioned(sandbox)
    assert f"customer app {remote['appUrn']} created" in output
    assert remote["oauth2AuthorizedCallbackUrls"] == ["https://ats.example.com/oauth/callback"]
    # Domains go without a trailing '/', as LinkedIn requires.
    assert remote["validJsSdkDomains"] == ["https://ats.example.com", "https://widgets.example.com"]
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.tenants.require("globex")
        assert (tenant.client_id, tenant.app_urn) == (remote["clientId"], remote["appUrn"])
        assert tenant.client_secret(ops.keyring) == remote["clientSecret"]
        assert remote["clientSecret"] not in tenant.client_secret_enc
    assert "customer app" in invoke("tenant", "show", "globex") and remote["appUrn"] in invoke(
        "tenant", "show", "globex"
    )

    again = invoke(*CREATE, "--update")

    assert f"customer app {remote['appUrn']} reused" in again
    assert len(provisioned(sandbox)) == 1
    # Looked up first each time; created once; nothing to update.
    assert [m for m, _ in provisioning_calls(sandbox)] == ["GET", "POST", "GET"]


def test_a_rerun_sets_the_domains_and_callbacks_that_changed_in_the_settings(
    sandbox: SandboxHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke(*CREATE)
    (before,) = provisioned(sandbox)
    monkeypatch.setenv("RSC_APP_JS_SDK_DOMAINS", "https://careers.example.com/")
    reset_settings()

    output = invoke(*CREATE, "--update")

    assert f"customer app {before['appUrn']} updated" in output
    (after,) = provisioned(sandbox)
    assert after["validJsSdkDomains"] == ["https://careers.example.com"]
    assert after["oauth2AuthorizedCallbackUrls"] == before["oauth2AuthorizedCallbackUrls"]
    assert after["clientId"] == before["clientId"]
    update = ("POST", f"/v2/provisionedApplications/{before['appUrn']}")
    assert provisioning_calls(sandbox)[-1] == update
    logged = sandbox.control("GET", "/requests", params={"path_prefix": update[1]})["requests"][-1]
    assert '{"patch":{"$set":{"validJsSdkDomains":["https://careers.example.com"]}}}' in logged["body"]
    with OpsUnitOfWork(get_store()) as ops:
        assert ops.tenants.require("globex").client_secret(ops.keyring) == after["clientSecret"]


def test_credentials_typed_in_by_hand_still_work_and_provision_nothing(
    sandbox: SandboxHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = invoke(*CREATE, "--client-id", "globex-client", "--client-secret", "globex-secret")

    assert "customer app" not in output
    assert provisioning_calls(sandbox) == [] and provisioned(sandbox) == []
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.tenants.require("globex")
        assert (tenant.client_id, tenant.client_secret(ops.keyring), tenant.app_urn) == (
            "globex-client",
            "globex-secret",
            None,
        )
    assert "typed in by hand" in invoke("tenant", "show", "globex")
    half = runner.invoke(app, [*CREATE, "--update", "--client-id", "other-client"])
    assert half.exit_code != 0 and "go together" in half.output

    monkeypatch.delenv("RSC_PARTNER_CLIENT_ID")
    reset_settings()
    missing = runner.invoke(app, ["tenant", "create", "initech", "--org", ORG, "--no-onboard"])
    assert missing.exit_code != 0 and "RSC_PARTNER_CLIENT_ID" in missing.output
