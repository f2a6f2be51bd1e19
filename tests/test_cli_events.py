"""`rsc publish` and `rsc schema`, as people and scripts use them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rsc.cli.main import app
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
