"""atsIntegrations: naming, status, configurations, CALLBACK_URL challenge, INTEGRATION_STATUS_CHANGE."""

from __future__ import annotations

import json
import time

from starlette.testclient import TestClient

from tests.sandbox.conftest import make_customer
from tests.sandbox.support import (
    CONTRACT,
    ORG,
    OTHER_CONTRACT,
    OTHER_ORG,
    CallbackReceiver,
    Customer,
    hmac_hex,
)

TYPES = ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN")


def _key(context: str, integration_type: str) -> str:
    return (
        f"integrationContext={context}&integrationType={integration_type}&tenantType=RECRUITER"
        + "&dataProvider=ATS"
    )


def _query(keys: list[tuple[str, str]]) -> str:
    parts = []
    for i, (context, integration_type) in enumerate(keys):
        parts += [
            f"ids[{i}].integrationContext={context}",
            f"ids[{i}].integrationType={integration_type}",
            f"ids[{i}].tenantType=RECRUITER",
            f"ids[{i}].dataProvider=ATS",
        ]
    return "&".join(parts)


def _name(customer: Customer, context: str, integration_type: str, name: str = "Acme integration") -> dict:
    entities = {_key(context, integration_type): {"patch": {"$set": {"integrationName": name}}}}
    return customer.post_batch("/v2/atsIntegrations", _query([(context, integration_type)]), entities).json()


def _name_all(customer: Customer) -> None:
    for integration_type in TYPES:
        assert _name(customer, ORG, integration_type)["errors"] == {}
    assert _name(customer, CONTRACT, "CSA_API")["errors"] == {}


def _configuration_path(integration_type: str = "ONE_CLICK_EXPORT") -> str:
    return f"/v2/atsIntegrations/{_key(ORG, integration_type)}/configurations"


def _set_callback(customer: Customer, url: str) -> dict:
    body = {"CALLBACK_URL": {"configurationValue": {"string": url}}}
    return customer.put_batch(_configuration_path(), "ids=CALLBACK_URL", body).json()


