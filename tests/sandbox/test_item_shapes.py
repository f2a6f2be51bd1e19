"""The "undocumented shapes" mode: the same items, in the same order and pages, for the same queries
(owners filter, windows, paging), written in other plausible shapes, mixed in one page; and a
scenario may spell a note's visibility as LinkedIn's product does, or leave it out."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from sandbox import item_shapes as shapes
from sandbox.config import SandboxConfig
from tests.sandbox.conftest import make_customer
from tests.sandbox.support import CONTRACT, NOW, Customer

RITA, SAM, UNA = "urn:li:seat:501", "urn:li:seat:502", "urn:li:seat:503"
HOUR = 3_600_000


def scenario() -> dict[str, Any]:
    seats = (RITA, SAM, UNA)
    return {
        "seats": [{"seat": s, "contract": CONTRACT, "emailAddress": f"{s[-3:]}@acme.example"} for s in seats],
        "conversationEvents": [
            {
                "id": f"E{i}",
                "thread": f"urn:li:messagingThread:{i % 3}",
                "viewer": RITA,
                "author": RITA,
                "member": "urn:li:person:ada",
                "created": NOW - i * 60_000,
                "body": f"m{i}",
            }
            for i in range(12)
        ],
        "mailStubs": [
            {
                "id": f"M{i}",
                "contract": CONTRACT,
                "owners": [seats[i % 3]] + ([RITA] if i % 4 == 0 else []),
                "member": f"urn:li:person:p{i}",
                "emailAddress": f"p{i}@example.com",
                "phoneNumber": "+1 555 0100",
                "created": NOW - i * 60_000,
            }
            for i in range(12)
        ],
        "prospectNotes": [
            {
                "id": f"N{i}",
                "contract": CONTRACT,
                "owner": seats[i % 3],
                "member": "urn:li:person:ada",
                "note": f"n{i}",
                "visibility": ("ORGANIZATION", "PRIVATE")[i % 2],
                "created": NOW - i * 60_000,
            }
            for i in range(16)
        ],
    }


QUERIES = [
    ("seatsV2", f"/v2/seatsV2?q=attributes&contracts={CONTRACT}&start=0&count=10"),
    (
        "conversationEvents",
        f"/v2/conversationEvents?q=criteria&viewer={RITA}&timeRange.start={NOW - HOUR}"
        f"&timeRange.end={NOW + 1}&start=0&count=5",
    ),
    (
        "conversationEvents",
        f"/v2/conversationEvents?q=criteria&viewer={RITA}&timeRange.start={NOW - HOUR}"
        f"&timeRange.end={NOW + 1}&start=5&count=5",
    ),
    ("mailStubs", f"/v2/mailStubs?q=contract&contract={CONTRACT}&owners={SAM}&start=0&count=50"),
    (
        "mailStubs",
        f"/v2/mailStubs?q=contract&contract={CONTRACT}&owners=List({RITA},{UNA})"
        f"&createdDateStart={NOW - 6 * 60_000}&createdDateEnd={NOW}&start=0&count=50",
    ),
    (
        "prospectNotes",
        f"/v2/prospectNotes?q=criteria&contract={CONTRACT}&owners={RITA}&owners={SAM}"
        f"&cutoffDate={NOW - HOUR}&beforeDate={NOW}&start=0&count=100",
    ),
]


def _id(kind: str, item: dict[str, Any]) -> Any:
    """The item's id whatever its shape (what a reader has to find)."""
    if "entityUrn" in item and kind != "seatsV2":
        return item["entityUrn"].rsplit(":", 1)[-1]
    value = item.get("id")
    return int(value.rsplit(":", 1)[-1]) if isinstance(value, str) and kind == "seatsV2" else value


@pytest.fixture
def customer(client: TestClient) -> Customer:
    customer = make_customer(client)
    assert client.post("/_sandbox/scenario", json=scenario()).status_code == 200
    return customer


def test_the_mode_changes_how_items_are_written_not_which_are_returned(
    client: TestClient, customer: Customer
) -> None:
    documented = {path: customer.get(path).json() for _, path in QUERIES}
    assert client.put("/_sandbox/settings", json={"undocumented_shapes": True}).json()["undocumented_shapes"]
    for kind, path in QUERIES:
        plain, shaped = documented[path], customer.get(path).json()
        assert shaped["paging"] == plain["paging"]
        assert [_id(kind, i) for i in shaped["elements"]] == [i["id"] for i in plain["elements"]], path
        assert plain["elements"], path
        for item in shaped["elements"]:
            assert not {"viewer", "owners"} & set(item)
            assert not isinstance(item.get("owner"), str)  # a note's owner is gone, or only a number
        assert shaped["elements"] != plain["elements"]
    # One page mixes shapes.
    notes = customer.get(QUERIES[-1][1]).json()["elements"]
    assert len({frozenset(n) for n in notes}) >= 3
    assert client.put("/_sandbox/settings", json={"undocumented_shapes": False}).status_code == 200
    assert customer.get(QUERIES[-1][1]).json() == documented[QUERIES[-1][1]]


def test_visibility_is_spelled_as_linkedin_names_it_in_several_casings_or_left_out(
    client: TestClient, customer: Customer
) -> None:
    client.put("/_sandbox/settings", json={"undocumented_shapes": True})
    notes = customer.get(QUERIES[-1][1]).json()["elements"]
    spelled = [n.get("visibility", n.get("noteVisibility")) for n in notes]
    assert None in spelled
    assert {"Anyone in my organization", "Only me"} & set(spelled)
    assert {s for s in spelled if s} <= {
        s for values in shapes.VISIBILITY_SPELLINGS.values() for s in values if s
    }


def test_a_scenario_may_spell_a_visibility_as_linkedin_does_or_leave_it_out(
    client: TestClient, customer: Customer
) -> None:
    notes: list[dict[str, Any]] = [
        {"id": "V1", "contract": CONTRACT, "owner": RITA, "visibility": "Only me", "created": NOW},
        {
            "id": "V2",
            "contract": CONTRACT,
            "owner": RITA,
            "visibility": "Anyone in my organization",
            "created": NOW,
        },
        {"id": "V3", "contract": CONTRACT, "owner": RITA, "visibility": None, "created": NOW},
    ]
    assert client.post("/_sandbox/scenario", json={"prospectNotes": notes}).status_code == 200
    served = {
        n["id"]: n
        for n in customer.get(
            f"/v2/prospectNotes?q=criteria&contract={CONTRACT}&cutoffDate={NOW - 1}&beforeDate={NOW}"
        ).json()["elements"]
    }
    assert served["V1"]["visibility"] == "PRIVATE" and served["V2"]["visibility"] == "ORGANIZATION"
    assert "visibility" not in served["V3"]
    bad = client.post("/_sandbox/scenario", json={"prospectNotes": [{**notes[0], "visibility": "Team"}]})
    assert bad.status_code == 400 and "Only me" in bad.json()["error"]


def test_the_mode_is_a_start_up_option_too() -> None:
    config = SandboxConfig.from_options("x.db", undocumented_shapes=True)
    assert config.settings.undocumented_shapes
    help_text = CliRunner().invoke(cli, ["sandbox", "--help"], env={"COLUMNS": "200"}).output
    assert "--undocumented-shapes" in help_text
