"""The two shapes and their version rules: which resource a LinkedIn-Version has, sunset versions,
paths LinkedIn does not serve, unsupported methods, enablement before sync, and lenient mode."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from sandbox.shapes import months_before
from tests.sandbox.conftest import make_customer
from tests.sandbox.support import (
    NOW,
    ORG,
    REST_API,
    V2,
    V2_API,
    Api,
    Customer,
    application,
    candidate,
    entity_key,
    ids_query,
    job,
    rules_broken,
    violations,
)

#: The sandbox clock of these tests is in November 2023: versions from 202111 on are supported.
OLDEST = "202111"


def _rest(customer: Customer, version: str) -> dict[str, str]:
    return {"Authorization": customer.headers()["Authorization"], "LinkedIn-Version": version}


def test_months_before_crosses_years() -> None:
    assert months_before(202612, 24) == 202412
    assert months_before(202601, 1) == 202512
    assert months_before(202602, 14) == 202412


@pytest.mark.sandbox_violations("version.resource")
def test_candidates_are_renamed_at_202602(client: TestClient) -> None:
    customer = make_customer(client, api=REST_API)
    renamed = f"/rest/candidates?{REST_API.candidate_ids(['C1'])}"
    old = f"/rest/atsCandidates?{ids_query('atsCandidateId', ['C1'])}"
    assert client.get(renamed, headers=_rest(customer, "202602")).status_code == 200
    gone = client.get(old, headers=_rest(customer, "202602"))
    assert gone.status_code == 404
    assert "at 202602 it is /rest/candidates" in gone.json()["message"]
    assert client.get(old, headers=_rest(customer, "202601")).status_code == 200
    early = client.get(renamed, headers=_rest(customer, "202601"))
    assert early.status_code == 404
    assert "/rest/atsCandidates" in early.json()["message"]
    assert rules_broken(client) == ["version.resource", "version.resource"]


def test_before_202602_rest_candidates_keep_the_v2_record(client: TestClient) -> None:
    customer = make_customer(client, api=REST_API)
    headers = {**_rest(customer, "202511"), "x-restli-method": "batch_update"}
    key = entity_key("atsCandidateId", "C1")
    response = client.put(
        f"/rest/atsCandidates?{ids_query('atsCandidateId', ['C1'])}",
        json={"entities": {key: candidate()}},
        headers=headers,
    )
    assert response.json()["errors"] == {}
    shown = customer.get_candidates(["C1"]).json()["results"][REST_API.candidate_key("C1", encoded=False)]
    assert shown["externalCreatedAt"] == NOW


@pytest.mark.sandbox_violations("version.resource")
def test_integrations_are_renamed_at_202602(client: TestClient) -> None:
    customer = make_customer(client, api=REST_API)
    keys = [(ORG, "ONE_CLICK_EXPORT")]
    new = client.get(
        f"/rest/integrations?{REST_API.integration_ids(keys)}", headers=_rest(customer, "202604")
    )
    assert new.json()["results"][REST_API.integration_key(*keys[0])]["status"] == "ENABLED"
    old_keys = V2_API.integration_ids(keys)
    assert (
        client.get(f"/rest/atsIntegrations?{old_keys}", headers=_rest(customer, "202604")).status_code == 404
    )
    old = client.get(f"/rest/atsIntegrations?{old_keys}", headers=_rest(customer, "202512"))
    assert old.json()["results"][V2_API.integration_key(*keys[0])]["dataProvider"] == "ATS"
    assert rules_broken(client) == ["version.resource"]


@pytest.mark.sandbox_violations("version.sunset")
def test_a_version_older_than_two_years_is_sunset_with_426(client: TestClient) -> None:
    customer = make_customer(client, api=REST_API)
    path = f"/rest/atsApplications?{ids_query('id', ['A1'], data_provider=False)}"
    assert client.get(path, headers=_rest(customer, OLDEST)).status_code == 200
    sunset = client.get(path, headers=_rest(customer, "202110"))
    assert sunset.status_code == 426
    assert "202110 has been sunset" in sunset.json()["message"]
    assert f"oldest supported version is {OLDEST}" in sunset.json()["message"]
    assert sunset.json()["serviceErrorCode"] == 426
    [violation] = violations(client)
    assert (violation["rule"], violation["section"], violation["refused"]) == ("version.sunset", "§1.1", True)


@pytest.mark.sandbox_violations("version.sunset")
def test_the_oldest_supported_version_follows_the_clock_or_the_setting(client: TestClient) -> None:
    customer = make_customer(client, api=REST_API)
    path = f"/rest/atsApplications?{ids_query('id', ['A1'], data_provider=False)}"
    client.put("/_sandbox/clock", json={"advance_s": 31 * 86_400})  # December 2023
    assert client.get(path, headers=_rest(customer, OLDEST)).status_code == 426
    client.put("/_sandbox/settings", json={"oldest_version": "202001"})
    assert client.get(path, headers=_rest(customer, "202001")).status_code == 200
    assert client.get(path, headers=_rest(customer, "201912")).status_code == 426
    assert rules_broken(client) == ["version.sunset", "version.sunset"]


@pytest.mark.sandbox_violations("path.unknown", "method.unsupported")
def test_paths_and_methods_linkedin_does_not_serve(client: TestClient) -> None:
    customer = make_customer(client, api=V2_API)
    candidates = customer.get("/v2/candidates?q=x")
    assert candidates.status_code == 404
    assert "served only under /rest/" in candidates.json()["message"]
    provisioning = client.get("/rest/provisionedApplications", headers=_rest(customer, "202604"))
    assert "served only under /v2/" in provisioning.json()["message"]
    assert customer.get("/v2/telepathy").json()["message"].endswith("LinkedIn serves no such resource")
    patch = client.patch(f"/v2/atsCandidates?{V2_API.candidate_ids(['C1'])}", headers=customer.headers())
    assert patch.status_code == 405
    assert "supports DELETE, GET, POST, PUT" in patch.json()["message"]
    assert rules_broken(client) == ["path.unknown"] * 3 + ["method.unsupported"]


@pytest.mark.sandbox_violations("enablement.company")
def test_sync_writes_wait_for_the_company_integration_but_reads_and_deletes_do_not(
    client: TestClient, api: Api
) -> None:
    customer = make_customer(client, api=api, enabled=False)
    assert customer.put_candidates({"C1": candidate()}).status_code == 403
    assert customer.put_applications({"A1": application()}).status_code == 403
    assert customer.post_jobs(job()).status_code == 403
    assert rules_broken(client) == ["enablement.company"] * 3
    assert client.get("/_sandbox/orgs/1/candidates").json()["candidates"] == []
    assert customer.get_candidates(["C1"]).status_code == 200
    assert customer.delete(f"{api.candidates}?{api.candidate_ids(['C1'])}").status_code == 200
    client.post(
        "/_sandbox/integration-status",
        json={"clientId": "acme", "integrationTypes": ["IN_ATS_INDICATOR"], "push": False},
    )
    assert customer.put_candidates({"C1": candidate()}).json()["errors"] == {}
    client.post(
        "/_sandbox/integration-status", json={"clientId": "acme", "status": "DISABLED", "push": False}
    )
    assert customer.put_candidates({"C1": candidate()}).status_code == 403
    # A customer who disabled the integration may still have its data deleted (§6.6).
    assert customer.delete(f"{api.candidates}?{api.candidate_ids(['C1'])}").json()["errors"] == {}
    assert rules_broken(client) == ["enablement.company"] * 4


@pytest.mark.sandbox_violations("header.version", "version.sunset", "enablement.company", "finder.window")
def test_lenient_mode_serves_liftable_breaches_and_still_records_them(client: TestClient) -> None:
    client.put("/_sandbox/settings", json={"strict": False})
    customer = make_customer(client, api=REST_API, enabled=False)
    path = f"/rest/atsApplications?{ids_query('id', ['A1'], data_provider=False)}"
    auth = {"Authorization": customer.headers()["Authorization"]}
    assert client.get(path, headers=auth).status_code == 200
    assert client.get(path, headers={**auth, "LinkedIn-Version": "202001"}).status_code == 200
    assert customer.put_candidates({"C1": candidate()}).json()["errors"] == {}
    client.post(
        "/_sandbox/scenario", json={"seats": [{"seat": "urn:li:seat:501", "contract": "urn:li:contract:10"}]}
    )
    client.put("/_sandbox/apps/acme", json={"enabled": True})
    window = f"timeRange.start={NOW}&timeRange.end={NOW + 13 * 3_600_000}"
    events = customer.get(f"/rest/conversationEvents?q=criteria&viewer=urn:li:seat:501&{window}")
    assert events.status_code == 200
    found = violations(client)
    assert [(v["rule"], v["refused"]) for v in found] == [
        ("header.version", False),
        ("version.sunset", False),
        ("enablement.company", False),
        ("finder.window", False),
    ]
    assert all("served: lenient mode" in v["message"] for v in found)


@pytest.mark.sandbox_violations("auth.token", "key.shape")
def test_rules_that_cannot_be_lifted_still_refuse_in_lenient_mode(client: TestClient) -> None:
    client.put("/_sandbox/settings", json={"strict": False})
    customer = make_customer(client, api=V2_API)
    assert client.get(f"/v2/atsCandidates?{V2_API.candidate_ids(['C1'])}", headers=V2).status_code == 401
    assert customer.get("/v2/atsCandidates?ids[0].atsCandidateId=C1").status_code == 400
    assert [(v["rule"], v["refused"]) for v in violations(client)] == [
        ("auth.token", True),
        ("key.shape", True),
    ]


def test_every_rule_is_documented() -> None:
    from pathlib import Path

    from sandbox.rules import RULES

    docs = (Path(__file__).parents[2] / "docs" / "linkedin-sandbox.md").read_text(encoding="utf-8")
    missing = [rule.id for rule in RULES if f"`{rule.id}`" not in docs]
    assert missing == []
