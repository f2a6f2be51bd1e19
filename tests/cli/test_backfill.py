"""``rsc backfill``: a dry run counts per phase and changes nothing, a run is refused for a tenant
LinkedIn has not enabled yet, started for an enabled one (its runner requested through RabbitMQ), and
an unknown tenant is one line of error."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.backfill import app
from store.db import get_store
from store.tenants import TenantStatus
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.helpers import create_tenant
from workers.status_push.ats_records import handle_job_event

runner = CliRunner()


def test_a_dry_run_counts_the_phases_and_starts_nothing(sqlite_url: str) -> None:
    create_tenant("acme")
    handle_job_event(ats.job("J-1"), UnitOfWork("acme", get_store()))  # type: ignore[arg-type]
    result = runner.invoke(app, ["start", "--tenant", "acme", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Nothing was changed." in " ".join(result.output.split())
    with UnitOfWork("acme", get_store()) as uow:
        assert uow.backfills.current() is None


def test_a_run_waits_for_linkedin_to_enable_the_tenant(sqlite_url: str) -> None:
    create_tenant("acme", status=TenantStatus.PENDING)
    refused = runner.invoke(app, ["start", "--tenant", "acme"])
    assert refused.exit_code == 1
    assert "tenant 'acme' is pending: nothing is sent to LinkedIn before it confirms" in refused.output


def test_a_run_is_started_for_an_enabled_tenant_and_shown(sqlite_url: str, rabbit: str) -> None:
    create_tenant("acme")
    started = runner.invoke(app, ["start", "--tenant", "acme"])
    assert started.exit_code == 0, started.output
    assert "backfill run 1 of acme started" in started.output
    with UnitOfWork("acme", get_store()) as uow:
        run = uow.backfills.current()
        assert run is not None and run.run == 1
    status = runner.invoke(app, ["status", "--tenant", "acme"])
    assert status.exit_code == 0, status.output


def test_an_unknown_tenant_is_one_line_of_error(sqlite_url: str) -> None:
    result = runner.invoke(app, ["start", "--tenant", "ghost"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: no tenant 'ghost'; create it with `rsc tenant create`"
