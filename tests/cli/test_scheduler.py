"""The scheduler's dead-letter watch: with real RabbitMQ it keeps every feature queue's dead-letter
gauge current and archives; with no RabbitMQ to read it warns and keeps trying until stopped."""

from __future__ import annotations

import threading

from dramatiq.brokers.rabbitmq import RabbitmqBroker

from cli.scheduler import watch_dead_letter_queues
from events.topology import Queue
from rsc.metrics import DEAD_LETTER_QUEUE_MESSAGES
from rsc.settings import get_settings
from workers.runtime.broker import create_broker


def watch_once(interval_s: float = 0.05) -> None:
    """Run the watch until it has gone round at least once, then stop it."""
    stop = threading.Event()
    watcher = threading.Thread(target=watch_dead_letter_queues, args=(stop, interval_s), daemon=True)
    watcher.start()
    watcher.join(timeout=1.0)
    stop.set()
    watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_the_watch_sets_every_queues_dead_letter_gauge(sqlite_url: str, rabbit: str) -> None:
    broker = create_broker(get_settings())
    assert isinstance(broker, RabbitmqBroker)
    try:
        for queue in Queue:
            broker.declare_queue(queue.value, ensure=True)  # with its dead-letter queue
    finally:
        broker.close()
    for queue in Queue:
        DEAD_LETTER_QUEUE_MESSAGES.labels(queue=queue.value).set(-1)
    watch_once()
    assert {DEAD_LETTER_QUEUE_MESSAGES.labels(queue=q.value)._value.get() for q in Queue} == {0}


def test_without_rabbitmq_the_watch_keeps_trying_until_stopped(sqlite_url: str) -> None:
    DEAD_LETTER_QUEUE_MESSAGES.labels(queue=Queue.STATUS_PUSH.value).set(-1)
    watch_once()  # RSC_BROKER_URL is stub://: nothing to read
    assert DEAD_LETTER_QUEUE_MESSAGES.labels(queue=Queue.STATUS_PUSH.value)._value.get() == -1
