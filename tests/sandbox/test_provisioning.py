"""provisionedApplications: the partner app creates, finds and updates customer apps, and manages
their client secrets."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from sandbox.provisioning import provisioned_view
from sandbox.state import Sandbox
from tests.sandbox.support import REST_API, Customer, ids_query, rules_broken

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


def _secrets_path(key: str, secret_id: str = "") -> str:
    path = f"/rest/provisionedApplications/{key}/secrets"
    return f"{path}/{secret_id}" if secret_id else path


def _v2(partner: Customer) -> dict[str, str]:
    """The partner's token (one, reused) on a v2 call."""
    return {"Authorization": f"Bearer {partner.token}", "X-RestLi-Protocol-Version": "2.0.0"}


def _mint(client: TestClient, client_id: str, secret: str) -> int:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post("/oauth/v2/accessToken", data=form).status_code


@pytest.mark.sandbox_violations("oauth.credentials")
def test_a_second_secret_works_beside_the_first_until_the_first_is_deleted(client: TestClient) -> None:
    partner = Customer(client, "parent-client", "parent-secret", REST_API)
    created = client.post("/v2/provisionedApplications", json=PROFILE, headers=_v2(partner))
    key, credentials = created.json()["key"], created.json()["credentials"]
    client_id, first = credentials["clientId"], credentials["clientSecret"]
    listed = client.get(_secrets_path(key), headers=partner.headers()).json()["elements"]
    assert len(listed) == 1 and "clientSecret" not in listed[0]
    first_id = listed[0]["secretId"]

    answer = client.post(_secrets_path(key), json={}, headers=partner.headers())
    assert answer.status_code == 201
    second = answer.json()["clientSecret"]
    assert _mint(client, client_id, first) == 200
    assert _mint(client, client_id, second) == 200
    # The first token minted with a new secret is how a rotation proves it: not a wasted token.
    assert rules_broken(client) == []

    assert client.delete(_secrets_path(key, first_id), headers=partner.headers()).status_code == 204
    assert _mint(client, client_id, first) == 401
    remaining = client.get(_secrets_path(key), headers=partner.headers()).json()["elements"]
    assert [s["secretId"] for s in remaining] == [answer.json()["secretId"]]
    shown = client.get(f"/v2/provisionedApplications/{key}", headers=_v2(partner)).json()
    assert shown["credentials"]["clientSecret"] == second


@pytest.mark.sandbox_violations("secret.limit")
def test_a_third_secret_is_refused_and_the_last_one_cannot_be_deleted(client: TestClient) -> None:
    partner = Customer(client, "parent-client", "parent-secret", REST_API)
    key = client.post("/v2/provisionedApplications", json=PROFILE, headers=_v2(partner)).json()["key"]
    assert client.post(_secrets_path(key), json={}, headers=partner.headers()).status_code == 201
    third = client.post(_secrets_path(key), json={}, headers=partner.headers())
    assert third.status_code == 409 and "delete one before rotating" in third.json()["message"]
    ids = [
        s["secretId"] for s in client.get(_secrets_path(key), headers=partner.headers()).json()["elements"]
    ]
    assert len(ids) == 2
    assert client.delete(_secrets_path(key, ids[0]), headers=partner.headers()).status_code == 204
    assert client.delete(_secrets_path(key, ids[1]), headers=partner.headers()).status_code == 409
    assert client.delete(_secrets_path(key, "secret-nope"), headers=partner.headers()).status_code == 404
    assert rules_broken(client) == ["secret.limit"]


@pytest.mark.sandbox_violations("auth.audience", "version.resource")
def test_secrets_take_the_partner_token_only_and_exist_from_202510(client: TestClient) -> None:
    partner = Customer(client, "parent-client", "parent-secret", REST_API)
    created = client.post("/v2/provisionedApplications", json=PROFILE, headers=_v2(partner))
    key, credentials = created.json()["key"], created.json()["credentials"]
    child = Customer(client, credentials["clientId"], credentials["clientSecret"], REST_API)
    assert client.get(_secrets_path(key), headers=child.headers()).status_code == 403
    old = partner.headers(**{"LinkedIn-Version": "202509"})
    assert client.get(_secrets_path(key), headers=old).status_code == 404
    assert sorted(set(rules_broken(client))) == ["auth.audience", "version.resource"]


def test_a_provisioned_apps_view_carries_its_profile_and_credentials(sandbox: Sandbox) -> None:
    app = sandbox.apps.create(
        client_id="acme-client",
        client_secret="acme-secret",
        unique_foreign_id="acme",
        profile={"name": "Acme", "oauth2AuthorizedCallbackUrls": ["https://ats.example/cb"]},
    )
    view = provisioned_view(app)
    assert (view["key"], view["name"], view["uniqueForeignId"]) == (app.app_urn, "Acme", "acme")
    assert view["oauth2AuthorizedCallbackUrls"] == ["https://ats.example/cb"]
    assert view["validJsSdkDomains"] == []
    assert view["credentials"] == {"clientId": "acme-client", "clientSecret": "acme-secret"}
