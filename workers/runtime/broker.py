"""The RabbitMQ broker the workers run on.

Publisher confirms on (retries and follow-up messages are publishes too), one queue per feature,
retries only for transient failures with backoff far below RabbitMQ's 30-minute consumer_timeout.
Importing this module installs the broker as Dramatiq's global broker.
"""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.broker import Consumer
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import q_name, xq_name
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from events.topology import (
    BULK_LANES,
    dead_letter_queue_arguments,
    feature_queue,
    is_bulk_lane,
    work_queue_arguments,
)
from rsc.errors import WAIT_RETRIES, NotReadyYet, is_transient
from rsc.settings import Settings, WorkerLanes, get_settings
from workers.runtime.integration_gate import IntegrationGate
from workers.runtime.message_metrics import MessageMetrics
from workers.runtime.middleware import DeadLetterRecorder, EndWithGroup, EventContext, StartupHeap
from workers.runtime.wiring import LinkedInShutdown


class RscRabbitmqBroker(RabbitmqBroker):
    """RabbitmqBroker declaring queues with the project's topology (classic or quorum)."""

    def __init__(self, *, settings: Settings, **kwargs: Any) -> None:
        self.rsc_settings = settings
        super().__init__(**kwargs)

    def _build_queue_arguments(self, queue_name: str) -> dict[str, Any]:
        return work_queue_arguments(queue_name, self.rsc_settings)

    def _declare_xq_queue(self, queue_name: str) -> Any:
        # A bulk lane has no dead-letter queue of its own: it dead-letters into its feature queue's.
        return self.channel.queue_declare(
            queue=xq_name(feature_queue(queue_name)),
            durable=True,
            arguments=dead_letter_queue_arguments(self.rsc_settings),
        )

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Consumer:
        """In a process consuming both lanes, a bulk lane is consumed with a prefetch of the worker's
        threads but ``RSC_BULK_LANE_FREE_THREADS`` (Dramatiq prefetches twice its threads): no more of
        its messages are ever unacknowledged in the process, so no more threads work on them at once,
        and the others are always free for the normal lane. A process of bulk lanes only takes them
        at Dramatiq's prefetch."""
        if is_bulk_lane(queue_name) and queue_name == q_name(queue_name):
            prefetch = bulk_lane_prefetch(prefetch, self.rsc_settings)
        return super().consume(queue_name, prefetch, timeout)


def bulk_lane_prefetch(queue_prefetch: int, settings: Settings) -> int:
    """Prefetch (and so concurrency) of a bulk lane in a worker whose queues prefetch ``queue_prefetch``."""
    if settings.worker_lanes is WorkerLanes.BULK:
        return queue_prefetch
    threads = max(1, queue_prefetch // 2)
    return max(1, threads - settings.bulk_lane_free_threads)


def make_retry_policy(settings: Settings) -> Any:
    def retry_when(retries: int, exception: BaseException) -> bool:
        if isinstance(exception, NotReadyYet):
            return retries < max(settings.max_retries, WAIT_RETRIES)
        return is_transient(exception) and retries < settings.max_retries

    return retry_when


def middleware(settings: Settings) -> list[dramatiq.Middleware]:
    return [
        EventContext(),
        # Before Retries: its own option is gone before a retry copy of the message is made.
        MessageMetrics(),
        AgeLimit(),
        TimeLimit(time_limit=settings.time_limit_ms),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        CurrentMessage(),
        Retries(
            max_retries=settings.max_retries,
            min_backoff=settings.min_backoff_ms,
            max_backoff=settings.max_backoff_ms,
            retry_when=make_retry_policy(settings),
        ),
        DeadLetterRecorder(),
        # Work for a tenant whose integration is off is settled (acknowledged and recorded), not run.
        IntegrationGate(),
        LinkedInShutdown(),
        StartupHeap(),
        EndWithGroup(),
    ]


def create_broker(settings: Settings | None = None) -> dramatiq.Broker:
    """The RabbitMQ broker; ``RSC_BROKER_URL=stub://`` gives Dramatiq's StubBroker for fast unit tests.

    The bulk lanes are declared on it (no actor names them as its queue): a worker whose ``--queues``
    include a lane consumes it, and runs its messages with the actors they name.
    """
    settings = settings or get_settings()
    created: dramatiq.Broker
    if settings.broker_url.startswith("stub://"):
        created = StubBroker(middleware=middleware(settings))
        created.emit_after("process_boot")
    else:
        created = RscRabbitmqBroker(
            settings=settings,
            url=settings.broker_url,
            confirm_delivery=True,
            middleware=middleware(settings),
        )
    for lane in BULK_LANES:
        created.declare_queue(lane)
    return created


broker = create_broker()
dramatiq.set_broker(broker)
