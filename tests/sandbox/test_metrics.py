"""What tests assert on: calls counted per app, resource, method and status with their records, and a
bounded request log that never keeps a token."""

from __future__ import annotations

from sandbox.metrics import Metrics


def log(metrics: Metrics, path: str, **headers: str) -> None:
    metrics.log_request(0, "GET", path, query="", headers=headers, body=b"{}")


def test_calls_and_records_are_counted_per_app_resource_method_and_status() -> None:
    metrics = Metrics(log_size=10)
    metrics.count("acme", "atsCandidates", "PUT", 200, 3)
    metrics.count("acme", "atsCandidates", "PUT", 200, 2)
    metrics.count("acme", "atsCandidates", "PUT", 429, 5)
    assert metrics.counters() == [
        {
            "app": "acme",
            "resource": "atsCandidates",
            "method": "PUT",
            "status": 200,
            "calls": 2,
            "records": 5,
        },
        {
            "app": "acme",
            "resource": "atsCandidates",
            "method": "PUT",
            "status": 429,
            "calls": 1,
            "records": 5,
        },
    ]
    metrics.reset_counters()
    assert metrics.counters() == []


def test_the_request_log_is_bounded_filtered_and_masks_the_token() -> None:
    metrics = Metrics(log_size=2)
    log(metrics, "/v2/atsCandidates", authorization="Bearer secret-token")
    log(metrics, "/v2/simpleJobPostings")
    log(metrics, "/v2/atsCandidates")
    paths = [r["path"] for r in metrics.requests()]
    assert paths == ["/v2/simpleJobPostings", "/v2/atsCandidates"]  # the oldest fell out
    assert [r["seq"] for r in metrics.requests(path_prefix="/v2/atsC")] == [3]
    assert metrics.requests(since=3) == []
    masked = Metrics(log_size=5)
    log(masked, "/v2/x", authorization="Bearer secret-token")
    assert masked.requests()[0]["headers"]["authorization"] == "Bearer ***"


def test_a_log_of_size_zero_keeps_nothing_and_can_be_resized() -> None:
    metrics = Metrics(log_size=0)
    log(metrics, "/v2/x")
    assert metrics.requests() == []
    metrics.resize_log(3)
    log(metrics, "/v2/y")
    assert [r["path"] for r in metrics.requests()] == ["/v2/y"]
