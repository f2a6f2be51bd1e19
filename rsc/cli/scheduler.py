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
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    Scheduler(get_publisher()).run(stop)
