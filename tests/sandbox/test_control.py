"""The control API: clock, settings, apps, scenarios, inspection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from sandbox.app import create_app
from sandbox.config import SandboxConfig
from sandbox.control import DEFAULT_RESET, RESET_PARTS
from sandbox.control_protocol import ControlError, organization_urn
from tests.sandbox.conftest import checked_client, make_customer
from tests.sandbox.support import CONTRACT, NOW, ORG, REST_API, V2_API, Customer, candidate, rules_broken


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
    assert (
        client.put("/_sandbox/settings", json={"oldest_version": "202401"}).json()["oldest_version"] == 202401
    )
    assert client.put("/_sandbox/settings", json={"oldest_version": None}).json()["oldest_version"] is None
    assert client.put("/_sandbox/settings", json={"oldest_version": "2024-01"}).status_code == 400
    settings = client.get("/_sandbox/settings").json()
    assert settings["strict"] is True and settings["token_reuse_left_s"] == 300


def test_apps_are_created_listed_and_rebound(client: TestClient) -> None:
    created = client.post("/_sandbox/apps", json={"organization": "7", "contracts": [CONTRACT]}).json()
    assert created["clientId"].startswith("client-") and created["clientSecret"]
    assert created["organization"] == "urn:li:organization:7"
    assert created["enabled"] == {"company": True, "contracts": {CONTRACT: True}}
    assert client.post("/_sandbox/apps", json={"clientId": created["clientId"]}).status_code == 409
    assert client.post("/_sandbox/apps", json={"clientId": "parent-client"}).status_code == 409
    listed = client.get("/_sandbox/apps").json()["apps"]
    assert [a["clientId"] for a in listed] == [created["clientId"]]
    rebound = client.put(f"/_sandbox/apps/{created['clientId']}", json={"contracts": []}).json()
    assert rebound["contracts"] == []
    assert client.get("/_sandbox/apps/nobody").status_code == 404
    assert client.post("/_sandbox/apps", json={"organization": "acme"}).status_code == 400


def test_apps_are_onboarded_unless_told_otherwise(client: TestClient) -> None:
    onboarding = client.post(
        "/_sandbox/apps",
        json={"clientId": "new", "organization": "8", "contracts": [CONTRACT], "enabled": False},
    ).json()
    assert onboarding["enabled"] == {"company": False, "contracts": {CONTRACT: False}}
    assert client.get("/_sandbox/orgs/8/integrations").json()["integrations"] == []
    enabled = client.put("/_sandbox/apps/new", json={"enabled": True}).json()
    assert enabled["enabled"] == {"company": True, "contracts": {CONTRACT: True}}
    disabled = client.put("/_sandbox/apps/new", json={"enabled": False}).json()
    assert disabled["enabled"] == {"company": False, "contracts": {CONTRACT: False}}
    statuses = {i["status"] for i in client.get("/_sandbox/orgs/8/integrations").json()["integrations"]}
    assert statuses == {"DISABLED"}
    assert client.put("/_sandbox/apps/new", json={"contracts": [CONTRACT, "urn:li:contract:11"]}).json()[
        "enabled"
    ] == {"company": False, "contracts": {CONTRACT: False, "urn:li:contract:11": False}}
    unbound = client.post("/_sandbox/apps", json={"clientId": "loose"}).json()
    assert unbound["enabled"] == {"company": False, "contracts": {}}
    assert client.post("/_sandbox/apps", json={"clientId": "x", "enabled": True}).status_code == 400
    assert client.post("/_sandbox/apps", json={"organization": "9", "enabled": "yes"}).status_code == 400
    assert client.get("/_sandbox/apps/x").status_code == 404


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
    not_enabled = {"apps": [{"clientId": "y", "enabled": True}]}
    assert "needs an 'organization'" in client.post("/_sandbox/scenario", json=not_enabled).json()["error"]


def test_a_contract_bound_later_to_an_onboarded_app_is_enabled_with_it(client: TestClient) -> None:
    client.post("/_sandbox/apps", json={"clientId": "acme", "organization": "1"})
    rebound = client.put("/_sandbox/apps/acme", json={"contracts": [CONTRACT]}).json()
    assert rebound["enabled"] == {"company": True, "contracts": {CONTRACT: True}}
    client.post(
        "/_sandbox/integration-status",
        json={"clientId": "acme", "status": "DISABLED", "integrationTypes": ["CSA_API"], "push": False},
    )
    more = client.put("/_sandbox/apps/acme", json={"contracts": [CONTRACT, "urn:li:contract:11"]}).json()
    # Only the contract bound now follows the app; the one the customer disabled stays disabled.
    assert more["enabled"]["contracts"] == {CONTRACT: False, "urn:li:contract:11": True}


def test_scenario_apps_are_onboarded_unless_told_otherwise(client: TestClient) -> None:
    apps: list[dict[str, Any]] = [
        {"clientId": "old", "organization": "urn:li:organization:5", "contracts": [CONTRACT]},
        {"clientId": "new", "organization": "urn:li:organization:6", "enabled": False},
    ]
    assert client.post("/_sandbox/scenario", json={"apps": apps}).status_code == 200
    assert client.get("/_sandbox/apps/old").json()["enabled"] == {
        "company": True,
        "contracts": {CONTRACT: True},
    }
    assert client.get("/_sandbox/apps/new").json()["enabled"]["company"] is False
    apps[0]["enabled"] = False
    client.post("/_sandbox/scenario", json={"apps": apps[:1]})
    assert client.get("/_sandbox/apps/old").json()["enabled"]["company"] is False


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
    with checked_client(app) as client:
        customer = Customer(client, "acme", "s")
        seats = customer.get(f"/v2/seatsV2?q=attributes&contracts={CONTRACT}&start=0").json()["elements"]
    assert [s["firstName"] for s in seats] == ["Rita"]


def test_state_survives_a_restart_on_the_same_file(tmp_path: Path) -> None:
    config = SandboxConfig(db_path=str(tmp_path / "s.db"))
    with checked_client(create_app(config)) as client:
        client.post("/_sandbox/apps", json={"clientId": "acme", "clientSecret": "s", "organization": "1"})
        customer = Customer(client, "acme", "s")
        token = customer.token
        customer.put_candidates({"C1": candidate()})
    with checked_client(create_app(config)) as client:
        customer = Customer(client, "acme", "s")
        customer._token = token
        assert len(customer.get_candidates(["C1"]).json()["results"]) == 1
        # The token minted before the restart is still the app's: a new one now would be waste.
        assert client.get("/_sandbox/apps/acme").json()["enabled"]["company"] is True


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
    integrations = client.get("/_sandbox/orgs/1/integrations").json()["integrations"]
    assert {(i["key"]["integrationType"], i["status"]) for i in integrations} == {
        ("ONE_CLICK_EXPORT", "ENABLED"),
        ("IN_ATS_INDICATOR", "ENABLED"),
        ("PROFILE_PLUGIN", "ENABLED"),
        ("CSA_API", "ENABLED"),
    }


def test_records_written_in_either_shape_are_inspected_the_same_way(client: TestClient) -> None:
    v2 = make_customer(client, api=V2_API)
    rest = Customer(client, v2.client_id, v2.client_secret, REST_API)
    rest._token = v2.token
    v2.put_candidates({"C1": candidate(currentJobTitle="Analyst")})
    rest.put_candidates({"C2": candidate(currentJobTitle="Analyst")})
    inspected = {
        c["atsCandidateId"]: c for c in client.get("/_sandbox/orgs/1/candidates").json()["candidates"]
    }
    assert set(inspected) == {"C1", "C2"}
    assert {k: v for k, v in inspected["C1"].items() if k != "atsCandidateId"} == {
        k: v for k, v in inspected["C2"].items() if k != "atsCandidateId"
    }
    assert inspected["C2"]["atsCreatedAt"] == NOW and "externalCreatedAt" not in inspected["C2"]
    # And each shape reads what the other wrote, in its own names.
    via_rest = rest.get_candidates(["C1"]).json()["results"][REST_API.candidate_key("C1", encoded=False)]
    assert via_rest["externalLastModifiedAt"] == NOW + 1000
    via_v2 = v2.get_candidates(["C2"]).json()["results"][V2_API.candidate_key("C2", encoded=False)]
    assert via_v2["atsLastModifiedAt"] == NOW + 1000
    assert rules_broken(client) == []


@pytest.mark.sandbox_violations("header.protocol", "auth.token")
def test_violations_are_listed_filtered_and_reset_only_on_request(client: TestClient) -> None:
    customer = make_customer(client, api=V2_API)
    headers = {"Authorization": customer.headers()["Authorization"]}
    client.get(f"/v2/atsCandidates?{V2_API.candidate_ids(['C1'])}", headers=headers)
    client.get(
        f"/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].integrationContext={ORG}", headers=V2_API.headers
    )
    listed = client.get("/_sandbox/violations").json()
    assert [v["rule"] for v in listed["violations"]] == ["header.protocol", "auth.token"]
    first, second = listed["violations"]
    assert second["seq"] == first["seq"] + 1 and listed["dropped"] == 0
    token_call, first_call, _ = client.get("/_sandbox/requests").json()["requests"]
    assert token_call["path"] == "/oauth/v2/accessToken" and first["request"] == first_call["seq"]
    assert [
        v["rule"] for v in client.get(f"/_sandbox/violations?since={first['seq']}").json()["violations"]
    ] == ["auth.token"]
    assert [v["rule"] for v in client.get("/_sandbox/violations?rule=auth.").json()["violations"]] == [
        "auth.token"
    ]
    assert client.post("/_sandbox/reset", json={}).json() == {"reset": ["counters", "log", "rate"]}
    assert len(client.get("/_sandbox/violations").json()["violations"]) == 2
    assert client.post("/_sandbox/reset", json={"parts": ["violations"]}).json() == {"reset": ["violations"]}
    assert client.get("/_sandbox/violations").json()["violations"] == []


def test_a_reset_names_the_parts_it_knows(client: TestClient) -> None:
    assert client.post("/_sandbox/reset", json={}).json() == {"reset": sorted(DEFAULT_RESET)}
    refused = client.post("/_sandbox/reset", json={"parts": ["counters", "everything"]})
    assert refused.status_code == 400
    assert f"unknown reset part(s) ['everything']; known: {', '.join(RESET_PARTS)}" in refused.text


def test_an_organization_is_its_urn_or_its_number() -> None:
    assert organization_urn("42") == organization_urn("urn:li:organization:42") == "urn:li:organization:42"
    with pytest.raises(ControlError, match="is not an organization"):
        organization_urn("urn:li:company:42")


def test_a_control_body_that_is_no_json_object_is_refused(client: TestClient) -> None:
    not_json = client.post("/_sandbox/reset", content=b"{oops")
    assert (not_json.status_code, not_json.json()) == (400, {"error": "the body is not valid JSON"})
    not_object = client.post("/_sandbox/reset", content=b"[1]")
    assert (not_object.status_code, not_object.json()) == (400, {"error": "the body must be a JSON object"})
