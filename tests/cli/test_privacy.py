"""``rsc privacy``: no receipt for a record the ATS has not deleted, said with where to look; purge
notices listed with when LinkedIn was last read."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.privacy import app
from tests.helpers import create_tenant

runner = CliRunner()


def test_a_record_without_a_deletion_has_no_receipt_and_says_where_to_look(sqlite_url: str) -> None:
    create_tenant("acme")
    result = runner.invoke(app, ["receipt", "C-1", "--tenant", "acme"])
    assert result.exit_code == 1
    assert "no deletion receipt for candidate 'C-1' in tenant 'acme'" in result.output
    assert "rsc dlq list --queue deletion_cascade" in result.output
    application = runner.invoke(app, ["receipt", "A-1", "--tenant", "acme", "--application"])
    assert "no deletion receipt for application 'A-1'" in application.output


def test_no_notices_before_linkedin_was_read(sqlite_url: str) -> None:
    create_tenant("acme")
    plain = runner.invoke(app, ["notices", "--tenant", "acme"])
    assert plain.exit_code == 0, plain.output
    assert plain.output.splitlines() == ["purge notices last read from LinkedIn: never", "no open notices"]
    assert json.loads(runner.invoke(app, ["notices", "--tenant", "acme", "--json"]).output) == {
        "last_polled_at": None,
        "notices": [],
    }
