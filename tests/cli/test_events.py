"""`rsc publish` and `rsc schema`, as people and scripts use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.events import check
from cli.main import app
from tests.helpers import drain

runner = CliRunner()

JOB = {
    "job_id": "J-9",
    "title": "Engineer",
    "state": "published",
    "created_at": "2026-01-01T00:00:00Z",
    "modified_at": "2026-01-01T00:00:00Z",
}


def test_publish_validates_and_publishes_one_event(rabbit: str, tmp_path: Path) -> None:
    data = tmp_path / "job.json"
    data.write_text(json.dumps(JOB))
    result = runner.invoke(
        app, ["publish", "ats.job.published", "--tenant", "acme", "--data", f"@{data}", "--id", "e-9"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"published": "ats.job.published.v1", "id": "e-9", "tenant": "acme"}
    ((body, _),) = drain(rabbit, "status_push")
    assert body["kwargs"]["event"]["data"]["job_id"] == "J-9"


def test_publish_refuses_bad_input_and_publishes_nothing(rabbit: str) -> None:
    bad = runner.invoke(
        app, ["publish", "ats.job.published", "--tenant", "acme", "--data", '{"job_id": "J"}']
    )
    assert bad.exit_code == 2
    assert "schema violation" in bad.output
    unknown = runner.invoke(app, ["publish", "ats.job.teleported", "--tenant", "acme", "--data", "{}"])
    assert unknown.exit_code == 2
    assert "unknown event type" in unknown.output
    malformed = runner.invoke(app, ["publish", "ats.job.published", "--tenant", "acme", "--data", "{nope"])
    assert malformed.exit_code == 2
    assert drain(rabbit, "status_push") == []


def test_schema_prints_every_event_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schemas = json.loads(result.stdout)
    assert "linkedin.export.requested.v1" in schemas
    assert schemas["ats.job.published.v1"]["properties"]["type"]["const"] == "ats.job.published.v1"


def test_publish_warns_about_an_event_that_will_never_sync_and_strict_refuses_it(rabbit: str) -> None:
    warned = runner.invoke(
        app, ["publish", "ats.job.published", "--tenant", "acme", "--data", json.dumps(JOB)]
    )
    assert warned.exit_code == 0, warned.output
    assert "will not sync to LinkedIn: description" in warned.stderr
    assert "location" in warned.stderr
    refused = runner.invoke(
        app, ["publish", "ats.job.published", "--tenant", "acme", "--data", json.dumps(JOB), "--strict"]
    )
    assert refused.exit_code == 2
    assert "will not sync to LinkedIn" in refused.stderr
    complete = {**JOB, "description": "Builds things", "location": {"city": "Brest", "country_code": "FR"}}
    clean = runner.invoke(
        app, ["publish", "ats.job.published", "--tenant", "acme", "--data", json.dumps(complete), "--strict"]
    )
    assert clean.exit_code == 0 and "warning" not in clean.stderr
    assert len(drain(rabbit, "status_push")) == 2


def test_a_missing_data_file_is_one_line_of_error(rabbit: str) -> None:
    result = runner.invoke(
        app, ["publish", "ats.job.published", "--tenant", "acme", "--data", "@/missing/job.json"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "rejected: cannot read '/missing/job.json': No such file or directory"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_event_over_the_size_limit_is_refused_at_publish_time(
    rabbit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rsc.settings import reset_settings

    monkeypatch.setenv("RSC_MAX_EVENT_BYTES", "2000")
    reset_settings()
    big = {**JOB, "description": "x" * 5000}
    result = runner.invoke(
        app, ["publish", "ats.job.published", "--tenant", "acme", "--data", json.dumps(big)]
    )
    assert result.exit_code == 2
    assert "RSC_MAX_EVENT_BYTES" in result.stderr
    assert drain(rabbit, "status_push") == []


def test_check_validates_a_file_of_events_offline(tmp_path: Path) -> None:
    envelope = {"source": "ats://x", "tenant": "acme"}
    lines = [
        {**envelope, "type": "ats.job.created.v1", "id": "j-ok", "data": {
            **JOB, "description": "Builds", "location": {"country_code": "FR", "postal_code": "29200"}}},
        {**envelope, "type": "ats.job.created.v1", "id": "j-bare", "data": JOB},
        {**envelope, "type": "ats.job.teleported.v1", "id": "j-odd", "data": {}},
    ]  # fmt: skip
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    plain = runner.invoke(app, ["check", str(path)])
    assert plain.exit_code == 1
    assert "event 2 (j-bare): will not sync to LinkedIn: description" in plain.stdout
    assert "event 3: invalid: unknown event type" in plain.stdout
    assert plain.stdout.strip().endswith("3 events, 1 failed")
    strict = runner.invoke(app, ["check", str(path), "--strict", "--json"])
    outcomes = [json.loads(line) for line in strict.stdout.splitlines()]
    assert [o["ok"] for o in outcomes] == [True, False, False]
    only_good = tmp_path / "good.json"
    only_good.write_text(json.dumps(lines[:1]))
    assert runner.invoke(app, ["check", str(only_good), "--strict"]).exit_code == 0


def test_publish_with_bulk_sends_the_event_to_its_queue_s_bulk_lane(rabbit: str, tmp_path: Path) -> None:
    data = tmp_path / "job.json"
    data.write_text(json.dumps(JOB))
    result = runner.invoke(
        app,
        ["publish", "ats.job.published", "--tenant", "acme", "--data", f"@{data}", "--id", "e-10", "--bulk"],
    )
    assert result.exit_code == 0, result.output
    assert drain(rabbit, "status_push") == []
    ((body, _),) = drain(rabbit, "status_push.bulk")
    assert (body["queue_name"], body["kwargs"]["event"]["id"]) == ("status_push.bulk", "e-10")


def test_check_names_a_file_it_cannot_read_or_parse(tmp_path: Path) -> None:
    checker = typer.Typer()
    checker.command()(check)
    missing = runner.invoke(checker, [str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2
    assert "error: cannot read" in missing.output and "none.jsonl" in missing.output
    broken = tmp_path / "broken.json"
    broken.write_text('[{"type": ')
    refused = runner.invoke(checker, [str(broken)])
    assert refused.exit_code == 2 and "is not a JSON array" in refused.output
