"""The command line for machines and narrow terminals: --json on list and show commands, plain
columns without a TTY that never wrap an id, unique id prefixes, one line of error for a mistake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import output
from cli.main import app
from schemas.ats import CandidateSnapshot
from store.db import get_store
from store.uow import UnitOfWork
from tests.helpers import add_contract, create_tenant

runner = CliRunner()
LONG_ORG = "urn:li:organization:" + "7" * 60
T0 = datetime(2026, 5, 1, tzinfo=UTC)


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _candidates(*ids: str) -> None:
    with UnitOfWork("acme-corp", get_store()) as uow:
        for candidate_id in ids:
            uow.candidates.apply(
                CandidateSnapshot(candidate_id=candidate_id, first_name="Ada", created_at=T0, modified_at=T0)
            )
        uow.commit()


def test_tenant_commands_print_json_and_plain_rows_that_keep_ids_whole(sqlite_url: str) -> None:
    create_tenant("acme-corp", org=LONG_ORG)
    add_contract("acme-corp", "urn:li:contract:77")
    assert json.loads(run("tenant", "list", "--json")) == {
        "tenant": "acme-corp",
        "organization": LONG_ORG,
        "status": "enabled",
        "legacy_csa": False,
        "since": json.loads(run("tenant", "list", "--json"))["since"],
    }
    plain = run("tenant", "list").splitlines()
    assert plain[0].split() == ["tenant", "organization", "status", "legacy", "CSA", "since"]
    assert LONG_ORG in plain[1] and "enabled" in plain[1] and "[green]" not in plain[1]
    shown = json.loads(run("tenant", "show", "acme", "--json"))  # a prefix only one tenant has
    assert (shown["tenant"], shown["contracts"]) == ("acme-corp", ["urn:li:contract:77"])
    assert any(
        line.startswith("organization") and LONG_ORG in line
        for line in run("tenant", "show", "acme-corp").splitlines()
    )
    status = json.loads(run("tenant", "status", "acme-corp", "--offline", "--json"))
    assert status["enablement"]["status"] == "enabled" and status["seats"]["active"] == 0
    seats = json.loads(run("seat", "list", "--tenant", "acme-corp", "--json"))
    assert [c["urn"] for c in seats["contracts"]] == ["urn:li:contract:77"] and seats["seats"] == []
    assert json.loads(run("config", "--json"))["RSC_SECRET_KEY"] == "(set)"


def test_show_commands_take_a_unique_prefix_and_refuse_an_ambiguous_one_in_one_line(sqlite_url: str) -> None:
    create_tenant("acme-corp")
    _candidates("cand-0001-ada", "cand-0002-bob", "other-9")
    assert json.loads(run("candidate", "show", "oth", "--tenant", "acme-corp", "--json"))["id"] == "other-9"
    ambiguous = runner.invoke(app, ["candidate", "show", "cand-", "--tenant", "acme-corp"])
    assert ambiguous.exit_code == 1
    assert ambiguous.output == (
        "error: 2 candidates start with 'cand-' (cand-0001-ada, cand-0002-bob); give more of the id\n"
    )
    unknown = runner.invoke(app, ["tenant", "show", "nobody"])
    assert unknown.exit_code == 1 and unknown.output.count("\n") == 1 and "Traceback" not in unknown.output
    no_backfill = runner.invoke(app, ["backfill", "status", "--tenant", "acme-corp", "--json"])
    assert no_backfill.exit_code == 1 and no_backfill.output.startswith(
        "error: tenant 'acme-corp' has no backfill"
    )
    parked = runner.invoke(app, ["parked", "show", "nothing", "--tenant", "acme-corp"])
    assert parked.exit_code == 1 and parked.output.count("\n") == 1


def test_the_console_script_tells_a_store_that_is_not_migrated_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "RSC_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db", "RSC_LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "tenant", "list"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: the store (RSC_DATABASE_URL) cannot be used (OperationalError): check that it is reachable "
        "and migrated (`rsc db upgrade`)"
    ]


def test_without_a_terminal_tables_are_plain_columns_that_never_wrap(
    capsys: pytest.CaptureFixture[str],
) -> None:
    long_id = "urn:li:organization:" + "9" * 120
    output.table("Tenants", ("id", "org"), [("acme", long_id), ("b", None)])
    output.facts("Tenant", [("id", "acme"), ("organization", long_id)])
    output.say("[bold]done[/bold]")
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == ["Tenants", "id    org", f"acme  {long_id}", "b"]
    assert lines[4:] == ["Tenant", "id            acme", f"organization  {long_id}", "done"]


def test_a_failure_is_one_line_on_stderr_and_an_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    exit_ = output.fail("no tenant 'ghost'", code=3)
    assert exit_.exit_code == 3
    assert capsys.readouterr().err == "error: no tenant 'ghost'\n"
