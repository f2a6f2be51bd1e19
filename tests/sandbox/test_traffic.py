"""The traffic generator keeps adding InMails (with stubs and notes) on the sandbox clock until stopped;
traffic without seats or InMails is refused before anything starts."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from sandbox.state import Sandbox
from sandbox.traffic import TrafficConfig, TrafficGenerator
from tests.sandbox.support import CONTRACT, NOW, Customer


def test_traffic_adds_inmails_stubs_and_notes_until_stopped(client: TestClient, customer: Customer) -> None:
    seats = [f"urn:li:seat:{n}" for n in (701, 702)]
    client.post("/_sandbox/scenario", json={"seats": [{"seat": s, "contract": CONTRACT} for s in seats]})
    client.put("/_sandbox/clock", json={"now": NOW, "scale": 360})  # a sandbox hour in ten real seconds
    started = client.put(
        "/_sandbox/traffic",
        json={
            "contract": CONTRACT,
            "seats": seats,
            "inmails_per_hour": 3600,
            "stub_share": 0.5,
            "note_share": 0.5,
            "seed": 3,
        },
    )
    assert started.status_code == 200, started.text
    time.sleep(1.0)
    stopped = client.delete("/_sandbox/traffic").json()
    assert not stopped["running"] and stopped["inmails"] >= 100
    assert stopped["stubs"] > 0 and stopped["notes"] > 0
    time.sleep(0.3)
    assert client.get("/_sandbox/traffic").json()["inmails"] == stopped["inmails"]

    now = client.get("/_sandbox/clock").json()["now"]
    found = 0
    for seat in seats:
        events = customer.api.path("conversationEvents")
        response = customer.get(
            f"{events}?q=criteria&viewer={seat}&timeRange.start={NOW}&timeRange.end={now}&count=0"
        )
        assert response.status_code == 200, response.text
        found += response.json()["paging"]["total"]
    assert found == stopped["inmails"]
    assert client.put("/_sandbox/traffic", json={"contract": CONTRACT, "seats": []}).status_code == 400


def test_traffic_without_seats_or_inmails_is_refused(sandbox: Sandbox) -> None:
    generator = TrafficGenerator(sandbox)
    with pytest.raises(ValueError, match="traffic needs at least one seat"):
        generator.start(TrafficConfig(contract=CONTRACT, seats=[]))
    with pytest.raises(ValueError, match="'inmails_per_hour' must be positive"):
        generator.start(TrafficConfig(contract=CONTRACT, seats=["urn:li:seat:701"], inmails_per_hour=0))
    assert not generator.status.running
