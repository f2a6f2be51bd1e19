"""Signed push notifications to a real local receiver, with retries and a record of every attempt."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from ingress import signature
from sandbox.pushes import PushType, challenge_response, push_body, sign
from tests.sandbox.support import ORG, CallbackReceiver, Customer, hmac_hex

INLINE = {"member": "urn:li:person:p1", "firstName": "Pat", "lastName": "Doe", "headline": "Engineer"}


def _export(client: TestClient, **extra: object) -> dict:
    body = {"clientId": "acme", "externalJobPostingId": "J1", "candidate": INLINE, "wait": True, **extra}
    response = client.post("/_sandbox/exports", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_export_push_is_signed_with_the_customer_secret(client: TestClient, customer: Customer) -> None:
    with CallbackReceiver("acme-secret").running() as receiver:
        client.put("/_sandbox/apps/acme", json={"callbackUrl": receiver.url})
        created = _export(client)
    assert created["push"]["state"] == "DELIVERED"
    [(headers, raw)] = receiver.pushes
    assert headers["content-type"] == "application/json"
    assert headers["x-li-signature"] == "hmacsha256=" + hmac_hex("acme-secret", raw)
    assert headers["x-li-signature"] != "hmacsha256=" + hmac_hex("other-secret", raw)
    push = json.loads(raw)
    assert push == {
        "id": created["pushId"],
        "type": "EXPORT_CANDIDATE_PROFILE",
        "requestId": created["requestId"],
        "integrationContext": ORG,
        "createdAt": push["createdAt"],
    }
    assert isinstance(push["createdAt"], int)
    exported = customer.api.path("exportedCandidates")
    pulled = customer.get(f"{exported}?q=request&requestId={push['requestId']}").json()
    assert pulled["elements"][0]["candidate"]["member"] == "urn:li:person:p1"


def test_failed_deliveries_are_retried_and_every_attempt_recorded(
    client: TestClient, customer: Customer
) -> None:
    with CallbackReceiver("acme-secret", fail_first=2).running() as receiver:
        client.put("/_sandbox/apps/acme", json={"callbackUrl": receiver.url})
        created = _export(client)
    push = created["push"]
    assert push["state"] == "DELIVERED"
    assert [a.get("status") for a in push["attempts"]] == [503, 503, 200]
    assert [a["attempt"] for a in push["attempts"]] == [1, 2, 3]
    assert len(receiver.pushes) == 1
    assert receiver.push_attempts == 3


def test_delivery_gives_up_after_the_configured_retries(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"push_retries": 2})
    with CallbackReceiver("acme-secret", fail_first=100).running() as receiver:
        client.put("/_sandbox/apps/acme", json={"callbackUrl": receiver.url})
        created = _export(client)
    assert created["push"]["state"] == "FAILED"
    assert len(created["push"]["attempts"]) == 3
    assert receiver.push_attempts == 3


def test_default_policy_is_six_retries(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"push_backoff_s": 0.001, "push_backoff_max_s": 0.001})
    client.put("/_sandbox/apps/acme", json={"callbackUrl": "http://127.0.0.1:9/unreachable"})
    created = _export(client)
    assert created["push"]["state"] == "FAILED"
    attempts = created["push"]["attempts"]
    assert len(attempts) == 7
    assert all("error" in a for a in attempts)


def test_push_without_a_callback_url_is_recorded_as_such(client: TestClient, customer: Customer) -> None:
    created = _export(client)
    assert created["push"]["state"] == "NO_CALLBACK"
    assert created["push"]["attempts"] == []


def test_pushes_are_inspectable(client: TestClient, customer: Customer) -> None:
    with CallbackReceiver("acme-secret").running() as receiver:
        client.put("/_sandbox/apps/acme", json={"callbackUrl": receiver.url})
        created = _export(client)
    by_app = client.get("/_sandbox/pushes?client_id=acme").json()["pushes"]
    by_org = client.get("/_sandbox/orgs/1/pushes").json()["pushes"]
    assert [p["id"] for p in by_app] == [p["id"] for p in by_org] == [created["pushId"]]
    detail = client.get(f"/_sandbox/pushes/{created['pushId']}?wait=1").json()
    assert detail["state"] == "DELIVERED"
    assert json.loads(detail["body"])["requestId"] == created["requestId"]
    assert client.get("/_sandbox/pushes/nope").status_code == 404


def test_a_push_the_sandbox_signs_is_one_the_ingress_accepts() -> None:
    body = push_body("p-1", PushType.EXPORT_CANDIDATE_PROFILE, "r-1", ORG, 5)
    assert signature.verify("acme-secret", body, sign("acme-secret", body))
    assert not signature.verify("other-secret", body, sign("acme-secret", body))
    assert set(json.loads(body)) == {
        "id",
        "type",
        "requestId",
        "integrationContext",
        "createdAt",
    }  # a pointer
    assert challenge_response("acme-secret", "c-1") == signature.challenge_response("acme-secret", "c-1")
