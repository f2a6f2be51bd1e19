"""Integrations (v2 atsIntegrations, rest/ integrations): naming, status, configurations, CALLBACK_URL
challenge, INTEGRATION_STATUS_CHANGE. The customer here is being onboarded: nothing is enabled yet.
Every test runs in both shapes."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from sandbox.integrations import stored_name
from tests.sandbox.conftest import make_customer
from tests.sandbox.support import (
    CONTRACT,
    ORG,
    OTHER_CONTRACT,
    OTHER_ORG,
    Api,
    CallbackReceiver,
    Customer,
    hmac_hex,
    rules_broken,
)
from tests.waiting import eventually

TYPES = ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN")


@pytest.fixture
def customer(client: TestClient, api: Api) -> Customer:
    return make_customer(client, api=api, enabled=False)


def _key(customer: Customer, context: str, integration_type: str) -> str:
    return customer.api.integration_key(context, integration_type)


def _query(customer: Customer, keys: list[tuple[str, str]]) -> str:
    return customer.api.integration_ids(keys)


def _name(customer: Customer, context: str, integration_type: str, name: str = "Acme integration") -> dict:
    entities = {_key(customer, context, integration_type): {"patch": {"$set": {"integrationName": name}}}}
    query = _query(customer, [(context, integration_type)])
    return customer.post_batch(customer.api.integrations, query, entities).json()


def _name_all(customer: Customer) -> None:
    for integration_type in TYPES:
        assert _name(customer, ORG, integration_type)["errors"] == {}
    assert _name(customer, CONTRACT, "CSA_API")["errors"] == {}


def _configuration_path(customer: Customer, integration_type: str = "ONE_CLICK_EXPORT") -> str:
    return f"{customer.api.integrations}/{_key(customer, ORG, integration_type)}/configurations"


def _set_callback(customer: Customer, url: str) -> dict:
    body = {"CALLBACK_URL": {"configurationValue": {"string": url}}}
    return customer.put_batch(_configuration_path(customer), "ids=CALLBACK_URL", body).json()


def _wait_for_check(client: TestClient) -> dict:
    def finished() -> dict | None:
        check = client.get("/_sandbox/apps/acme").json()["callbackCheck"]
        return check if check and check["passed"] is not None else None

    return eventually(finished, timeout=5.0, interval=0.02, what="the callback check to finish")


def test_name_and_read_all_four_integrations(client: TestClient, customer: Customer) -> None:
    _name_all(customer)
    keys = [(ORG, t) for t in TYPES] + [(CONTRACT, "CSA_API")]
    body = customer.get(f"{customer.api.integrations}?{_query(customer, keys)}").json()
    assert body["errors"] == {}
    assert {v["integrationType"] for v in body["results"].values()} == {*TYPES, "CSA_API"}
    assert {v["status"] for v in body["results"].values()} == {"NOT_ENABLED"}
    assert body["results"][_key(customer, CONTRACT, "CSA_API")]["integrationName"] == "Acme integration"
    assert all(("dataProvider" in v) is customer.api.data_provider for v in body["results"].values())
    inspected = client.get("/_sandbox/orgs/1/integrations").json()["integrations"]
    assert {i["key"]["dataProvider"] for i in inspected} == {"ATS"}


def test_unnamed_integration_is_404(client: TestClient, customer: Customer) -> None:
    body = customer.get(f"{customer.api.integrations}?{_query(customer, [(ORG, 'PROFILE_PLUGIN')])}").json()
    assert body["errors"][_key(customer, ORG, "PROFILE_PLUGIN")]["status"] == 404
    assert rules_broken(client) == []


@pytest.mark.sandbox_violations("auth.scope", "field.integration")
def test_keys_are_checked_against_the_apps_org_and_contracts(client: TestClient, customer: Customer) -> None:
    def status(context: str, integration_type: str) -> int:
        errors = _name(customer, context, integration_type)["errors"]
        return int(errors[_key(customer, context, integration_type)]["status"])

    assert status(OTHER_ORG, "ONE_CLICK_EXPORT") == 403
    assert status(OTHER_CONTRACT, "CSA_API") == 403
    assert rules_broken(client) == ["auth.scope", "auth.scope"]
    assert status(ORG, "CSA_API") == 422
    assert status(CONTRACT, "ONE_CLICK_EXPORT") == 422
    assert status(ORG, "TELEPATHY") == 422
    assert rules_broken(client)[2:] == ["field.integration"] * 3


@pytest.mark.sandbox_violations("field.integration")
def test_only_integration_name_can_be_set(client: TestClient, customer: Customer) -> None:
    entities = {_key(customer, ORG, "ONE_CLICK_EXPORT"): {"patch": {"$set": {"status": "ENABLED"}}}}
    query = _query(customer, [(ORG, "ONE_CLICK_EXPORT")])
    body = customer.post_batch(customer.api.integrations, query, entities).json()
    assert body["errors"][_key(customer, ORG, "ONE_CLICK_EXPORT")]["status"] == 422


def test_configurations_put_get_delete(client: TestClient, customer: Customer) -> None:
    _name_all(customer)
    client.put("/_sandbox/settings", json={"validate_callbacks": False})
    body = {
        "CALLBACK_URL": {"configurationValue": {"string": "https://ats.example.com/hook/t1"}},
        "JOB_POSTING_VIEWERS": {"configurationValue": {"string": "ALL_PRODUCT_USERS"}},
    }
    response = customer.put_batch(
        _configuration_path(customer), "ids=CALLBACK_URL&ids=JOB_POSTING_VIEWERS", body
    )
    assert response.json()["errors"] == {}
    viewers = {"APPLICATION_VIEWERS": {"configurationValue": {"string": "ACL_BASED"}}}
    assert (
        customer.put_batch(
            _configuration_path(customer, "IN_ATS_INDICATOR"), "ids=APPLICATION_VIEWERS", viewers
        ).json()["errors"]
        == {}
    )
    path = _configuration_path(customer)
    shown = customer.get(f"{path}?ids=CALLBACK_URL&ids=JOB_POSTING_VIEWERS").json()["results"]
    assert shown["CALLBACK_URL"] == {"configurationValue": {"string": "https://ats.example.com/hook/t1"}}
    assert client.get("/_sandbox/apps/acme").json()["callbackUrl"] == "https://ats.example.com/hook/t1"
    response = customer.delete(f"{path}?ids=JOB_POSTING_VIEWERS&ids=CALLBACK_URL")
    assert set(response.json()["results"]) == {"JOB_POSTING_VIEWERS", "CALLBACK_URL"}
    assert client.get("/_sandbox/apps/acme").json()["callbackUrl"] is None
    assert customer.get(f"{path}?ids=CALLBACK_URL").json()["errors"]["CALLBACK_URL"]["status"] == 404


@pytest.mark.sandbox_violations("field.configuration", "onboarding.order")
def test_configuration_rules(client: TestClient, customer: Customer) -> None:
    _name_all(customer)
    client.put("/_sandbox/settings", json={"validate_callbacks": False})
    wrong_owner = {"APPLICATION_VIEWERS": {"configurationValue": {"string": "ALL_PRODUCT_USERS"}}}
    path = _configuration_path(customer)
    body = customer.put_batch(path, "ids=APPLICATION_VIEWERS", wrong_owner).json()
    assert "belongs to the IN_ATS_INDICATOR" in body["errors"]["APPLICATION_VIEWERS"]["message"]
    assert _set_callback(customer, "ftp://nope")["errors"]["CALLBACK_URL"]["status"] == 422
    bad_value = {"JOB_POSTING_VIEWERS": {"configurationValue": {"string": "EVERYONE"}}}
    assert customer.put_batch(path, "ids=JOB_POSTING_VIEWERS", bad_value).json()["errors"]
    assert rules_broken(client) == ["field.configuration"] * 3
    client.post("/_sandbox/reset", json={"parts": ["data"]})
    callback = {"CALLBACK_URL": {"configurationValue": {"string": "https://x.example.com"}}}
    assert customer.put_batch(path, "ids=CALLBACK_URL", callback).status_code == 404
    assert rules_broken(client)[-1] == "onboarding.order"


@pytest.mark.sandbox_violations("callback.unique")
def test_each_customer_needs_its_own_callback_url(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"validate_callbacks": False})
    other = make_customer(client, "globex", org="urn:li:organization:2", api=customer.api, enabled=False)
    _name(other, "urn:li:organization:2", "ONE_CLICK_EXPORT")
    body = {"CALLBACK_URL": {"configurationValue": {"string": "https://ats.example.com/hook"}}}
    key = _key(other, "urn:li:organization:2", "ONE_CLICK_EXPORT")
    path = f"{other.api.integrations}/{key}/configurations"
    assert other.put_batch(path, "ids=CALLBACK_URL", body).json()["errors"] == {}
    _name_all(customer)
    assert (
        "another customer"
        in _set_callback(customer, "https://ats.example.com/hook")["errors"]["CALLBACK_URL"]["message"]
    )
    assert rules_broken(client) == ["callback.unique"]


def test_callback_url_is_validated_with_a_challenge(client: TestClient, customer: Customer) -> None:
    _name_all(customer)
    with CallbackReceiver("acme-secret").running() as receiver:
        assert _set_callback(customer, receiver.url)["errors"] == {}
        check = _wait_for_check(client)
    assert check["passed"] is True
    [challenge] = receiver.challenges
    assert challenge["applicationId"] == "acme"
    assert len(challenge["challengeCode"]) >= 16


def test_a_wrong_challenge_answer_fails_validation(client: TestClient, customer: Customer) -> None:
    _name_all(customer)
    with CallbackReceiver("acme-secret", answer_challenge="wrong").running() as receiver:
        _set_callback(customer, receiver.url)
        check = _wait_for_check(client)
    assert check["passed"] is False
    assert "challengeResponse" in check["detail"]
    with CallbackReceiver("acme-secret", answer_challenge="error").running() as receiver:
        client.put("/_sandbox/apps/acme", json={"callbackUrl": receiver.url})
        check = client.post("/_sandbox/apps/acme/validate-callback").json()
    assert check["passed"] is False
    assert check["status"] == 500


def test_unreachable_callback_fails_validation(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/apps/acme", json={"callbackUrl": "http://127.0.0.1:9/hook"})
    check = client.post("/_sandbox/apps/acme/validate-callback").json()
    assert check["passed"] is False
    assert "Error" in check["detail"]


def test_status_change_is_pushed_signed_and_readable_by_request_id(
    client: TestClient, customer: Customer
) -> None:
    _name_all(customer)
    with CallbackReceiver("acme-secret").running() as receiver:
        client.put("/_sandbox/apps/acme", json={"callbackUrl": receiver.url})
        changed = client.post(
            "/_sandbox/integration-status", json={"clientId": "acme", "status": "ENABLED", "wait": True}
        ).json()
    assert changed["push"]["state"] == "DELIVERED"
    [(headers, raw)] = receiver.pushes
    push = json.loads(raw)
    assert push["type"] == "INTEGRATION_STATUS_CHANGE"
    assert push["integrationContext"] == ORG
    assert headers["x-li-signature"] == "hmacsha256=" + hmac_hex("acme-secret", raw)
    integrations = customer.api.integrations
    body = customer.get(f"{integrations}?q=request&requestId={push['requestId']}").json()
    assert {e["status"] for e in body["elements"]} == {"ENABLED"}
    assert {e["integrationType"] for e in body["elements"]} == {*TYPES, "CSA_API"}
    assert all(("dataProvider" in e) is customer.api.data_provider for e in body["elements"])
    keys = [(ORG, "ONE_CLICK_EXPORT")]
    key = _key(customer, *keys[0])
    assert (
        customer.get(f"{integrations}?{_query(customer, keys)}").json()["results"][key]["status"] == "ENABLED"
    )
    assert client.get("/_sandbox/apps/acme").json()["enabled"] == {
        "company": True,
        "contracts": {CONTRACT: True},
    }
    client.post(
        "/_sandbox/integration-status", json={"organization": "1", "status": "DISABLED", "push": False}
    )
    assert (
        customer.get(f"{integrations}?{_query(customer, keys)}").json()["results"][key]["status"]
        == "DISABLED"
    )


def test_status_change_is_only_visible_to_its_organization(client: TestClient, customer: Customer) -> None:
    other = make_customer(client, "globex", org="urn:li:organization:2", api=customer.api)
    changed = client.post("/_sandbox/integration-status", json={"clientId": "acme", "push": False}).json()
    path = f"{customer.api.integrations}?q=request&requestId={changed['requestId']}"
    assert other.get(path).status_code == 404
    assert customer.get(path).status_code == 200
    assert rules_broken(client) == []


def test_an_integration_key_of_either_shape_is_stored_under_one_name() -> None:
    rest_key = {
        "integrationContext": "urn:li:organization:1",
        "integrationType": "CSA_API",
        "tenantType": "ATS",
    }
    assert stored_name(rest_key) == stored_name({**rest_key, "dataProvider": "ATS"})
    assert stored_name(rest_key) != stored_name({**rest_key, "integrationType": "RSC_INMAIL"})
