"""The webhook ingress: signatures, tenants, bad bodies, duplicates, and enqueue-before-200."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from events.publisher import Publisher, PublishError
from ingress.app import create_app
from ingress.signature import challenge_response, sign
from rsc.settings import get_settings
from store.db import get_store
from store.uow import OpsUnitOfWork
from tests.helpers import ORG, create_tenant, drain

SECRET = "acme-secret"


def push_body(
    push_id: str = "push-1", request_id: str = "req-1", kind: str = "EXPORT_CANDIDATE_PROFILE"
) -> bytes:
    return json.dumps(
        {
            "id": push_id,
            "type": kind,
            "requestId": request_id,
            "integrationContext": ORG,
            "createdAt": 1764000000000,
        }
    ).encode()


def post(
    client: TestClient,
    body: bytes,
    *,
    secret: str = SECRET,
    tenant: str = "acme",
    signature: str | None = None,
):
    headers = {"Content-Type": "application/json", "X-LI-Signature": signature or sign(secret, body)}
    return client.post(f"/webhooks/linkedin/{tenant}", content=body, headers=headers)


def rejections() -> list[tuple[str | None, str, int | None]]:
    with OpsUnitOfWork(get_store()) as ops:
        return [(r.tenant_id, r.reason_code, r.http_status) for r in ops.rejections.list()]


@pytest.fixture
def client(sqlite_url: str, rabbit: str) -> Iterator[TestClient]:
    create_tenant("acme", client_secret=SECRET)
    with TestClient(create_app()) as test_client:
        yield test_client


def test_a_signed_export_push_is_enqueued_as_a_typed_event(client: TestClient, rabbit: str) -> None:
    response = post(client, push_body())
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "accepted", "eventId": "push-1"}
    ((body, _),) = drain(rabbit, "profile_export")
    event = body["kwargs"]["event"]
    assert event["type"] == "linkedin.export.requested.v1"
    assert event["tenant"] == "acme"
    assert event["data"]["request_id"] == "req-1"
    assert body["actor_name"] == "export_profile"


def test_a_repeated_push_is_enqueued_once(client: TestClient, rabbit: str) -> None:
    assert post(client, push_body()).json()["status"] == "accepted"
    assert post(client, push_body()).json()["status"] == "duplicate"
    assert post(client, push_body(push_id="push-2")).json()["status"] == "accepted"
    assert len(drain(rabbit, "profile_export")) == 2


def test_the_signature_may_cover_the_unicode_escaped_payload(client: TestClient, rabbit: str) -> None:
    raw = '{"id":"p-é","type":"EXPORT_CANDIDATE_PROFILE","requestId":"r-é"}'.encode()
    escaped = json.dumps(json.loads(raw), separators=(",", ":")).encode()
    assert post(client, raw, signature=sign(SECRET, escaped)).status_code == 200


@pytest.mark.parametrize(
    ("mutate", "status", "code"),
    [
        (lambda body: {"signature": "hmacsha256=" + "0" * 64}, 401, "bad_signature"),
        (lambda body: {"signature": "sha1=abc"}, 401, "bad_signature"),
        (lambda body: {"secret": "someone-else"}, 401, "bad_signature"),
        (lambda body: {"tenant": "nobody"}, 404, "unknown_tenant"),
    ],
)
def test_refused_pushes_enqueue_nothing_and_are_recorded(
    client: TestClient, rabbit: str, mutate: Any, status: int, code: str
) -> None:
    body = push_body()
    response = post(client, body, **mutate(body))
    assert response.status_code == status
    assert response.json()["error"] == code
    assert drain(rabbit, "profile_export") == []
    ((tenant, recorded_code, http_status),) = rejections()
    assert (recorded_code, http_status) == (code, status)
    assert tenant == (None if code == "unknown_tenant" else "acme")


def test_a_missing_signature_is_refused(client: TestClient, rabbit: str) -> None:
    response = client.post("/webhooks/linkedin/acme", content=push_body())
    assert response.status_code == 401
    assert drain(rabbit, "profile_export") == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{nope", "malformed_body"),
        (b"[]", "malformed_body"),
        (json.dumps({"type": "EXPORT_CANDIDATE_PROFILE"}).encode(), "schema_violation"),
        (json.dumps({"type": "SOMETHING_NEW", "requestId": "r"}).encode(), "unknown_push_type"),
        (b"x" * 300_000, "body_too_large"),
    ],
)
def test_bad_bodies_get_400_with_a_reason(client: TestClient, rabbit: str, body: bytes, code: str) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["error"] == code
    assert response.json()["reason"]
    assert drain(rabbit, "profile_export") == []
    assert rejections()[0][1] == code


def test_valid_pushes_interleaved_with_bad_ones_all_get_through(client: TestClient, rabbit: str) -> None:
    for i in range(10):
        assert post(client, push_body(push_id=f"ok-{i}")).status_code == 200
        assert post(client, b"{broken").status_code == 400
        assert post(client, push_body(push_id=f"forged-{i}"), secret="wrong").status_code == 401
    assert len(drain(rabbit, "profile_export")) == 10
    assert len(rejections()) == 20


def test_no_200_unless_the_event_is_confirmed(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    create_tenant("acme", client_secret=SECRET)

    class Down(Publisher):
        def publish_messages(self, messages: Any) -> None:
            raise PublishError("broker down")

    with TestClient(
        create_app(publisher=Down("amqp://guest:guest@127.0.0.1:1/%2F", settings=get_settings()))
    ) as client:
        response = post(client, push_body())
        assert response.status_code == 503
        # LinkedIn retries; the retry is not mistaken for a duplicate.
        response = post(client, push_body())
        assert response.status_code == 503
    assert [r[1] for r in rejections()] == ["broker_unavailable", "broker_unavailable"]


def test_the_callback_answers_linkedins_challenge(client: TestClient) -> None:
    response = client.get(
        "/webhooks/linkedin/acme", params={"challengeCode": "abc123", "applicationId": "acme-client"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "challengeCode": "abc123",
        "challengeResponse": challenge_response(SECRET, "abc123"),
    }
    assert client.get("/webhooks/linkedin/acme").status_code == 400
    assert client.get("/webhooks/linkedin/nobody", params={"challengeCode": "x"}).status_code == 404


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "broker": "ok"}
