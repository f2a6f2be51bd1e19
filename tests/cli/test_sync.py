"""``rsc sync``: a record's timeline by a prefix of its id, a tenant's problems with their fix, and a
wrong type, tenant or id as one line of error."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.sync import app
from store.db import get_store
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.helpers import create_tenant
from workers.status_push.ats_records import handle_job_event

runner = CliRunner()


def test_a_records_timeline_is_found_by_a_prefix(sqlite_url: str) -> None:
    create_tenant("acme")
    handle_job_event(ats.job("JOB-17"), UnitOfWork("acme", get_store()))  # type: ignore[arg-type]
    result = runner.invoke(app, ["show", "job", "JOB-1", "--tenant", "acme", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert (found["type"], found["id"]) == ("job", "JOB-17")
    assert [e["step"] for e in found["entries"]] == ["stored"]
    plain = runner.invoke(app, ["show", "job", "JOB-17", "--tenant", "acme"])
    assert "job JOB-17" in plain.output and "stored" in plain.output


def test_problems_are_listed_with_their_fix(sqlite_url: str) -> None:
    create_tenant("acme")
    assert (
        runner.invoke(app, ["problems", "--tenant", "acme"]).output.strip()
        == "no sync problems in tenant 'acme'"
    )
    from workers.ledger.postings import posting_failed

    with UnitOfWork("acme", get_store()) as uow:
        posting_failed(uow, "J-1", "task-1", "title too long")
        uow.commit()
    [group] = [
        json.loads(line)
        for line in runner.invoke(app, ["problems", "-t", "acme", "--json"]).output.splitlines()
    ]
    assert (group["reason_code"], group["count"], group["records"][0]["id"]) == (
        "job_posting_failed",
        1,
        "J-1",
    )
    assert group["fix"]


def test_a_wrong_type_tenant_or_id_is_one_line_of_error(sqlite_url: str) -> None:
    create_tenant("acme")
    wrong_type = runner.invoke(app, ["show", "robot", "R-1", "--tenant", "acme"])
    assert wrong_type.exit_code == 1 and "no record type 'robot'; give one of job," in wrong_type.output
    ghost = runner.invoke(app, ["problems", "--tenant", "ghost"])
    assert ghost.output.strip() == "error: no tenant 'ghost'; `rsc tenant list` shows them"
    unknown = runner.invoke(app, ["show", "job", "J-404", "--tenant", "acme"])
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
