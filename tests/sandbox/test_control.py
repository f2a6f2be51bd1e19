"""The control API: clock, settings, apps, scenarios, inspection."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient

from sandbox.app import create_app
from sandbox.config import SandboxConfig
from tests.sandbox.support import CONTRACT, NOW, Customer, candidate


def test_clock_reports_and_moves_sandbox_time(client: TestClient) -> None:
    clock = client.get("/_sandbox/clock").json()
    assert NOW <= clock["now"] < NOW + 5_000
    assert clock["iso"].startswith("2023-11-14T22:13")
    assert clock["scale"] == 1.0
    moved = client.put("/_sandbox/clock", json={"now": NOW + 3_600_000}).json()
    assert NOW + 3_600_000 <= moved["now"] < NOW + 3_605_000
    scaled = client.put("/_sandbox/clock", json={"scale": 3600}).json()
    assert scaled["scale"] == 3600
    assert client.put("/_sandbox/clock", json={"scale": 0}).status_code == 400


def test_settings_are_typed(client: TestClient) -> None:
    assert client.put("/_sandbox/settings", json={"job_task_delay_s": 0}).json()["job_task_delay_s"] == 0
    assert client.put("/_sandbox/settings", json={"strict_fields": "no"}).status_code == 400
    assert client.put("/_sandbox/settings", json={"push_retries": "many"}).status_code == 400
    assert client.put("/_sandbox/settings", json={"colour": 1}).status_code == 400


def test_apps_are_created_listed_and_rebound(client: TestClient) -> None:
    created = client.post("/_sandbox/apps", json={"organization": "7", "contracts": [CONTRACT]}).json()
    assert created["clientId"].startswith("client-") and created["clientSecret"]
    assert created["organization"] == "urn:li:organization:7"
    assert client.post("/_sandbox/apps", json={"clientId": created["clientId"]}).status_code == 409
    assert client.post("/_sandbox/apps", json={"clientId": "parent-client"}).status_code == 409
    listed = client.get("/_sandbox/apps").json()["apps"]
    assert [a["clientId"] for a in listed] == [created["clientId"]]
    rebound = client.put(f"/_sandbox/apps/{created['clientId']}", json={"contracts": []}).json()
    assert rebound["contracts"] == []
    assert client.get("/_sandbox/apps/nobody").status_code == 404
    assert client.post("/_sandbox/apps", json={"organization": "acme"}).status_code == 400


def test_scenario_errors_name_the_item_and_change_nothing(client: TestClient) -> None:
    bad = {"members": [{"member": "urn:li:person:ok"}], "seats": [{"seat": "urn:li:seat:1"}]}
    response = client.post("/_sandbox/scenario", json=bad)
    assert response.status_code == 400
    assert "needs 'contract'" in response.json()["error"]
    assert client.post("/_sandbox/scenario", json={"members": [{"member": "urn:li:person:ok"}]}).json() == {
        "loaded": {
            "apps": 0,
            "members": 1,
            "seats": 0,
            "conversationEvents": 0,
            "mailStubs": 0,
            "prospectNotes": 0,
            "purgedExportedCandidates": 0,
        }
    }
    assert client.post("/_sandbox/scenario", json={"robots": []}).status_code == 400
    bad_app = {"apps": [{"clientId": "x"}], "prospectNotes": [{"contract": CONTRACT}]}
    assert client.post("/_sandbox/scenario", json=bad_app).status_code == 400
    assert client.get("/_sandbox/apps/x").status_code == 404


def test_scenario_file_is_loaded_at_start_up(tmp_path: Path) -> None:
    scenario = {
        "apps": [
            {
                "clientId": "acme",
                "clientSecret": "s",
                "organization": "urn:li:organization:1",
                "contracts": [CONTRACT],
            }
        ],
        "seats": [{"seat": "urn:li:seat:1", "contract": CONTRACT, "firstName": "Rita"}],
    }
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario))
    app = create_app(SandboxConfig(db_path=str(tmp_path / "s.db"), scenario=str(path)))
    with TestClient(app) as client:
        customer = Customer(client, "acme", "s")
        seats = customer.get(f"/v2/seatsV2?q=attributes&contracts={CONTRACT}&start=0").json()["elements"]
    assert [s["firstName"] for s in seats] == ["Rita"]


def test_state_survives_a_restart_on_the_same_file(tmp_path: Path) -> None:
    config = SandboxConfig(db_path=str(tmp_path / "s.db"))
    with TestClient(create_app(config)) as client:
        client.post("/_sandbox/apps", json={"clientId": "acme", "clientSecret": "s", "organization": "1"})
        customer = Customer(client, "acme", "s")
        token = customer.token
        customer.put_candidates({"C1": candidate()})
    with TestClient(create_app(config)) as client:
        customer = Customer(client, "acme", "s")
        customer._token = token
        assert len(customer.get_candidates(["C1"]).json()["results"]) == 1


def test_inspection_lists_and_details(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    assert [c["atsCandidateId"] for c in client.get("/_sandbox/orgs/1/candidates").json()["candidates"]] == [
        "C1"
    ]
    assert client.get("/_sandbox/orgs/urn:li:organization:1/candidates/C1").json()["firstName"] == "Ada"
    assert client.get("/_sandbox/orgs/1/candidates/C9").status_code == 404
    assert client.get("/_sandbox/orgs/1/robots").status_code == 404
    assert client.get("/_sandbox/orgs/1/deletions/1").status_code == 404
    assert client.get("/_sandbox/orgs/2/candidates").json()["candidates"] == []
    assert client.get("/_sandbox/orgs/1/integrations").json()["integrations"] == []
