"""Worker middleware: log context per message, the dead-letter record, the frozen start-up heap, and
the end of a worker process whose group is gone.

Dramatiq's dead-letter copy in ``Q.XQ`` carries the message as it was last enqueued, not the error
that killed it. ``DeadLetterRecorder`` writes the final error to the store *before* the message is
rejected, so an operator can see why it died and filter replays by reason.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from typing import Any

import structlog
from dramatiq import Middleware
from dramatiq.broker import Broker, MessageProxy
from dramatiq.errors import ActorNotFound

from events.topology import feature_queue, queue_label
from rsc.errors import NotReadyYet, reason_of
from rsc.heap import freeze_startup_heap
from rsc.lifeline import end_with_parent
from rsc.logs import get_logger, mask_personal_values_of, mask_values
from rsc.metrics import DEAD_LETTERS, code_label
from store.dead_letters import DeadLetterRecord
from store.uow import OpsUnitOfWork
from workers.ledger import hooks as ledger
from workers.runtime.wiring import runtime

log = get_logger(__name__)


#: The longest value of each identifier the dead-letter record stores (its column's length).
FIELD_LIMITS = {"tenant": 64, "event_id": 200, "event_source": 500, "event_type": 200}


class StartupHeap(Middleware):
    """Once a worker process has imported its actors, what it loaded leaves the collector's
    generations (``rsc.heap``)."""

    def after_process_boot(self, broker: Broker) -> None:
        freeze_startup_heap()


class EndWithGroup(Middleware):
    """A worker process stops when its worker group's main process is gone (``rsc.lifeline``)."""

    def after_process_boot(self, broker: Broker) -> None:
        # Only in a process Dramatiq's main process started, not where a test boots a stub broker.
        if multiprocessing.parent_process() is not None:
            end_with_parent(os.getppid())


def event_fields(message: MessageProxy) -> dict[str, Any]:
    """Identifiers of the event a message carries, read defensively (the body may be anything).

    A value too long for its column, or holding a NUL (which PostgreSQL's text cannot), identifies
    nothing this deployment made and is left out, so the dead letter can still be recorded.
    """
    event = message.kwargs.get("event") if isinstance(message.kwargs, dict) else None
    if not isinstance(event, dict):
        return {}
    fields = {
        "tenant": event.get("tenant"),
        "event_id": event.get("id"),
        "event_source": event.get("source"),
        "event_type": event.get("type"),
    }
    return {
        k: v
        for k, v in fields.items()
        if isinstance(v, str) and len(v) <= FIELD_LIMITS[k] and "\x00" not in v
    }


def _event(message: MessageProxy) -> object:
    return message.kwargs.get("event") if isinstance(message.kwargs, dict) else None


class EventContext(Middleware):
    """Bind tenant, event id and actor to every log line written while a message is processed."""

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            actor=message.actor_name,
            queue=message.queue_name,
            message_id=message.message_id,
            **event_fields(message),
        )
        # Whatever a handler logs, the personal values this event carries are masked.
        event = message.kwargs.get("event") if isinstance(message.kwargs, dict) else None
        mask_personal_values_of(event.get("data") if isinstance(event, dict) else None)
        message.options["_started"] = time.monotonic()

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        started = message.options.pop("_started", None)
        duration_ms = round((time.monotonic() - started) * 1000, 2) if started else None
        if exception is None:
            log.debug("message processed", duration_ms=duration_ms)
        elif not message.failed:
            # A message that is dead-lettered is told once, by ``DeadLetterRecorder``.
            log.log(
                # Early is the normal race of two consumers of one event, not a failure.
                logging.DEBUG if isinstance(exception, NotReadyYet) else logging.WARNING,
                "message failed, will retry",
                error_class=type(exception).__name__,
                retries=message.options.get("retries"),
                duration_ms=duration_ms,
            )
        structlog.contextvars.clear_contextvars()
        mask_values(set())

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        message.options.pop("_started", None)
        structlog.contextvars.clear_contextvars()
        mask_values(set())


class DeadLetterRecorder(Middleware):
    """Record why a message is about to be dead-lettered."""

    def before_nack(self, broker: Broker, message: MessageProxy) -> None:
        exc: BaseException | None = getattr(message, "_exception", None)
        attempts = max(1, int(message.options.get("retries", 0) or 0))
        if exc is None:
            code, reason, error_class = (
                "expired",
                "the message was older than its age limit when a worker received it",
                "",
            )
        elif isinstance(exc, ActorNotFound):
            code, reason = "unknown_actor", f"no actor named {message.actor_name!r} in this deployment"
            error_class = type(exc).__name__
        else:
            code, reason = reason_of(exc, attempts=attempts)
            error_class = f"{type(exc).__module__}.{type(exc).__qualname__}"
        fields = event_fields(message)
        record = DeadLetterRecord(
            message_id=message.message_id,
            # A bulk lane's dead letters are its feature queue's: they share its Q.XQ.
            queue=feature_queue(message.queue_name),
            actor=message.actor_name,
            tenant_id=fields.get("tenant"),
            event_id=fields.get("event_id"),
            event_source=fields.get("event_source"),
            event_type=fields.get("event_type"),
            reason_code=code,
            reason=reason,
            error_class=error_class,
            attempts=attempts,
        )
        DEAD_LETTERS.labels(queue=queue_label(record.queue), reason=code_label(code)).inc()
        log.warning(
            "message dead-lettered",
            # A defect's traceback (type and frames, never its message) goes with its one line.
            exc_info=exc if code == "unexpected_error" else None,
            reason=code,
            error_class=error_class,
            attempts=attempts,
            actor=message.actor_name,
            queue=record.queue,
            message_id=message.message_id,
            **fields,
        )
        try:
            with OpsUnitOfWork(runtime().store) as ops:
                ops.dead_letters.record(record)
                ledger.dead_lettered(
                    ops.session, _event(message), tenant=record.tenant_id, code=code, reason=reason
                )
                ops.commit()
        except Exception:
            # The message still goes to Q.XQ (nothing is lost); `rsc dlq` shows it as unrecorded.
            log.exception("could not record the dead letter", message_id=message.message_id)
