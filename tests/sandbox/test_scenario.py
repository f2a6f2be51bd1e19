"""A scenario seeds the sandbox in one transaction: it says how many items each section had, and a
malformed item is refused naming its section and what it needs, with nothing of the scenario kept."""

from __future__ import annotations

import pytest

from sandbox.scenario import ScenarioError, load
from sandbox.state import Sandbox

CONTRACT = "urn:li:contract:10"


def test_a_scenario_is_loaded_and_counted_per_section(sandbox: Sandbox) -> None:
    loaded = load(
        sandbox,
        {
            "members": [
                {"member": "urn:li:person:rita", "firstName": "Rita", "emailAddress": "Rita@Acme.example"}
            ],
            "seats": [{"seat": "urn:li:seat:501", "contract": CONTRACT, "member": "urn:li:person:rita"}],
        },
    )
    assert loaded["members"] == 1 and loaded["seats"] == 1
    assert sum(loaded.values()) == 2
    row = sandbox.db.one("SELECT email FROM members WHERE member = ?", ("urn:li:person:rita",))
    assert row is not None and row["email"] == "rita@acme.example"


def test_a_malformed_item_is_named_and_nothing_is_kept(sandbox: Sandbox) -> None:
    with pytest.raises(ScenarioError, match=r"members item .* needs 'member' matching"):
        load(sandbox, {"members": [{"member": "urn:li:person:ok"}, {"firstName": "nobody"}]})
    assert sandbox.db.one("SELECT * FROM members") is None  # the first item was rolled back too
    with pytest.raises(ScenarioError, match=r"unknown scenario section\(s\) \['people'\]"):
        load(sandbox, {"people": []})
    with pytest.raises(ScenarioError, match="'seats' must be a list"):
        load(sandbox, {"seats": {"seat": "urn:li:seat:1"}})
