"""Each message outcome is told once in the worker log: one line per dead letter, expected races quiet."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest
import structlog

from rsc.errors import NotReadyYet, PermanentError
from rsc.logs import configure_logging
from rsc.settings import get_settings
from schemas.catalog import InvalidEvent

QUEUE = "status_push"


@pytest.fixture
def stub_broker(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dramatiq.Broker]:
    monkeypatch.setenv("RSC_MAX_RETRIES", "1")
    monkeypatch.setenv("RSC_MIN_BACKOFF_MS", "1")
    monkeypatch.setenv("RSC_MAX_BACKOFF_MS", "2")
    monkeypatch.setenv("RSC_LOG_LEVEL", "INFO")
    from tests.conftest import reset_process_state
    from workers.runtime.broker import create_broker

    reset_process_state()
    broker = create_broker()
    yield broker
    broker.close()
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def _run(broker: dramatiq.Broker, raise_: BaseException, event_id: str) -> str:
    """Send one message to an actor that raises ``raise_``; returns its message id."""
    attempts: list[int] = []

    def consume(**kwargs: Any) -> None:
        attempts.append(1)
        if isinstance(raise_, NotReadyYet) and len(attempts) > 1:
            return
        raise raise_

    name = f"outcome_{event_id.replace('-', '_')}"
    consume.__name__ = name
    actor = dramatiq.actor(actor_name=name, queue_name=QUEUE, broker=broker)(consume)
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        event = {"type": "ats.job.updated.v1", "id": event_id, "source": "ats://t", "tenant": "acme"}
        sent = actor.send_with_options(kwargs={"event": event})
        broker.join(QUEUE, fail_fast=False)  # type: ignore[call-arg]
        worker.join()
    finally:
        worker.stop()
    return sent.message_id


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    text = capsys.readouterr().err
    lines = [line for line in text.splitlines() if line.strip()]
    assert all(line.startswith("{") for line in lines), text
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PermanentError("job 'J-1' is not published"), "permanent_error"),
        (InvalidEvent("unknown event type 'x'"), "unknown_event_type"),
        (ZeroDivisionError("a defect"), "unexpected_error"),
    ],
)
def test_a_dead_letter_is_one_line_with_its_message_id_and_reason(
    stub_broker: dramatiq.Broker, capsys: pytest.CaptureFixture[str], error: Exception, reason: str
) -> None:
    configure_logging(get_settings(), process="worker")
    message_id = _run(stub_broker, error, "dup-1")
    lines = [line for line in _lines(capsys) if line.get("message_id") == message_id]
    assert [(line["event"], line["reason"]) for line in lines] == [("message dead-lettered", reason)]
    (line,) = lines
    assert (line["event_id"], line["tenant"]) == ("dup-1", "acme")
    if reason == "unexpected_error":
        assert line["exc_type"] == "builtins.ZeroDivisionError" and line["where"]
    else:
        assert "exc_type" not in line


def test_a_message_that_came_early_is_retried_without_a_warning(
    stub_broker: dramatiq.Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(get_settings(), process="worker")
    _run(stub_broker, NotReadyYet("candidate 'C-1' is not stored yet"), "early-1")
    assert [line for line in _lines(capsys) if line["level"] in ("warning", "error", "critical")] == []
