"""``rsc scheduler``: periodic work (outbox sweeps, polls); run exactly one."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer

#: Seconds between two reads of the dead-letter queues' lengths (for the metrics).
DEAD_LETTER_WATCH_S = 15.0


def run_scheduler(
    metrics_port: int | None = typer.Option(
        None,
        "--metrics-port",
        min=1,
        max=65535,
        help="Port of the scheduler's metrics, /healthz and /readyz; default: RSC_METRICS_PORT.",
    ),
) -> None:
    """Request outbox sweeps and polls on a fixed tick; serve metrics, /healthz and /readyz."""
    from events.publisher import get_publisher
    from rsc.heap import freeze_startup_heap
    from rsc.logs import configure_logging
    from rsc.settings import get_settings
    from store.db import get_store
    from workers.ledger.metrics import watch_sync_problems
    from workers.scheduler import Scheduler

    configure_logging(get_settings(), process="scheduler")
    _serve_metrics(metrics_port or get_settings().metrics_port)
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    threading.Thread(target=watch_dead_letter_queues, args=(stop,), name="dlq-watch", daemon=True).start()
    threading.Thread(
        target=watch_sync_problems, args=(stop, get_store(), get_settings()), name="sync-watch", daemon=True
    ).start()
    scheduler = Scheduler(get_publisher(get_settings()), get_store(), get_settings())
    freeze_startup_heap()
    scheduler.run(stop)


def _serve_metrics(port: int) -> None:
    """Prometheus metrics (poll freshness, dead letters waiting, ...) on ``port``."""
    from prometheus_client import REGISTRY

    from rsc.health import serve
    from rsc.logs import get_logger
    from rsc.settings import get_settings
    from store.db import get_store
    from workers.runtime.probes import dependency_checks

    try:
        serve(port, REGISTRY, lambda: dependency_checks(get_settings(), get_store()))
    except OSError:
        get_logger(__name__).warning("metrics port in use; metrics are not served", port=port)


def watch_dead_letter_queues(stop: threading.Event, interval_s: float = DEAD_LETTER_WATCH_S) -> None:
    """Keep ``rsc_dead_letter_queue_messages`` current (it also counts bodies no worker could decode),
    and archive the dead letters every ``RSC_DEAD_LETTER_ARCHIVE_INTERVAL_S``, long before RabbitMQ's
    TTL would drop them (``events.dead_letters.archive``)."""
    import time

    from events.dead_letters.archive import archive_dead_letters
    from events.dead_letters.letters import DeadLetterQueueError
    from events.dead_letters.queue import dead_letter_lengths
    from events.topology import Queue
    from rsc.logs import get_logger
    from rsc.metrics import DEAD_LETTER_QUEUE_MESSAGES, DEAD_LETTERS_STALE
    from rsc.settings import get_settings
    from store.db import get_store

    log = get_logger(__name__)
    archive_every = get_settings().dead_letter_archive_interval_s
    next_archive = 0.0
    while not stop.is_set():
        try:
            for length in dead_letter_lengths(get_settings()):
                if length.messages is not None:
                    DEAD_LETTER_QUEUE_MESSAGES.labels(queue=length.queue.value).set(length.messages)
            if time.monotonic() >= next_archive:
                report = archive_dead_letters(settings=get_settings(), store=get_store())
                next_archive = time.monotonic() + archive_every
                for queue in Queue:
                    DEAD_LETTERS_STALE.labels(queue=queue.value).set(report.stale.get(queue.value, 0))
                if report.archived:
                    log.info("dead letters archived", count=report.archived)
        except DeadLetterQueueError:
            log.warning("dead-letter queues not readable; retrying", retry_after_s=interval_s)
        except Exception:
            log.exception("dead-letter queue watch failed; retrying")
        stop.wait(interval_s)
