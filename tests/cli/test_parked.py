"""``rsc parked``: waiting items counted per tenant, kind and reason, listed without their content,
shown by a key prefix, and dropped."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.parked import app
from store.db import get_store
from store.uow import UnitOfWork
from tests.helpers import create_tenant
from workers.prospect_polling.item_fields import ItemProblem
from workers.prospect_polling.pages import Unread
from workers.prospect_polling.parked_items import park
from workers.prospect_polling.queries import Asked, ItemKind

runner = CliRunner()
SECRET_TEXT = "Call Ada on her private number"


def parked_note() -> str:
    create_tenant("acme")
    unread = Unread(
        ItemKind.PROSPECT_NOTE,
        {"id": "PN-1", "note": SECRET_TEXT, "member": "urn:li:person:ada"},
        Asked(ItemKind.PROSPECT_NOTE, "urn:li:contract:10", ("urn:li:seat:1", "urn:li:seat:2")),
        ItemProblem.OWNER_UNKNOWN,
        "the prospect note names no owner seat",
    )
    with UnitOfWork("acme", get_store()) as uow:
        park(uow, [unread])
        uow.commit()
        [row] = uow.parked_items.waiting()
        return row.key


def test_waiting_items_are_counted_and_listed_without_their_content(sqlite_url: str) -> None:
    key = parked_note()
    [count] = [json.loads(line) for line in runner.invoke(app, ["list", "--json"]).output.splitlines()]
    assert (count["tenant"], count["kind"], count["reason_code"], count["waiting"]) == (
        "acme", "prospectNotes", "owner_unknown", 1
    )  # fmt: skip
    listed = runner.invoke(app, ["list", "--tenant", "acme", "--json"]).output
    assert json.loads(listed)["key"] == key
    assert (
        SECRET_TEXT not in listed
        and SECRET_TEXT not in runner.invoke(app, ["list", "--tenant", "acme"]).output
    )


def test_an_item_is_shown_by_a_key_prefix_and_dropped(sqlite_url: str) -> None:
    key = parked_note()
    shown = runner.invoke(app, ["show", key[:10], "--tenant", "acme", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["key"] == key
    dropped = runner.invoke(app, ["drop", key[:10], "--tenant", "acme"])
    assert dropped.exit_code == 0, dropped.output
    assert runner.invoke(app, ["list", "--tenant", "acme", "--json"]).output.strip() == ""
