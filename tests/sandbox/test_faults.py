"""Fault switches: every faulted call is answered before it can change anything; the dice are rolled
per call on the faulted paths only, a storm throttles everything for a while, and the switches are
named and bounded (the ``Faults`` unit tests at the end)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from sandbox.config import FaultSettings
from sandbox.connections import ConnectionDropped
from sandbox.faults import Fault, Faults
from tests.sandbox.support import Customer, application, candidate, rules_broken


def _stored(client: TestClient) -> int:
    return len(client.get("/_sandbox/orgs/1/candidates").json()["candidates"])


def test_error_rate_answers_500_or_503_without_effect(client: TestClient, customer: Customer) -> None:
    customer.token  # noqa: B018 (mint before the faults start)
    client.put("/_sandbox/faults", json={"error_rate": 1.0})
    statuses = {customer.put_candidates({f"C{i}": candidate()}).status_code for i in range(20)}
    assert statuses == {500, 503}
    assert _stored(client) == 0
    # An injected fault is no one's fault: no rule broken.
    assert rules_broken(client) == []
    client.delete("/_sandbox/faults")
    assert customer.put_candidates({"C1": candidate()}).status_code == 200


def test_throttle_rate_answers_429_with_retry_after(client: TestClient, customer: Customer) -> None:
    customer.token  # noqa: B018
    client.put("/_sandbox/faults", json={"throttle_rate": 1.0, "throttle_retry_after_s": 7})
    response = customer.put_candidates({"C1": candidate()})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert _stored(client) == 0
    assert rules_broken(client) == []


def test_a_storm_throttles_every_call_for_its_duration(client: TestClient, customer: Customer) -> None:
    customer.token  # noqa: B018
    assert client.put("/_sandbox/faults", json={"storm_s": 0.4}).json()["storm_remaining_s"] > 0
    response = customer.get_candidates(["C1"])
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    time.sleep(0.45)
    assert customer.get_candidates(["C1"]).status_code == 200


def test_latency_is_added(client: TestClient, customer: Customer) -> None:
    customer.token  # noqa: B018
    client.put("/_sandbox/faults", json={"latency_ms": 150, "latency_jitter_ms": 50})
    started = time.monotonic()
    assert customer.get_candidates(["C1"]).status_code == 200
    assert 0.15 <= time.monotonic() - started < 2


@pytest.mark.sandbox_violations("batch.sequential")
def test_overlapping_batches_of_one_app_and_family_are_recorded(
    client: TestClient, customer: Customer
) -> None:
    customer.token  # noqa: B018
    client.put("/_sandbox/faults", json={"latency_ms": 300})
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda i: customer.put_candidates({f"C{i}": candidate()}), range(2)))
    assert [a.status_code for a in answers] == [200, 200]
    assert _stored(client) == 2
    [overlap] = client.get("/_sandbox/violations").json()["violations"]
    assert overlap["rule"] == "batch.sequential" and overlap["refused"] is False
    assert "still in flight" in overlap["message"]


def test_sequential_batches_and_parallel_batches_of_other_families_are_fine(
    client: TestClient, customer: Customer
) -> None:
    customer.token  # noqa: B018
    client.put("/_sandbox/faults", json={"latency_ms": 200})
    for i in range(2):
        customer.put_candidates({f"C{i}": candidate()})
    with ThreadPoolExecutor(max_workers=3) as pool:
        calls = [
            pool.submit(customer.put_candidates, {"C9": candidate()}),
            pool.submit(customer.put_applications, {"A1": application()}),
            pool.submit(customer.get_candidates, ["C1"]),
        ]
        assert [c.result().status_code for c in calls] == [200, 200, 200]
    assert rules_broken(client) == []


def test_faults_can_be_scoped_to_a_path_prefix(client: TestClient, customer: Customer) -> None:
    customer.token  # noqa: B018
    client.put("/_sandbox/faults", json={"error_rate": 1.0, "path_prefix": customer.api.applications})
    assert customer.put_candidates({"C1": candidate()}).status_code == 200
    assert customer.put_applications({"A1": application()}).status_code in (500, 503)
    assert client.get("/_sandbox/orgs/1/applications").json()["applications"] == []


def test_fractions_are_roughly_honoured(client: TestClient, customer: Customer) -> None:
    customer.token  # noqa: B018
    client.put("/_sandbox/faults", json={"error_rate": 0.3})
    statuses = [customer.get_candidates(["C1"]).status_code for _ in range(300)]
    failed = sum(s >= 500 for s in statuses)
    assert 50 <= failed <= 130


def test_bad_fault_switches_are_refused(client: TestClient) -> None:
    assert client.put("/_sandbox/faults", json={"error_rate": 1.5}).status_code == 400
    assert client.put("/_sandbox/faults", json={"gremlins": 1}).status_code == 400


def test_control_api_is_never_faulted(client: TestClient) -> None:
    client.put("/_sandbox/faults", json={"error_rate": 1.0, "drop_rate": 0.0})
    assert client.get("/_sandbox/health").status_code == 200


def test_a_dropped_connection_outside_uvicorn_surfaces_as_an_exception(app: Starlette) -> None:
    # The real drop needs the sandbox's own uvicorn (tests/sandbox/test_process.py); the test client
    # has no TCP connection, so the sandbox raises instead of answering.
    with TestClient(app) as client:
        client.put("/_sandbox/faults", json={"drop_rate": 1.0})
        with pytest.raises(ConnectionDropped):
            client.post("/oauth/v2/accessToken", data={"grant_type": "client_credentials"})


# The fault dice and switches, without the app.


def test_rates_of_one_always_fault_and_only_on_the_faulted_paths() -> None:
    faults = Faults(FaultSettings(error_rate=1.0, path_prefix="/v2/atsCandidates"), seed=1)
    assert faults.decide("/v2/atsCandidates") is Fault.ERROR
    assert faults.decide("/v2/simpleJobPostings") is None
    assert faults.error_status() in (500, 503)
    faults.update({"error_rate": 0, "drop_rate": 1})
    assert faults.decide("/v2/atsCandidates") is Fault.DROP


def test_no_faults_by_default_and_a_storm_throttles_until_it_ends() -> None:
    faults = Faults(FaultSettings(), seed=1)
    path = faults.settings.path_prefix + "atsCandidates"
    assert {faults.decide(path) for _ in range(100)} == {None}
    faults.update({"storm_s": 30})
    assert faults.decide(path) is Fault.THROTTLE
    assert 29 < faults.view()["storm_remaining_s"] <= 30
    faults.clear()
    assert faults.decide(path) is None and faults.view()["storm_remaining_s"] == 0


def test_the_same_seed_rolls_the_same_dice() -> None:
    rolls = [
        [
            Faults(FaultSettings(error_rate=0.5), seed=7).decide(FaultSettings().path_prefix + "x")
            for _ in range(1)
        ]
        for _ in range(2)
    ]
    assert rolls[0] == rolls[1]


def test_an_unknown_switch_or_a_rate_outside_zero_to_one_is_refused() -> None:
    faults = Faults(FaultSettings())
    with pytest.raises(KeyError, match="unknown fault switch 'eror_rate'; known: storm_s"):
        faults.update({"eror_rate": 0.1})
    with pytest.raises(ValueError, match="is a fraction between 0 and 1"):
        faults.update({"error_rate": 2})
