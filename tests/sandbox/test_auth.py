"""Tokens: minting, the 401s, the 403s of the two-tier app model."""

from __future__ import annotations

import httpx
from starlette.testclient import TestClient

from tests.sandbox.conftest import make_customer
from tests.sandbox.support import OTHER_ORG, V2, Customer, candidate, ids_query

CANDIDATES = f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'])}"


def _token(
    client: TestClient, client_id: str, secret: str, grant: str = "client_credentials"
) -> httpx.Response:
    return client.post(
        "/oauth/v2/accessToken", data={"grant_type": grant, "client_id": client_id, "client_secret": secret}
    )


def test_client_credentials_mint_a_token_with_the_default_lifetime(
    client: TestClient, customer: Customer
) -> None:
    response = _token(client, "acme", "acme-secret")
    assert response.status_code == 200
    assert response.json()["expires_in"] == 1800
    assert len(response.json()["access_token"]) >= 32


def test_bad_credentials_are_invalid_client(client: TestClient, customer: Customer) -> None:
    response = _token(client, "acme", "wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert _token(client, "nobody", "x").status_code == 401


def test_only_client_credentials_grant_is_supported(client: TestClient, customer: Customer) -> None:
    response = _token(client, "acme", "acme-secret", grant="authorization_code")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_missing_unknown_and_malformed_tokens_are_401(client: TestClient, customer: Customer) -> None:
    assert client.get(CANDIDATES, headers=V2).status_code == 401
    assert client.get(CANDIDATES, headers={**V2, "Authorization": "Bearer nope"}).status_code == 401
    assert client.get(CANDIDATES, headers={**V2, "Authorization": "Basic abc"}).status_code == 401
    body = client.get(CANDIDATES, headers={**V2, "Authorization": "Bearer nope"}).json()
    assert body["serviceErrorCode"] == 65600


def test_token_expires_on_the_sandbox_clock(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"token_ttl_s": 60})
    headers = customer.headers()
    assert client.get(CANDIDATES, headers=headers).status_code == 200
    client.put("/_sandbox/clock", json={"advance_s": 61})
    response = client.get(CANDIDATES, headers=headers)
    assert response.status_code == 401
    assert response.json()["serviceErrorCode"] == 65601


def test_expires_in_is_told_in_real_seconds_on_a_scaled_clock(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/clock", json={"scale": 60})
    assert _token(client, "acme", "acme-secret").json()["expires_in"] == 30


def test_partner_token_is_refused_on_customer_endpoints(client: TestClient) -> None:
    partner = Customer(client, "parent-client", "parent-secret")
    response = client.get(CANDIDATES, headers=partner.headers())
    assert response.status_code == 403
    assert "provisionedApplications" in response.json()["message"]


def test_customer_token_is_refused_on_provisioned_applications(
    client: TestClient, customer: Customer
) -> None:
    response = client.get(
        "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=x",
        headers=customer.headers(),
    )
    assert response.status_code == 403


def test_an_app_not_bound_to_an_organization_gets_403(client: TestClient) -> None:
    loose = make_customer(client, "loose", org=None, contracts=())
    response = client.get(CANDIDATES, headers=loose.headers())
    assert response.status_code == 403
    assert "not bound to an organization" in response.json()["message"]


def test_another_organizations_key_is_403_for_that_entity_only(
    client: TestClient, customer: Customer
) -> None:
    make_customer(client, "globex", org=OTHER_ORG)
    response = customer.put_candidates({"C1": candidate()}, org=OTHER_ORG)
    assert response.status_code == 200
    [error] = response.json()["errors"].values()
    assert error["status"] == 403
    assert response.json()["results"] == {}
