"""``rsc scheduler``: periodic work (outbox sweeps); run exactly one."""

from __future__ import annotations

import signal
import threading
from types import FrameType


def run_scheduler() -> None:
    """Request outbox sweeps (and, as features add them, polls) on a fixed tick."""
    from events.publisher import get_publisher
    from rsc.logs import configure_logging
    from workers.scheduler import Scheduler

    configure_logging(process="scheduler")
    _serve_metrics()
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    Scheduler(get_publisher()).run(stop)


def _serve_metrics() -> None:
    """Prometheus metrics (poll freshness, unmapped seats, calls spent) on RSC_METRICS_PORT."""
    from prometheus_client import start_http_server

    from rsc.logs import get_logger
    from rsc.settings import get_settings

    port = get_settings().metrics_port
    try:
        start_http_server(port)
    except OSError:
        get_logger(__name__).warning("metrics port in use; metrics are not served", port=port)
