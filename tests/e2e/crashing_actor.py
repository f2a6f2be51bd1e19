"""A worker module whose one actor kills its own process on every message: a crash loop, as a
segfaulting library or the kernel's OOM killer would cause. Started with ``dramatiq`` by
``tests/e2e/test_quorum_queues.py``; never part of a deployment.
"""

from __future__ import annotations

import os
import signal

import dramatiq

from events.topology import Queue
from workers.runtime.broker import broker

#: The actor's name, as the test's message names it.
CRASHING_ACTOR = "crash_every_time"


@dramatiq.actor(actor_name=CRASHING_ACTOR, queue_name=Queue.PROFILE_EXPORT.value, broker=broker)
def crash_every_time(**_kwargs: object) -> None:
    """Die without acknowledging: RabbitMQ gets the message back when the connection drops."""
    os.kill(os.getpid(), signal.SIGKILL)