def _wait_for_check(client: TestClient, timeout_s: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        check = client.get("/_sandbox/apps/acme").json()["callbackCheck"]
        if check and check["passed"] is not None:
            return check
        time.sleep(0.02)
    raise AssertionError("the callback check did not finish")


def test_name_and_read_all_four_integrations(client: TestClient, customer: Customer) -> None:
    _name_all(customer)
    keys = [(ORG, t) for t in TYPES] + [(CONTRACT, "CSA_API")]
    body = customer.get(f"/v2/atsIntegrations?{_query(keys)}").json()
    assert body["errors"] == {}
    assert {v["integrationType"] for v in body["results"].values()} == {*TYPES, "CSA_API"}
    assert {v["status"] for v in body["results"].values()} == {"NOT_ENABLED"}
    assert body["results"][_key(CONTRACT, "CSA_API")]["integrationName"] == "Acme integration"


def test_unnamed_integration_is_404(client: TestClient, customer: Customer) -> None:
    body = customer.get(f"/v2/atsIntegrations?{_query([(ORG, 'PROFILE_PLUGIN')])}").json()
    assert body["errors"][_key(ORG, "PROFILE_PLUGIN")]["status"] == 404


def test_keys_are_checked_against_the_apps_org_and_contracts(client: TestClient, customer: Customer) -> None:
    assert (
        _name(customer, OTHER_ORG, "ONE_CLICK_EXPORT")["errors"][_key(OTHER_ORG, "ONE_CLICK_EXPORT")][
            "status"
        ]
        == 403
    )
    assert (
        _name(customer, OTHER_CONTRACT, "CSA_API")["errors"][_key(OTHER_CONTRACT, "CSA_API")]["status"] == 403
    )
    assert _name(customer, ORG, "CSA_API")["errors"][_key(ORG, "CSA_API")]["status"] == 422
    assert (
        _name(customer, CONTRACT, "ONE_CLICK_EXPORT")["errors"][_key(CONTRACT, "ONE_CLICK_EXPORT")]["status"]
        == 422
    )
    assert _name(customer, ORG, "TELEPATHY")["errors"][_key(ORG, "TELEPATHY")]["status"] == 422


def test_only_integration_name_can_be_set(client: TestClient, customer: Customer) -> None:
    entities = {_key(ORG, "ONE_CLICK_EXPORT"): {"patch": {"$set": {"status": "ENABLED"}}}}
    body = customer.post_batch("/v2/atsIntegrations", _query([(ORG, "ONE_CLICK_EXPORT")]), entities).json()
    assert body["errors"][_key(ORG, "ONE_CLICK_EXPORT")]["status"] == 422


def test_configurations_put_get_delete(client: TestClient, customer: Customer) -> None:
    _name_all(customer)
    client.put("/_sandbox/settings", json={"validate_callbacks": False})
    body = {
        "CALLBACK_URL": {"configurationValue": {"string": "https://ats.example.com/hook/t1"}},
        "JOB_POSTING_VIEWERS": {"configurationValue": {"string": "ALL_PRODUCT_USERS"}},
    }
    response = customer.put_batch(_configuration_path(), "ids=CALLBACK_URL&ids=JOB_POSTING_VIEWERS", body)
    assert response.json()["errors"] == {}
    viewers = {"APPLICATION_VIEWERS": {"configurationValue": {"string": "ACL_BASED"}}}
    assert (
        customer.put_batch(
            _configuration_path("IN_ATS_INDICATOR"), "ids=APPLICATION_VIEWERS", viewers
        ).json()["errors"]
        == {}
    )
    shown = customer.get(f"{_configuration_path()}?ids=CALLBACK_URL&ids=JOB_POSTING_VIEWERS").json()[
        "results"
    ]
    assert shown["CALLBACK_URL"] == {"configurationValue": {"string": "https://ats.example.com/hook/t1"}}
    assert client.get("/_sandbox/apps/acme").json()["callbackUrl"] == "https://ats.example.com/hook/t1"
    response = customer.delete(f"{_configuration_path()}?ids=JOB_POSTING_VIEWERS&ids=CALLBACK_URL")
    assert set(response.json()["results"]) == {"JOB_POSTING_VIEWERS", "CALLBACK_URL"}
    assert client.get("/_sandbox/apps/acme").json()["callbackUrl"] is None
    assert (
        customer.get(f"{_configuration_path()}?ids=CALLBACK_URL").json()["errors"]["CALLBACK_URL"]["status"]
        == 404
    )


def test_configuration_rules(client: TestClient, customer: Customer) -> None:
    _name_all(customer)
    client.put("/_sandbox/settings", json={"validate_callbacks": False})
    wrong_owner = {"APPLICATION_VIEWERS": {"configurationValue": {"string": "ALL_PRODUCT_USERS"}}}
    body = customer.put_batch(_configuration_path(), "ids=APPLICATION_VIEWERS", wrong_owner).json()
    assert "belongs to the IN_ATS_INDICATOR" in body["errors"]["APPLICATION_VIEWERS"]["message"]
    assert _set_callback(customer, "ftp://nope")["errors"]["CALLBACK_URL"]["status"] == 422
    bad_value = {"JOB_POSTING_VIEWERS": {"configurationValue": {"string": "EVERYONE"}}}
    assert customer.put_batch(_configuration_path(), "ids=JOB_POSTING_VIEWERS", bad_value).json()["errors"]
    unnamed = f"/v2/atsIntegrations/{_key(ORG, 'ONE_CLICK_EXPORT')}/configurations"
    client.post("/_sandbox/reset", json={"parts": ["data"]})
    assert (
        customer.put_batch(
            unnamed,
            "ids=CALLBACK_URL",
            {"CALLBACK_URL": {"configurationValue": {"string": "https://x.example.com"}}},
        ).status_code
        == 404
    )


def test_each_customer_needs_its_own_callback_url(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"validate_callbacks": False})
    other = make_customer(client, "globex", org="urn:li:organization:2")
    _name(other, "urn:li:organization:2", "ONE_CLICK_EXPORT")
    body = {"CALLBACK_URL": {"configurationValue": {"string": "https://ats.example.com/hook"}}}
    path = f"/v2/atsIntegrations/{_key('urn:li:organization:2', 'ONE_CLICK_EXPORT')}/configurations"
    assert other.put_batch(path, "ids=CALLBACK_URL", body).json()["errors"] == {}
    _name_all(customer)
    assert (
        "another customer"
        in _set_callback(customer, "https://ats.example.com/hook")["errors"]["CALLBACK_URL"]["message"]
    )


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
    body = customer.get(f"/v2/atsIntegrations?q=request&requestId={push['requestId']}").json()
    assert {e["status"] for e in body["elements"]} == {"ENABLED"}
    assert {e["integrationType"] for e in body["elements"]} == {*TYPES, "CSA_API"}
    keys = [(ORG, "ONE_CLICK_EXPORT")]
    assert (
        customer.get(f"/v2/atsIntegrations?{_query(keys)}").json()["results"][_key(*keys[0])]["status"]
        == "ENABLED"
    )
    client.post(
        "/_sandbox/integration-status", json={"organization": "1", "status": "DISABLED", "push": False}
    )
    assert (
        customer.get(f"/v2/atsIntegrations?{_query(keys)}").json()["results"][_key(*keys[0])]["status"]
        == "DISABLED"
    )


def test_status_change_is_only_visible_to_its_organization(client: TestClient, customer: Customer) -> None:
    other = make_customer(client, "globex", org="urn:li:organization:2")
    changed = client.post("/_sandbox/integration-status", json={"clientId": "acme", "push": False}).json()
    assert other.get(f"/v2/atsIntegrations?q=request&requestId={changed['requestId']}").status_code == 404
    assert customer.get(f"/v2/atsIntegrations?q=request&requestId={changed['requestId']}").status_code == 200
