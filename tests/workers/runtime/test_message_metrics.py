"""Every message a worker finishes is counted by queue, actor and outcome, and its delivery timed; a
fast unit test on Dramatiq's stub broker."""

from __future__ import annotations

from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries

from rsc.metrics import MESSAGE_DURATION, MESSAGES
from workers.runtime.message_metrics import MessageMetrics

QUEUE = "status_push"


def counted(actor: str, outcome: str) -> float:
    return MESSAGES.labels(queue=QUEUE, actor=actor, outcome=outcome)._value.get()


def timed(actor: str) -> float:
    return next(
        sample.value
        for metric in MESSAGE_DURATION.collect()
        for sample in metric.samples
        if sample.name.endswith("_count") and sample.labels == {"queue": QUEUE, "actor": actor}
    )


@pytest.fixture
def broker() -> Iterator[StubBroker]:
    # In the order of workers.runtime.broker: the metrics see a message Retries has failed as failed.
    broker = StubBroker(middleware=[MessageMetrics(), Retries(max_retries=1, min_backoff=1, max_backoff=1)])
    broker.emit_after("process_boot")
    yield broker
    broker.close()


def _work_off(broker: StubBroker) -> None:
    """Run a one-thread worker until every message sent to ``QUEUE`` is handled."""
    worker = Worker(broker, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        broker.join(QUEUE, fail_fast=False)
        worker.join()
    finally:
        worker.stop()


def test_a_processed_message_is_counted_and_timed(broker: StubBroker) -> None:
    @dramatiq.actor(broker=broker, queue_name=QUEUE, actor_name="metrics_probe_ok")
    def works() -> None:
        pass

    before = counted("metrics_probe_ok", "processed")
    works.send()
    _work_off(broker)
    assert counted("metrics_probe_ok", "processed") == before + 1
    assert timed("metrics_probe_ok") == 1


def test_a_failing_message_is_counted_retried_then_dead_lettered(broker: StubBroker) -> None:
    @dramatiq.actor(broker=broker, queue_name=QUEUE, actor_name="metrics_probe_failing")
    def fails() -> None:
        raise RuntimeError("LinkedIn answered 503")

    retried = counted("metrics_probe_failing", "retried")
    dead = counted("metrics_probe_failing", "dead_lettered")
    fails.send()
    _work_off(broker)
    assert counted("metrics_probe_failing", "retried") == retried + 1
    assert counted("metrics_probe_failing", "dead_lettered") == dead + 1
    assert counted("metrics_probe_failing", "processed") == 0
