"""The sandbox's state resets by parts: the counters, the log, the rate windows, the recorded
violations, the data or the apps, each alone."""

from __future__ import annotations

from sandbox.state import Sandbox


def test_each_part_resets_alone(sandbox: Sandbox) -> None:
    sandbox.metrics.count("acme", "atsCandidates", "PUT", 200, 1)
    sandbox.metrics.log_request(0, "GET", "/v2/x", query="", headers={}, body=b"")
    assert sandbox.limiter.admit("acme", "atsCandidates", 5) is None
    sandbox.reset({"counters"})
    assert sandbox.metrics.counters() == []
    assert len(sandbox.metrics.requests()) == 1  # the log is another part
    assert sandbox.limiter.snapshot()["records_this_minute"] == {"acme": 5}
    sandbox.reset({"log", "rate"})
    assert sandbox.metrics.requests() == []
    assert sandbox.limiter.snapshot()["records_this_minute"] == {}


def test_resetting_the_apps_forgets_them_and_their_secrets(sandbox: Sandbox) -> None:
    sandbox.apps.create(
        client_id="acme-client", client_secret="acme-secret", organization="urn:li:organization:1"
    )
    assert sandbox.apps.authenticate("acme-client", "acme-secret") is not None
    sandbox.reset({"apps"})
    assert sandbox.apps.get("acme-client") is None
    assert sandbox.apps.authenticate("acme-client", "acme-secret") is None
