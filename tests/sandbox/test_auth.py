"""Tokens: minting, reuse, the 401s, the 403s of the two-tier app model."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient

from tests.sandbox.conftest import make_customer
from tests.sandbox.support import (
    OTHER_ORG,
    V2,
    V2_API,
    Api,
    Customer,
    candidate,
    ids_query,
    rules_broken,
    violations,
)

CANDIDATES = f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'])}"


@pytest.fixture
def api() -> Api:
    """Tokens are the same in both shapes; these tests speak v2 (the shaped calls are tested elsewhere)."""
    return V2_API


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


@pytest.mark.sandbox_violations("oauth.credentials")
def test_bad_credentials_are_invalid_client(client: TestClient, customer: Customer) -> None:
    response = _token(client, "acme", "wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert _token(client, "nobody", "x").status_code == 401
    assert [(v["rule"], v["app"]) for v in violations(client)] == [
        ("oauth.credentials", "acme"),
        ("oauth.credentials", "nobody"),
    ]


@pytest.mark.sandbox_violations("oauth.grant")
def test_only_client_credentials_grant_is_supported(client: TestClient, customer: Customer) -> None:
    response = _token(client, "acme", "acme-secret", grant="authorization_code")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert rules_broken(client) == ["oauth.grant"]


@pytest.mark.sandbox_violations("auth.token")
def test_missing_unknown_and_malformed_tokens_are_401(client: TestClient, customer: Customer) -> None:
    assert client.get(CANDIDATES, headers=V2).status_code == 401
    assert client.get(CANDIDATES, headers={**V2, "Authorization": "Bearer nope"}).status_code == 401
    assert client.get(CANDIDATES, headers={**V2, "Authorization": "Basic abc"}).status_code == 401
    body = client.get(CANDIDATES, headers={**V2, "Authorization": "Bearer nope"}).json()
    assert body["serviceErrorCode"] == 65600
    assert rules_broken(client) == ["auth.token"] * 4


def test_token_expires_on_the_sandbox_clock(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"token_ttl_s": 60})
    headers = customer.headers()
    assert client.get(CANDIDATES, headers=headers).status_code == 200
    client.put("/_sandbox/clock", json={"advance_s": 61})
    response = client.get(CANDIDATES, headers=headers)
    assert response.status_code == 401
    assert response.json()["serviceErrorCode"] == 65601
    # An expired token is how a client learns to mint the next one: no rule broken, and the next
    # token is not waste.
    assert _token(client, "acme", "acme-secret").status_code == 200
    assert rules_broken(client) == []


def test_expires_in_is_told_in_real_seconds_on_a_scaled_clock(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/clock", json={"scale": 60})
    assert _token(client, "acme", "acme-secret").json()["expires_in"] == 30


@pytest.mark.sandbox_violations("token.reuse")
def test_a_token_minted_while_the_app_holds_a_fresh_one_is_recorded_as_waste(
    client: TestClient, customer: Customer
) -> None:
    first = _token(client, "acme", "acme-secret")
    second = _token(client, "acme", "acme-secret")
    assert second.status_code == 200 and second.json()["access_token"] != first.json()["access_token"]
    [waste] = violations(client)
    assert (waste["rule"], waste["app"], waste["refused"]) == ("token.reuse", "acme", False)
    assert "1800 sandbox seconds" in waste["message"]


def test_a_token_minted_near_the_end_of_the_last_ones_life_is_fine(
    client: TestClient, customer: Customer
) -> None:
    _token(client, "acme", "acme-secret")
    client.put("/_sandbox/clock", json={"advance_s": 1800 - 299})
    assert _token(client, "acme", "acme-secret").status_code == 200
    assert rules_broken(client) == []


@pytest.mark.sandbox_violations("token.reuse")
def test_the_waste_threshold_is_a_setting_and_at_most_half_a_lifetime(
    client: TestClient, customer: Customer
) -> None:
    client.put("/_sandbox/settings", json={"token_reuse_left_s": 1000, "token_ttl_s": 60})
    _token(client, "acme", "acme-secret")
    client.put("/_sandbox/clock", json={"advance_s": 29})
    _token(client, "acme", "acme-secret")
    assert rules_broken(client) == ["token.reuse"]
    client.put("/_sandbox/clock", json={"advance_s": 31})
    _token(client, "acme", "acme-secret")
    assert rules_broken(client) == ["token.reuse"]


@pytest.mark.sandbox_violations("auth.audience")
def test_partner_token_is_refused_on_customer_endpoints(client: TestClient) -> None:
    partner = Customer(client, "parent-client", "parent-secret")
    response = client.get(CANDIDATES, headers=partner.headers())
    assert response.status_code == 403
    assert "provisionedApplications" in response.json()["message"]
    assert rules_broken(client) == ["auth.audience"]


@pytest.mark.sandbox_violations("auth.audience")
def test_customer_token_is_refused_on_provisioned_applications(
    client: TestClient, customer: Customer
) -> None:
    response = client.get(
        "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=x",
        headers=customer.headers(),
    )
    assert response.status_code == 403
    assert rules_broken(client) == ["auth.audience"]


@pytest.mark.sandbox_violations("auth.unbound")
def test_an_app_not_bound_to_an_organization_gets_403(client: TestClient) -> None:
    loose = make_customer(client, "loose", org=None, contracts=())
    response = client.get(CANDIDATES, headers=loose.headers())
    assert response.status_code == 403
    assert "not bound to an organization" in response.json()["message"]
    assert rules_broken(client) == ["auth.unbound"]


@pytest.mark.sandbox_violations("auth.scope")
def test_another_organizations_key_is_403_for_that_entity_only(
    client: TestClient, customer: Customer
) -> None:
    make_customer(client, "globex", org=OTHER_ORG)
    response = customer.put_candidates({"C1": candidate()}, org=OTHER_ORG)
    assert response.status_code == 200
    [error] = response.json()["errors"].values()
    assert error["status"] == 403
    assert response.json()["results"] == {}
    assert rules_broken(client) == ["auth.scope"]
