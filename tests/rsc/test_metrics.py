"""Metric families and labels: outcomes of real messages on Dramatiq's stub broker, closed label sets."""

from __future__ import annotations

from collections.abc import Iterator

import dramatiq
import httpx
import pytest
from prometheus_client import REGISTRY, CollectorRegistry, Counter

from events.topology import queue_label
from rsc.errors import BusinessRuleViolation, TransientError
from rsc.health import serve
from rsc.metrics import actor_label, code_label, endpoint_label
from tests.infra import free_port


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_label_values_outside_the_closed_sets_are_folded() -> None:
    assert queue_label("profile_export") == "profile_export"
    assert queue_label("profile_export.DQ") == "profile_export"
    assert queue_label("jane.doe@example.com") == "unknown"
    assert actor_label("export_profile", {"export_profile"}) == "export_profile"
    assert actor_label("Jane Doe's actor", {"export_profile"}) == "unknown"
    assert code_label("job_not_published") == "job_not_published"
    assert code_label("job 'J-1' is draft") == "unknown"
    assert endpoint_label("atsCandidates") == "atsCandidates"
    assert endpoint_label("atsApplications/stages") == "atsApplications/stages"
    assert endpoint_label("v2/atsCandidates/(atsCandidateId:C-1)/x") == "other"


@pytest.fixture
def stub_broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[dramatiq.Broker]:
    monkeypatch.setenv("RSC_MAX_RETRIES", "1")
    monkeypatch.setenv("RSC_MIN_BACKOFF_MS", "1")
    monkeypatch.setenv("RSC_MAX_BACKOFF_MS", "2")
    from tests.conftest import reset_process_state
    from workers.runtime.broker import create_broker

    reset_process_state()
    broker = create_broker()
    yield broker
    broker.close()


def test_each_outcome_is_counted_by_queue_and_actor(stub_broker: dramatiq.Broker, sqlite_url: str) -> None:
    @dramatiq.actor(actor_name="metrics_ok", queue_name="status_push", broker=stub_broker)
    def ok() -> None:
        return None

    @dramatiq.actor(actor_name="metrics_rule", queue_name="status_push", broker=stub_broker)
    def rule() -> None:
        raise BusinessRuleViolation("job 'J-1' is draft; publish it and replay")

    @dramatiq.actor(actor_name="metrics_flaky", queue_name="status_push", broker=stub_broker)
    def flaky() -> None:
        raise TransientError("LinkedIn answered 503")

    def count(actor: str, outcome: str) -> float:
        return sample("rsc_messages_total", queue="status_push", actor=actor, outcome=outcome)

    before = {
        key: count(*key)
        for key in (
            ("metrics_ok", "processed"),
            ("metrics_rule", "dead_lettered"),
            ("metrics_flaky", "retried"),
            ("metrics_flaky", "dead_lettered"),
        )
    }
    reasons = {
        code: sample("rsc_dead_letters_total", queue="status_push", reason=code)
        for code in ("business_rule", "transient_error")
    }
    durations = sample("rsc_message_duration_seconds_count", queue="status_push", actor="metrics_ok")

    worker = dramatiq.Worker(stub_broker, worker_timeout=50)
    worker.start()
    try:
        ok.send()
        rule.send()
        flaky.send()
        stub_broker.join("status_push", fail_fast=False)  # type: ignore[call-arg]
        worker.join()
    finally:
        worker.stop()

    assert count("metrics_ok", "processed") == before[("metrics_ok", "processed")] + 1
    assert count("metrics_rule", "dead_lettered") == before[("metrics_rule", "dead_lettered")] + 1
    # One retry (RSC_MAX_RETRIES=1), then dead: two deliveries.
    assert count("metrics_flaky", "retried") == before[("metrics_flaky", "retried")] + 1
    assert count("metrics_flaky", "dead_lettered") == before[("metrics_flaky", "dead_lettered")] + 1
    assert sample("rsc_dead_letters_total", queue="status_push", reason="business_rule") == (
        reasons["business_rule"] + 1
    )
    assert sample("rsc_dead_letters_total", queue="status_push", reason="transient_error") == (
        reasons["transient_error"] + 1
    )
    duration_count = sample("rsc_message_duration_seconds_count", queue="status_push", actor="metrics_ok")
    assert duration_count == durations + 1


def test_the_endpoint_serves_metrics_and_probes() -> None:
    registry = CollectorRegistry()
    Counter("rsc_test_things_total", "Things", ["kind"], registry=registry).labels(kind="a").inc(3)
    checks = {"database": "ok", "broker": "ok"}
    port = free_port()
    server = serve(port, registry, lambda: dict(checks), host="127.0.0.1")
    try:
        base = f"http://127.0.0.1:{port}"
        assert 'rsc_test_things_total{kind="a"} 3.0' in httpx.get(f"{base}/metrics").text
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert httpx.get(f"{base}/readyz").json() == {"status": "ready", "broker": "ok", "database": "ok"}
        checks["broker"] = "ConnectionRefusedError"
        not_ready = httpx.get(f"{base}/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["broker"] == "ConnectionRefusedError"
        assert httpx.get(f"{base}/nothing").status_code == 404
    finally:
        server.shutdown()
        server.server_close()
