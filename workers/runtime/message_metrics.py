"""Worker middleware counting every message by queue, actor and outcome, and timing each delivery.

Outcomes: ``processed`` (the actor returned), ``retried`` (it failed and goes to the delay queue),
``dead_lettered`` (rejected into ``Q.XQ``; ``rsc_dead_letters_total`` has the reason) and ``skipped``
(a middleware skipped it without failing it). A body Dramatiq cannot decode never reaches middleware:
``rsc_dead_letter_queue_messages`` still counts it, from the queue itself.
"""

from __future__ import annotations

import time
from typing import Any

from dramatiq import Middleware
from dramatiq.broker import Broker, MessageProxy

from events.topology import queue_label
from rsc.metrics import MESSAGE_DURATION, MESSAGES, actor_label

#: Option holding the delivery's start (monotonic seconds); it never leaves this process.
_STARTED = "_metrics_started"


class MessageMetrics(Middleware):
    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        message.options[_STARTED] = time.monotonic()

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        queue, actor = _labels(broker, message)
        started = message.options.pop(_STARTED, None)
        if started is not None:
            MESSAGE_DURATION.labels(queue=queue, actor=actor).observe(time.monotonic() - started)
        if exception is None:
            MESSAGES.labels(queue=queue, actor=actor, outcome="processed").inc()
        elif not message.failed:
            MESSAGES.labels(queue=queue, actor=actor, outcome="retried").inc()

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        message.options.pop(_STARTED, None)
        if not message.failed:
            queue, actor = _labels(broker, message)
            MESSAGES.labels(queue=queue, actor=actor, outcome="skipped").inc()

    def after_nack(self, broker: Broker, message: MessageProxy) -> None:
        queue, actor = _labels(broker, message)
        MESSAGES.labels(queue=queue, actor=actor, outcome="dead_lettered").inc()


def _labels(broker: Broker, message: MessageProxy) -> tuple[str, str]:
    return queue_label(message.queue_name), actor_label(message.actor_name, broker.actors)
