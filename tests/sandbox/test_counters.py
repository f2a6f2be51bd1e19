"""Counters and the request log: what a test asserts on after driving the integration."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from starlette.testclient import TestClient

from tests.sandbox.support import REST_API, V2_API, Api, Customer, candidate, job, rules_broken


@pytest.fixture
def api() -> Api:
    """The counters and the log are the same for both shapes; these tests speak v2."""
    return V2_API


def _calls(client: TestClient) -> list[dict]:
    return client.get("/_sandbox/counters").json()["calls"]


@pytest.mark.sandbox_violations("field.candidate", "auth.token")
def test_calls_and_records_by_app_resource_method_and_status(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate(), "C2": candidate(), "C3": candidate(firstName=...)})
    customer.get_candidates(["C1"])
    customer.client.get("/v2/atsCandidates", headers={"X-RestLi-Protocol-Version": "2.0.0"})
    calls = {
        (c["app"], c["resource"], c["method"], c["status"]): (c["calls"], c["records"])
        for c in _calls(client)
    }
    assert calls[("acme", "atsCandidates", "PUT", 200)] == (1, 3)
    assert calls[("acme", "atsCandidates", "GET", 200)] == (1, 1)
    assert calls[("-", "atsCandidates", "GET", 401)] == (1, 1)
    assert calls[("acme", "oauth/accessToken", "POST", 200)] == (1, 1)


def test_each_shape_has_its_resource_names_and_one_rate_family(
    client: TestClient, customer: Customer
) -> None:
    rest = Customer(client, customer.client_id, customer.client_secret, REST_API)
    rest._token = customer.token
    customer.get_candidates(["C1"])
    rest.get_candidates(["C1"])
    resources = {(c["resource"], c["status"]) for c in _calls(client)}
    assert {("atsCandidates", 200), ("candidates", 200)} <= resources
    assert client.get("/_sandbox/counters").json()["calls_today"]["acme atsCandidates"] == 2


def test_request_log_keeps_what_a_contract_test_needs(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    [entry] = client.get("/_sandbox/requests?path_prefix=/v2/").json()["requests"]
    assert entry["method"] == "PUT"
    assert entry["path"] == "/v2/atsCandidates"
    assert dict(parse_qsl(entry["query"]))["ids[0].atsCandidateId"] == "C1"
    assert entry["headers"]["x-restli-method"] == "batch_update"
    assert entry["headers"]["x-restli-protocol-version"] == "2.0.0"
    assert entry["headers"]["authorization"] == "Bearer ***"
    assert '"firstName":"Ada"' in entry["body"].replace(" ", "")
    assert entry["status"] == 200
    assert entry["app"] == "acme"


@pytest.mark.sandbox_violations("header.method")
def test_request_log_can_be_replayed_against_the_rules(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    customer.post_jobs(job())
    client.put("/v2/atsCandidates?ids[0].atsCandidateId=C2", json={}, headers=customer.headers())
    required = {"PUT": "batch_update"}
    violations = [
        e["path"]
        for e in client.get("/_sandbox/requests").json()["requests"]
        if e["path"].startswith("/v2/")
        and e["method"] in required
        and e["headers"].get("x-restli-method") != required[e["method"]]
    ]
    assert violations == ["/v2/atsCandidates"]
    assert rules_broken(client) == ["header.method"]


def test_control_calls_are_neither_counted_nor_logged(client: TestClient, customer: Customer) -> None:
    client.get("/_sandbox/health")
    client.get("/_sandbox/orgs/1/candidates")
    assert all(not c["resource"].startswith("_sandbox") for c in _calls(client))
    assert all(
        not e["path"].startswith("/_sandbox") for e in client.get("/_sandbox/requests").json()["requests"]
    )


def test_reset_clears_counters_log_and_windows(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    assert client.post("/_sandbox/reset", json={}).json() == {"reset": ["counters", "log", "rate"]}
    snapshot = client.get("/_sandbox/counters").json()
    assert snapshot["calls"] == [] and snapshot["max_records_per_window"] == {}
    assert client.get("/_sandbox/requests").json()["requests"] == []
    assert len(client.get("/_sandbox/orgs/1/candidates").json()["candidates"]) == 1
    client.post("/_sandbox/reset", json={"parts": ["data"]})
    assert client.get("/_sandbox/orgs/1/candidates").json()["candidates"] == []
    assert client.post("/_sandbox/reset", json={"parts": ["everything"]}).status_code == 400


def test_request_log_size_is_bounded(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"request_log_size": 2})
    for i in range(5):
        customer.get_candidates([f"C{i}"])
    entries = client.get("/_sandbox/requests").json()["requests"]
    assert [dict(parse_qsl(e["query"]))["ids[0].atsCandidateId"] for e in entries] == ["C3", "C4"]
    since = client.get(f"/_sandbox/requests?since={entries[0]['seq']}").json()["requests"]
    assert len(since) == 1
