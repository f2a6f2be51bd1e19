"""`rsc tenant` and `rsc backfill` as operators use them: the store, the in-process sandbox and the
real RabbitMQ (runner requests are published)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from rsc.settings import get_settings
from schemas.commands import BackfillSlice
from store.db import get_store
from store.tenants import Tenant, TenantStatus
from store.uow import OpsUnitOfWork, UnitOfWork
from tests import ats_events as ats
from tests.fakes import FakePublisher
from tests.helpers import ORG, drain
from tests.sandbox_harness import BASE_URL, SandboxHarness, running_sandbox
from tests.workers.integration_lifecycle.conftest import apply
from workers.historical_backfill.runner import run_backfill
from workers.runtime.wiring import linkedin_for, use_linkedin_clients

runner = CliRunner()
CREATE = [
    "tenant",
    "create",
    "globex",
    "--org",
    ORG,
    "--client-id",
    "globex-client",
    "--client-secret",
    "globex-secret",
    "--contract",
    "urn:li:contract:10",
    "--contract",
    "urn:li:contract:11",
    "--name",
    "Globex",
]


@pytest.fixture
def sandbox(
    sqlite_url: str, rabbit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", BASE_URL)
    monkeypatch.setenv("RSC_PUBLIC_BASE_URL", "https://ats.example/rsc")
    monkeypatch.setenv("COLUMNS", "200")
    with running_sandbox(tmp_path, validate_callbacks=False) as harness:
        harness.create_app(
            "globex-client",
            "globex-secret",
            ORG,
            contracts=["urn:li:contract:10", "urn:li:contract:11"],
            enabled=False,  # the tenant is onboarded by the CLI and enabled by the customer
        )
        use_linkedin_clients(harness.linkedin_clients())
        yield harness


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def enable_in_recruiter(sandbox: SandboxHarness) -> None:
    sandbox.control(
        "POST", "/integration-status", json={"clientId": "globex-client", "status": "ENABLED", "push": False}
    )


def test_create_stores_the_tenant_pending_with_its_contracts_and_onboards_it(sandbox: SandboxHarness) -> None:
    output = invoke(*CREATE)

    assert "pending" in output and "named CSA_API urn:li:contract:11" in output
    assert "CALLBACK_URL https://ats.example/rsc/webhooks/linkedin/globex" in output
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.tenants.require("globex")
        assert tenant.status == TenantStatus.PENDING and tenant.display_name == "Globex"
        assert (
            "globex-secret" not in tenant.client_secret_enc
            and tenant.client_secret(ops.keyring) == "globex-secret"
        )
    with UnitOfWork("globex", get_store()) as uow:
        assert uow.contracts.urns() == ["urn:li:contract:10", "urn:li:contract:11"]
    shown = invoke("tenant", "show", "globex")
    assert "globex-secret" not in shown and "urn:li:contract:10, urn:li:contract:11" in shown
    again = runner.invoke(app, CREATE)
    assert again.exit_code == 1 and "pass --update" in again.output


def test_status_shows_each_integration_as_linkedin_reports_it_and_verify_applies_it(
    sandbox: SandboxHarness, rabbit: str
) -> None:
    invoke(*CREATE)
    enable_in_recruiter(sandbox)  # the push is lost: only the operator's check finds out

    output = invoke("tenant", "status", "globex")
    assert "globex: pending" in output
    assert f"LinkedIn API version {get_settings().linkedin_api.describe()}" in output
    for integration in ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN", "CSA_API"):
        assert integration in output
    assert output.count("ENABLED") >= 5 and "NOT_ENABLED" in output  # LinkedIn now, the store's old view
    assert "`rsc tenant verify` applies it" in output

    verified = invoke("tenant", "verify", "globex")
    assert "pending -> enabled" in verified and "started run 1" in verified
    ((body, _),) = drain(rabbit, "historical_backfill")
    assert (body["actor_name"], body["kwargs"]) == ("run_backfill", {"tenant": "globex", "run": 1})
    assert "globex: enabled" in invoke("tenant", "status", "globex", "--offline")
    listed = invoke("tenant", "list")
    assert "globex" in listed and "enabled" in listed


def test_backfill_status_shows_done_and_total_per_entity_and_the_dry_run_changes_nothing(
    sandbox: SandboxHarness,
) -> None:
    invoke(*CREATE)
    apply(
        get_store(),
        ats.job("J-1"),
        ats.candidate("C-1"),
        ats.candidate("C-2", first_name=None),
        tenant="globex",
    )

    dry = invoke("backfill", "start", "--tenant", "globex", "--dry-run")
    assert "Nothing was changed" in dry and "candidate" in dry
    # Each phase, useful first, with its ETA on LinkedIn's real budget and when it would be done.
    assert dry.index("open_job") < dry.index("recent_application") < dry.index("note")
    assert "ETA" in dry and "done after" in dry
    assert "no backfill yet" in runner.invoke(app, ["backfill", "status", "--tenant", "globex"]).output
    refused = runner.invoke(app, ["backfill", "start", "--tenant", "globex"])
    assert refused.exit_code == 1 and "is pending" in refused.output

    enable_in_recruiter(sandbox)
    invoke("tenant", "verify", "globex")
    run_backfill(
        BackfillSlice(tenant="globex", run=1),
        UnitOfWork("globex", get_store()),
        linkedin_for("globex"),
        FakePublisher(),
        settings=get_settings(),
    )
    status = invoke("backfill", "status", "--tenant", "globex")
    assert "sync run 1 of globex: done" in status
    assert "1 / 1" in status and "2 / 2" in status  # jobs, candidates (one refused: no first name)
    assert "backfill run 2 of globex started" in invoke("backfill", "start", "--tenant", "globex")
    running = invoke("backfill", "status", "--tenant", "globex")
    assert "budget ETA" in running and "open_job" in running and "recent_candidate" in running
    paused = invoke("backfill", "pause", "--tenant", "globex", "--reason", "maintenance")
    assert "paused" in paused
    assert "maintenance" in invoke("backfill", "status", "--tenant", "globex")
    assert "resumed" in invoke("backfill", "resume", "--tenant", "globex")


def test_disable_with_purge_asks_first_and_queues_the_purge(sandbox: SandboxHarness, rabbit: str) -> None:
    invoke(*CREATE)
    enable_in_recruiter(sandbox)
    invoke("tenant", "verify", "globex")
    drain(rabbit, "historical_backfill")

    aborted = runner.invoke(
        app, ["tenant", "disable", "globex", "--reason", "contract ended", "--purge-remote"], input="n\n"
    )
    assert aborted.exit_code == 1
    with OpsUnitOfWork(get_store()) as ops:
        assert ops.tenants.require("globex").status == TenantStatus.ENABLED

    output = invoke("tenant", "disable", "globex", "--reason", "contract ended", "--purge-remote", "--yes")
    assert "enabled -> disabled" in output and "stopped backfill run 1" in output
    ((body, _),) = drain(rabbit, "historical_backfill")
    assert body["kwargs"] == {"tenant": "globex", "run": 2}
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.session.get(Tenant, "globex")
        assert tenant is not None and tenant.status_reason == "disabled by the operator: contract ended"
    assert "contract ended" in invoke("tenant", "show", "globex")


def test_create_and_update_set_the_job_posting_viewers_and_sync_them_to_linkedin(
    sandbox: SandboxHarness,
) -> None:
    from store.integrations import IntegrationType

    def synced() -> str:
        configurations = linkedin_for("globex").integrations.configurations(
            IntegrationType.ONE_CLICK_EXPORT, ORG
        )
        value: str = configurations.get(["JOB_POSTING_VIEWERS"]).ok["JOB_POSTING_VIEWERS"][
            "configurationValue"
        ]["string"]
        return value

    def stored() -> str:
        with OpsUnitOfWork(get_store()) as ops:
            return ops.tenants.require("globex").job_posting_viewers

    invoke(*CREATE)
    assert (stored(), synced()) == ("ALL_PRODUCT_USERS", "ALL_PRODUCT_USERS")
    invoke(*CREATE, "--update", "--job-posting-viewers", "ACL_BASED")
    assert (stored(), synced()) == ("ACL_BASED", "ACL_BASED")
    invoke(*CREATE, "--update")  # left out: unchanged
    assert (stored(), synced()) == ("ACL_BASED", "ACL_BASED")
    refused = runner.invoke(app, [*CREATE, "--update", "--job-posting-viewers", "SOME"])
    assert refused.exit_code == 2 and "ALL_PRODUCT_USERS or ACL_BASED" in refused.output
