"""The one place that decides what is retried and what is dead-lettered at once.

Transient: the world may be different next time (connection errors, timeouts, 5xx, 429, database
operational errors, a unique-key race with a concurrent writer). Everything else is permanent:
retrying a schema violation, a business-rule rejection or a 4xx changes nothing, so the message is
dead-lettered immediately with its reason and can be replayed once the cause is fixed.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TypeVar

import httpx
from dramatiq.middleware import TimeLimitExceeded
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from schemas.catalog import InvalidEvent

T = TypeVar("T")


class PermanentError(Exception):
    """A failure retrying cannot fix. The message names the thing and the fix, never personal data."""

    reason_code = "permanent_error"


class TransientError(Exception):
    """A failure worth retrying with backoff."""

    reason_code = "transient_error"


class NotReadyYet(TransientError):
    """The message came before what it needs (another consumer's work on the same event): not a
    failure, only early. It is retried up to ``WAIT_RETRIES`` times, not ``RSC_MAX_RETRIES``, so a
    backlog on the other queue does not dead-letter it."""

    reason_code = "not_ready_yet"


#: Retries of a message that waits for another consumer (``NotReadyYet``): with the default
#: backoff (up to 2 minutes) about half an hour, long enough for the other queue's backlog.
WAIT_RETRIES = 20


class BusinessRuleViolation(PermanentError):
    reason_code = "business_rule"


class NoAnswer(Exception):
    """A remote service gave no answer (refused, reset, timed out, malformed): transient.

    The LinkedIn client's transport raises it (``linkedin.transport.TransportError``); it sits here so
    the retry policy knows it without importing a client.
    """


def _transient_types() -> tuple[type[BaseException], ...]:
    import amqp
    import pika.exceptions
    import psycopg

    return (
        TransientError,
        ConnectionError,
        TimeoutError,
        socket.timeout,
        httpx.TransportError,
        NoAnswer,
        OperationalError,
        PoolTimeout,
        # Two writers inserting the same new row: the loser retries and finds the winner's row.
        IntegrityError,
        # The same from the driver itself, where SQLAlchemy does not wrap it (COPY on the driver's
        # connection): a deadlock or a serialisation failure, a lost connection, a unique-key race.
        psycopg.OperationalError,
        psycopg.IntegrityError,
        TimeLimitExceeded,
        pika.exceptions.AMQPError,
        amqp.exceptions.ConnectionError,
        amqp.exceptions.RecoverableConnectionError,
    )


_TRANSIENT: tuple[type[BaseException], ...] | None = None


def is_transient(exc: BaseException) -> bool:
    global _TRANSIENT  # noqa: PLW0603
    if _TRANSIENT is None:
        _TRANSIENT = _transient_types()
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, _TRANSIENT)


def retried_while_transient(work: Callable[[], T], *, attempts: int, what: str, **about: object) -> T:
    """``work()``, run again while it fails with a transient error, up to ``attempts`` runs in all
    with a short growing pause between: for work done in one transaction, which a failure rolls
    back whole (a deadlock with a concurrent writer, a unique-key race), outside a worker whose
    message would be retried. Each retry logs one warning line, ``"{what} retried"`` with the error's
    class, the attempt and ``about`` (ids, never personal data); the last failure is raised."""
    from rsc.logs import get_logger

    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        get_logger(__name__).warning(
            f"{what} retried", error_class=type(error).__name__, attempt=state.attempt_number, **about
        )

    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.05, max=1),
        retry=retry_if_exception(is_transient),
        before_sleep=log_retry,
        reraise=True,
    )
    return retrying(work)


def reason_of(exc: BaseException, *, attempts: int) -> tuple[str, str]:
    """(reason code, human-readable reason) for a failure that ends in the dead-letter queue."""
    if isinstance(exc, InvalidEvent):
        text = str(exc)
        own_code = getattr(exc, "reason_code", None)
        if isinstance(own_code, str):
            code = own_code
        elif text.startswith("unknown event type"):
            code = "unknown_event_type"
        elif text.startswith("malformed"):
            code = "malformed_message"
        else:
            code = "schema_violation"
        return code, text
    if isinstance(exc, PermanentError | TransientError):
        detail = str(exc)
        if isinstance(exc, TransientError) or is_transient(exc):
            detail = f"gave up after {attempts} attempts: {detail}"
        return exc.reason_code, detail
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if is_transient(exc):
        # Driver and HTTP messages can quote parameters: keep the class, not the text.
        return "retries_exhausted", f"gave up after {attempts} attempts; last error {name}"
    return "unexpected_error", f"{name} (a defect: see the worker log for where it was raised)"
