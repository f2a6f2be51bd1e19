"""provisionedApplications: the partner app creates, finds and updates customer apps."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.sandbox.support import Customer, ids_query, rules_broken

PROFILE = {
    "name": "Acme",
    "description": "Acme's ATS",
    "uniqueForeignId": "tenant-1",
    "oauth2AuthorizedCallbackUrls": ["https://ats.example.com/oauth"],
    "validJsSdkDomains": ["https://ats.example.com"],
}


def _partner(client: TestClient) -> Customer:
    return Customer(client, "parent-client", "parent-secret")


def test_create_returns_key_and_credentials_that_work(client: TestClient) -> None:
    partner = _partner(client)
    response = client.post("/v2/provisionedApplications", json=PROFILE, headers=partner.headers())
    assert response.status_code == 201
    created = response.json()
    assert created["key"].startswith("urn:li:developerApplication:")
    assert response.headers["x-restli-id"] == created["key"]
    credentials = created["credentials"]
    child = Customer(client, credentials["clientId"], credentials["clientSecret"])
    assert child.token


def test_lookup_by_unique_foreign_id(client: TestClient) -> None:
    partner = _partner(client)
    key = client.post("/v2/provisionedApplications", json=PROFILE, headers=partner.headers()).json()["key"]
    path = "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId="
    found = client.get(path + "tenant-1", headers=partner.headers()).json()
    assert [e["key"] for e in found["elements"]] == [key]
    assert client.get(path + "tenant-9", headers=partner.headers()).json()["elements"] == []


@pytest.mark.sandbox_violations("field.provisioning")
def test_unique_foreign_id_is_unique_and_required(client: TestClient) -> None:
    partner = _partner(client)
    assert (
        client.post("/v2/provisionedApplications", json=PROFILE, headers=partner.headers()).status_code == 201
    )
    assert (
        client.post("/v2/provisionedApplications", json=PROFILE, headers=partner.headers()).status_code == 409
    )
    nameless = {k: v for k, v in PROFILE.items() if k != "uniqueForeignId"}
    assert (
        client.post("/v2/provisionedApplications", json=nameless, headers=partner.headers()).status_code
        == 422
    )
    # A second create of the same app (a retry) is a 409 to resolve with the lookup, not a mistake.
    assert rules_broken(client) == ["field.provisioning"]


@pytest.mark.sandbox_violations("field.provisioning")
def test_update_with_set(client: TestClient) -> None:
    partner = _partner(client)
    key = client.post("/v2/provisionedApplications", json=PROFILE, headers=partner.headers()).json()["key"]
    patch = {"patch": {"$set": {"validJsSdkDomains": ["http://localhost:8000", "http://localhost:5000"]}}}
    response = client.post(f"/v2/provisionedApplications/{key}", json=patch, headers=partner.headers())
    assert response.status_code == 204
    shown = client.get(f"/v2/provisionedApplications/{key}", headers=partner.headers()).json()
    assert shown["validJsSdkDomains"] == ["http://localhost:8000", "http://localhost:5000"]
    assert shown["oauth2AuthorizedCallbackUrls"] == PROFILE["oauth2AuthorizedCallbackUrls"]
    trailing = {"patch": {"$set": {"validJsSdkDomains": ["http://localhost:5000/"]}}}
    response = client.post(f"/v2/provisionedApplications/{key}", json=trailing, headers=partner.headers())
    assert response.status_code == 422
    unknown = {"patch": {"$set": {"clientSecret": "mine"}}}
    assert (
        client.post(f"/v2/provisionedApplications/{key}", json=unknown, headers=partner.headers()).status_code
        == 422
    )
    missing = "/v2/provisionedApplications/urn:li:developerApplication:1"
    assert client.post(missing, json=patch, headers=partner.headers()).status_code == 404
    assert rules_broken(client) == ["field.provisioning"] * 2


@pytest.mark.sandbox_violations("auth.unbound", "enablement.company")
def test_provisioned_app_needs_binding_and_enabling_before_it_may_sync(client: TestClient) -> None:
    partner = _partner(client)
    credentials = client.post("/v2/provisionedApplications", json=PROFILE, headers=partner.headers()).json()[
        "credentials"
    ]
    child = Customer(client, credentials["clientId"], credentials["clientSecret"])
    org = "urn:li:organization:5"
    path = f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'], org)}"
    assert client.get(path, headers=child.headers()).status_code == 403
    assert rules_broken(client) == ["auth.unbound"]
    bound = client.put(f"/_sandbox/apps/{child.client_id}", json={"organization": "5", "contracts": []})
    assert bound.json()["organization"] == org
    assert bound.json()["enabled"] == {"company": False, "contracts": {}}
    # Bound, it may read; syncing waits until the customer enables the integration (§3.2 step 5).
    assert client.get(path, headers=child.headers()).status_code == 200
    candidate = {
        "firstName": "Ada",
        "atsCreatedAt": 1,
        "atsLastModifiedAt": 1,
        "addresses": [],
        "phoneNumbers": [],
    }
    body = {"entities": {f"atsCandidateId=C1&dataProvider=ATS&integrationContext={org}": candidate}}
    refused = client.put(path, json=body, headers=child.headers("batch_update"))
    assert refused.status_code == 403
    assert "has not enabled the integration" in refused.json()["message"]
    assert rules_broken(client) == ["auth.unbound", "enablement.company"]
    client.post(
        "/_sandbox/integration-status", json={"clientId": child.client_id, "status": "ENABLED", "push": False}
    )
    assert client.put(path, json=body, headers=child.headers("batch_update")).json()["errors"] == {}
    assert rules_broken(client) == ["auth.unbound", "enablement.company"]
