"""Rate limits per customer app: records a minute, calls a day per endpoint family, on the sandbox clock."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from tests.sandbox.conftest import make_customer
from tests.sandbox.support import Customer, application, candidate, rules_broken, violations

DAY_MS = 86_400_000


def _candidates(n: int, prefix: str = "C") -> dict:
    return {f"{prefix}{i}": candidate() for i in range(n)}


def _stored(client: TestClient) -> int:
    return len(client.get("/_sandbox/orgs/1/candidates").json()["candidates"])


@pytest.mark.sandbox_violations("rate.records_per_minute")
def test_records_a_minute_are_limited_and_a_refused_call_has_no_effect(
    client: TestClient, customer: Customer
) -> None:
    client.put("/_sandbox/limits", json={"records_per_minute": 150})
    assert customer.put_candidates(_candidates(100)).status_code == 200
    refused = customer.put_candidates(_candidates(60, "D"))
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "150 records" in refused.json()["message"]
    assert _stored(client) == 100
    assert customer.put_candidates(_candidates(50, "E")).status_code == 200
    client.put("/_sandbox/clock", json={"advance_s": 60})
    assert customer.put_candidates(_candidates(60, "D")).status_code == 200
    assert _stored(client) == 210
    snapshot = client.get("/_sandbox/counters").json()
    assert snapshot["max_records_per_window"]["acme"] == 150
    assert snapshot["throttled"]["acme"] == 1
    [over] = violations(client)
    assert (over["rule"], over["section"], over["refused"]) == ("rate.records_per_minute", "§4", True)


def test_batch_get_counts_its_keys_and_other_calls_count_one(client: TestClient, customer: Customer) -> None:
    customer.get_candidates([f"C{i}" for i in range(30)])
    customer.get(f"{customer.api.path('seatsV2')}?q=attributes&contracts=urn:li:contract:10&start=0")
    assert client.get("/_sandbox/counters").json()["records_this_minute"]["acme"] == 31


@pytest.mark.sandbox_violations("rate.records_per_minute")
def test_scaled_clock_shrinks_the_minute_window(client: TestClient, customer: Customer) -> None:
    # A minute of 5 real seconds: long enough that a busy machine does not see it end between the
    # two calls, short enough to wait out.
    client.put("/_sandbox/clock", json={"scale": 12})
    client.put("/_sandbox/limits", json={"records_per_minute": 100})
    assert customer.put_candidates(_candidates(100)).status_code == 200
    refused = customer.put_candidates(_candidates(1, "D"))
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 5
    time.sleep(retry_after + 0.05)
    assert customer.put_candidates(_candidates(1, "D")).status_code == 200


@pytest.mark.sandbox_violations("rate.calls_per_day")
def test_calls_a_day_are_limited_per_endpoint_family_until_midnight_utc(
    client: TestClient, customer: Customer
) -> None:
    client.put("/_sandbox/settings", json={"token_ttl_s": 2 * 86_400})
    client.put("/_sandbox/limits", json={"calls_per_day": 3})
    for _ in range(3):
        assert customer.get_candidates(["C1"]).status_code == 200
    refused = customer.get_candidates(["C1"])
    assert refused.status_code == 429
    now = client.get("/_sandbox/clock").json()["now"]
    to_midnight_s = ((now // DAY_MS + 1) * DAY_MS - now) / 1000
    assert abs(int(refused.headers["retry-after"]) - to_midnight_s) <= 1
    assert customer.get_applications(["A1"]).status_code == 200
    assert customer.put_applications({"A1": application()}).status_code == 200
    client.put("/_sandbox/clock", json={"advance_s": to_midnight_s - 1})
    assert customer.get_candidates(["C1"]).status_code == 429
    client.put("/_sandbox/clock", json={"advance_s": 1})
    assert customer.get_candidates(["C1"]).status_code == 200
    assert rules_broken(client) == ["rate.calls_per_day"] * 2


@pytest.mark.sandbox_violations("rate.records_per_minute")
def test_limits_are_per_customer_app(client: TestClient, customer: Customer) -> None:
    other = make_customer(client, "globex", org="urn:li:organization:2", api=customer.api)
    client.put("/_sandbox/limits", json={"records_per_minute": 100})
    customer.put_candidates(_candidates(100))
    assert customer.put_candidates(_candidates(1, "D")).status_code == 429
    assert other.put_candidates(_candidates(100), org="urn:li:organization:2").status_code == 200


def test_lifted_limits_still_measure_the_busiest_window(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/limits", json={"records_per_minute": 150, "enforce": False})
    for prefix in "ABC":
        assert customer.put_candidates(_candidates(100, prefix)).status_code == 200
    assert rules_broken(client) == []
    assert client.get("/_sandbox/counters").json()["max_records_per_window"]["acme"] == 300
    client.put("/_sandbox/limits", json={"records_per_minute": None, "calls_per_day": None, "enforce": True})
    assert customer.put_candidates(_candidates(100, "D")).status_code == 200
    assert client.get("/_sandbox/limits").json() == {
        "records_per_minute": None,
        "calls_per_day": None,
        "enforce": True,
    }


@pytest.mark.sandbox_violations("token.reuse")
def test_token_calls_are_not_rate_limited(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/limits", json={"calls_per_day": 1})
    for _ in range(3):
        response = client.post(
            "/oauth/v2/accessToken",
            data={"grant_type": "client_credentials", "client_id": "acme", "client_secret": "acme-secret"},
        )
        assert response.status_code == 200
