"""`rsc tenant status --offline`: the tenant's integrations as the store holds them, each named once a
contract is known, without asking LinkedIn; an unknown tenant is one line of error."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from cli.tenant_status import status
from tests.helpers import add_contract, create_tenant

app = typer.Typer()
app.command()(status)
runner = CliRunner()


def test_the_offline_status_lists_each_integration_the_tenant_needs(sqlite_url: str) -> None:
    create_tenant("acme")
    add_contract("acme", "urn:li:contract:10")
    result = runner.invoke(app, ["acme", "--offline", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {(i["type"], i["context"]) for i in report["integrations"]} >= {("CSA_API", "urn:li:contract:10")}
    assert all(i["linkedin_now"] is None for i in report["integrations"])
    assert report["secret"]["provisioned"] is False
    plain = runner.invoke(app, ["acme", "--offline"])
    assert plain.exit_code == 0 and "urn:li:contract:10" in plain.output


def test_an_unknown_tenant_is_one_line_of_error(sqlite_url: str) -> None:
    result = runner.invoke(app, ["ghost", "--offline"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: no tenant 'ghost'; create it with `rsc tenant create`"
