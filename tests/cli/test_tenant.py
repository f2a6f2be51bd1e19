"""``rsc tenant``: a tenant created from a typed-in app is pending and listed, shown by a prefix of its
id, and a mistake in its identifiers or a second create is one line of error."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.tenant import app

runner = CliRunner()
ORG = "urn:li:organization:4242"
TYPED_IN = ["--org", ORG, "--client-id", "acme-client", "--client-secret", "acme-secret", "--no-onboard"]


def test_a_tenant_is_created_pending_listed_and_shown_by_a_prefix(sqlite_url: str) -> None:
    created = runner.invoke(app, ["create", "acme", *TYPED_IN, "--contract", "urn:li:contract:10"])
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["list", "--json"])
    [row] = [json.loads(line) for line in listed.output.splitlines()]
    assert (row["tenant"], row["status"]) == ("acme", "pending")
    shown = runner.invoke(app, ["show", "ac", "--json"])
    record = json.loads(shown.output)
    assert (record["tenant"], record["organization"], record["why"]) == (
        "acme",
        ORG,
        "waiting for the customer to enable the integration",
    )
    assert "urn:li:contract:10" in json.dumps(record["contracts"])
    assert "acme-secret" not in shown.output


def test_a_second_create_or_a_bad_identifier_is_one_line_of_error(sqlite_url: str) -> None:
    assert runner.invoke(app, ["create", "acme", *TYPED_IN]).exit_code == 0
    again = runner.invoke(app, ["create", "acme", *TYPED_IN])
    assert again.exit_code == 1
    assert "tenant 'acme' exists; pass --update to change it" in again.output
    bad = runner.invoke(app, ["create", "Acme Corp", *TYPED_IN])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    missing = runner.invoke(app, ["show", "ghost"])
    assert missing.exit_code == 1 and "no tenant 'ghost'" in missing.output


def test_an_app_needs_both_its_id_and_secret(sqlite_url: str) -> None:
    half = runner.invoke(app, ["create", "acme", "--org", ORG, "--client-id", "acme-client", "--no-onboard"])
    assert half.exit_code != 0
    assert "--client-id and --client-secret go together" in half.output
