"""``rsc seat``: contracts added and removed for a tenant, seats named by URN or number, and a malformed
contract or seat refused with its form."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.seat import app
from store.db import get_store
from store.uow import UnitOfWork
from tests.helpers import create_tenant

runner = CliRunner()


def test_a_contract_is_added_once_and_removed(sqlite_url: str) -> None:
    create_tenant("acme")
    added = runner.invoke(app, ["contract-add", "urn:li:contract:10", "--tenant", "acme"])
    assert added.exit_code == 0, added.output
    assert "contract urn:li:contract:10 added for tenant acme" in added.output
    assert "it is read once LinkedIn reports its CSA_API integration enabled" in added.output
    again = runner.invoke(app, ["contract-add", "urn:li:contract:10", "--tenant", "acme"])
    assert "was already there" in again.output
    with UnitOfWork("acme", get_store()) as uow:
        assert uow.contracts.urns() == ["urn:li:contract:10"]
    removed = runner.invoke(app, ["contract-remove", "urn:li:contract:10", "--tenant", "acme"])
    assert removed.exit_code == 0, removed.output
    with UnitOfWork("acme", get_store()) as uow:
        assert uow.contracts.urns() == []


def test_a_malformed_contract_or_seat_is_refused_with_its_form(sqlite_url: str) -> None:
    create_tenant("acme")
    contract = runner.invoke(app, ["contract-add", "contract-10", "--tenant", "acme"])
    assert contract.exit_code != 0 and "a contract is urn:li:contract:<number>" in contract.output
    seat = runner.invoke(app, ["unmap", "seat-one", "--tenant", "acme"])
    assert seat.exit_code != 0 and "a seat is urn:li:seat:<number> (or just the number)" in seat.output
