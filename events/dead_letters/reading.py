"""Reading the dead-letter queues: a channel per ``Q.XQ``, messages taken and never reordered, and a scan
that hands each chunk of letters (joined with their recorded errors) to an operation."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import kombu
import kombu.exceptions
from dramatiq.common import xq_name

from events.dead_letters.decoding import decode, letter_of, recorded_errors
from events.dead_letters.letters import DeadLetterMessage, DeadLetterQueueError, QueueLength, Selection
from events.topology import Queue
from rsc.settings import Settings
from store.base import utcnow
from store.db import Store

#: Messages taken from a dead-letter queue per round trip to the store (and per confirmed batch).
CHUNK = 500


class StopScan(Exception):
    """Ends a scan early; what was not acknowledged goes back to the queue."""


@dataclass(frozen=True)
class Delivery:
    letter: DeadLetterMessage
    raw: kombu.Message


@contextmanager
def connect(settings: Settings) -> Iterator[kombu.Connection]:
    if settings.broker_url.startswith("stub://"):
        raise DeadLetterQueueError(
            "RSC_BROKER_URL is stub://, which has no dead-letter queues; point it at RabbitMQ"
        )
    connection = kombu.Connection(settings.broker_url, heartbeat=0)
    try:
        connection.ensure_connection(max_retries=1)
    except (kombu.exceptions.OperationalError, *connection.connection_errors) as exc:
        connection.release()
        raise DeadLetterQueueError(
            f"cannot reach RabbitMQ at {connection.as_uri()} ({type(exc).__name__}: {exc}); "
            "check RSC_BROKER_URL and that the broker is up"
        ) from None
    try:
        yield connection
    finally:
        connection.release()


class DeadLetterQueue:
    """One ``Q.XQ`` read on a channel of its own.

    The queue is only ever declared passively: its arguments belong to ``events.topology`` and a
    declaration with other ones would fail (or, worse, create it wrong before any worker ran).
    Closing the channel gives back every message that was taken and not acknowledged.
    """

    def __init__(self, connection: kombu.Connection, queue: Queue) -> None:
        self.queue = queue
        self.name = xq_name(queue.value)
        self._connection = connection
        self._channel = connection.channel()
        self.length = self._declare_passively()

    def _declare_passively(self) -> QueueLength:
        try:
            ok = self._channel.queue_declare(queue=self.name, passive=True)
        except self._connection.channel_errors:
            # 404: no worker or publisher has declared it yet. The error closed the channel.
            self._channel = self._connection.channel()
            return QueueLength(self.queue, None)
        return QueueLength(self.queue, int(ok.message_count))

    def take(self, count: int) -> list[kombu.Message]:
        bound = kombu.Queue(self.name, no_declare=True)(self._channel)
        taken: list[kombu.Message] = []
        while len(taken) < count:
            raw = bound.get(no_ack=False)
            if raw is None:
                break
            taken.append(raw)
        return taken

    def flush(self) -> None:
        """Wait until the broker has processed what was sent on the channel (acks have no reply)."""
        self._channel.basic_qos(0, 0, False)

    def close(self) -> None:
        # A broken channel or connection gives the messages back just the same.
        with contextlib.suppress(*self._connection.connection_errors, *self._connection.channel_errors):
            self._channel.close()


def scan(
    selection: Selection,
    handle: Callable[[DeadLetterQueue, list[Delivery]], None],
    *,
    settings: Settings,
    store: Store,
) -> list[QueueLength]:
    """Read the selected queues' dead letters in order and pass the matching ones to ``handle``.

    Only the messages present when a queue was opened are read, so messages dead-lettered during the
    scan (a replayed message failing again, say) are left for the next one.
    """
    now = utcnow()
    lengths: list[QueueLength] = []
    with connect(settings) as connection:
        for queue in Queue:
            dlq = DeadLetterQueue(connection, queue)
            try:
                lengths.append(dlq.length)
                if selection.queues and queue not in selection.queues:
                    continue
                remaining, position = dlq.length.messages or 0, 0
                while remaining > 0:
                    raws = dlq.take(min(CHUNK, remaining))
                    if not raws:
                        break
                    remaining -= len(raws)
                    letters = letters_of(queue, raws, first_position=position, store=store)
                    position += len(raws)
                    matching = [
                        Delivery(letter, raw)
                        for letter, raw in zip(letters, raws, strict=True)
                        if selection.matches(letter, now)
                    ]
                    if matching:
                        handle(dlq, matching)
            finally:
                dlq.close()
    return lengths


def letters_of(
    queue: Queue, raws: Sequence[kombu.Message], *, first_position: int, store: Store
) -> list[DeadLetterMessage]:
    decoded = [decode(raw) for raw in raws]
    records = recorded_errors({message_id for message_id, _, _ in decoded}, store)
    letters = []
    for offset, (raw, (message_id, message, error)) in enumerate(zip(raws, decoded, strict=True)):
        letters.append(
            letter_of(
                queue,
                raw,
                position=first_position + offset,
                message_id=message_id,
                message=message,
                decode_error=error,
                record=records.get(message_id),
            )
        )
    return letters
