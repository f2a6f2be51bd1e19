"""A worker group on the real RabbitMQ: it consumes a queue and its bulk lane, and the lane never
takes more than the threads it leaves free allow, so another tenant's event is handled while a bulk backlog
is still queued."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import dramatiq
import pytest

from events.messages import actor_message
from events.publisher import Publisher
from events.topology import bulk_lane, lane_queues
from rsc.settings import get_settings
from tests.helpers import queue_depth
from tests.waiting import eventually
from workers.runtime.broker import RscRabbitmqBroker, bulk_lane_prefetch

THREADS = 4
#: How long the test actor works on each message (seconds).
WORK_S = 0.05


@dataclass
class Probe:
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: dict[str, int] = field(default_factory=lambda: {"normal": 0, "bulk": 0})
    most: dict[str, int] = field(default_factory=lambda: {"normal": 0, "bulk": 0})
    done: dict[str, float] = field(default_factory=dict)

    def run(self, lane: str, key: str) -> None:
        with self.lock:
            self.running[lane] += 1
            self.most[lane] = max(self.most[lane], self.running[lane])
        time.sleep(WORK_S)
        with self.lock:
            self.running[lane] -= 1
            self.done[key] = time.monotonic()


@pytest.fixture
def group(rabbit: str) -> Iterator[tuple[Probe, Publisher]]:
    broker = RscRabbitmqBroker(settings=get_settings(), url=rabbit, confirm_delivery=True)
    probe = Probe()

    def lane_probe(key: str) -> None:
        message = dramatiq.middleware.CurrentMessage.get_current_message()
        probe.run("bulk" if message is not None and message.queue_name.endswith(".bulk") else "normal", key)

    broker.add_middleware(dramatiq.middleware.CurrentMessage())
    dramatiq.actor(actor_name="lane_probe", queue_name="status_push", broker=broker)(lane_probe)
    broker.declare_queue(bulk_lane("status_push"))
    worker = dramatiq.Worker(
        broker, queues=set(lane_queues(["status_push"])), worker_threads=THREADS, worker_timeout=100
    )
    publisher = Publisher(rabbit, settings=get_settings())
    worker.start()
    try:
        yield probe, publisher
    finally:
        worker.stop(timeout=10_000)
        broker.close()
        publisher.close()


def test_another_tenant_s_event_is_handled_while_a_bulk_backlog_is_still_queued(
    rabbit: str, group: tuple[Probe, Publisher]
) -> None:
    probe, publisher = group
    lane = bulk_lane("status_push")
    backlog = 300
    publisher.publish_messages([actor_message(lane, "lane_probe", key=f"a-{n}") for n in range(backlog)])
    eventually(lambda: probe.done, timeout=10, what="the bulk lane being consumed")
    sent = time.monotonic()
    publisher.publish_messages([actor_message("status_push", "lane_probe", key="b-1")])
    eventually(lambda: "b-1" in probe.done, timeout=10, what="tenant B's event")
    # B waited for no bulk message: a thread was free for it (its own work is WORK_S).
    assert probe.done["b-1"] - sent < 1.0
    still_queued = queue_depth(rabbit, lane)
    assert still_queued > backlog / 2, "B's event was handled only after the bulk backlog drained"
    # The worker drains the lane too, on every thread but the one it leaves free.
    eventually(lambda: len(probe.done) == backlog + 1, timeout=60, what="the bulk backlog to drain")
    assert probe.most["bulk"] == bulk_lane_prefetch(2 * THREADS, get_settings()) == THREADS - 1
