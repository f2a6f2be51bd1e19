"""The operator's view of every feature queue's dead-letter queue ``Q.XQ``: browse, replay, purge.

A dead-lettered body is the message as it was last *enqueued*, not the error that killed it, so the
reason comes from the ``dead_letters`` table the worker writes before it rejects a message, joined by
message id. A message with no record (a body Dramatiq could not decode, or one RabbitMQ dead-lettered
by itself, e.g. at a quorum delivery limit) is shown as ``unrecorded`` with what ``x-death`` says.

Browsing never removes or reorders anything: messages are taken with ``basic_get`` and never
acknowledged, and closing the channel gives them all back. On classic queues they return to their
original positions. On quorum queues they come back in the order they were taken (as observed on
RabbitMQ 3.10, see ``tests/dlq/test_quorum.py``), but each browse counts as a delivery:
``x-delivery-count`` goes up by one every time. ``Q.XQ`` dead-letters nowhere, so reaching a delivery
limit would drop a dead letter: the topology declares a quorum ``Q.XQ`` with a limit no browsing
reaches (``events.topology.DEAD_LETTER_DELIVERY_LIMIT``, instead of RabbitMQ 4's default of 20);
a policy with a lower ``delivery-limit`` on ``*.XQ`` would undo that (docs/operations.md).

Replay follows Dramatiq's recipe: retry state removed from ``options`` (so the message gets its full
retries again), ``queue_name`` set back to the canonical queue, ``message_timestamp`` refreshed (so
``AgeLimit`` does not kill it at once), **the message id kept** (so the consumers' inbox recognises a
message that already succeeded). It is republished under publisher confirms, and the dead letter is
acknowledged only once RabbitMQ has confirmed the copy. A connection lost between the two leaves the
dead letter in place and the copy published: at-least-once, as everywhere else in the pipeline.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import dramatiq
import kombu
import kombu.exceptions
from dramatiq.common import xq_name
from dramatiq.errors import DecodeError
from sqlalchemy import select, update

from events.messages import OutgoingMessage
from events.publisher import EventPublisher, PublishError, get_publisher
from events.topology import Queue
from rsc.settings import Settings, get_settings
from store.base import utcnow
from store.db import Store
from store.dead_letters import DeadLetter as DeadLetterRow
from store.uow import OpsUnitOfWork

#: Reason code of a dead letter the worker left no record for.
UNRECORDED = "unrecorded"

#: Retry state a replayed message must not carry: with the old ``retries`` it would be dead-lettered
#: again after a single failure, with the old ``eta`` it would wait in the delay queue.
RESET_OPTIONS = ("retries", "traceback", "requeue_timestamp", "eta")

#: Messages taken from a dead-letter queue per round trip to the store (and per confirmed batch).
CHUNK = 500

#: What RabbitMQ's ``x-death`` reasons mean for a Dramatiq dead letter.
_DEATH_REASONS = {
    "rejected": "a worker rejected it",
    "delivery_limit": "RabbitMQ took it off after too many deliveries (it kept crashing or stalling workers)",
    "expired": "it expired before a worker took it",
    "maxlen": "a queue length limit dropped it",
}


class DeadLetterQueueError(RuntimeError):
    """The dead-letter queues cannot be reached; the message says what to fix."""


@dataclass(frozen=True)
class Death:
    """One entry of the ``x-death`` header RabbitMQ adds when it dead-letters a message."""

    reason: str
    queue: str
    count: int
    time: datetime | None
    exchange: str
    routing_keys: tuple[str, ...]

    def describe(self) -> str:
        meaning = _DEATH_REASONS.get(self.reason)
        return f"{self.reason} in {self.queue or '?'}" + (f": {meaning}" if meaning else "")


@dataclass(frozen=True)
class RecordedError:
    """The final error the worker recorded in ``dead_letters`` for this message id."""

    reason_code: str
    reason: str
    error_class: str
    attempts: int
    deaths: int
    failed_at: datetime
    replayed_at: datetime | None
    replays: int

    @property
    def predates_last_replay(self) -> bool:
        """The message died again after its last replay and this record is of an earlier death."""
        return self.replayed_at is not None and self.failed_at < self.replayed_at


@dataclass(frozen=True)
class DeadLetterMessage:
    """A message in ``Q.XQ``, decoded as far as its body allows, with the recorded reason."""

    queue: Queue
    #: Place in ``Q.XQ`` when it was browsed (0 = head, the oldest).
    position: int
    #: From the body; else the AMQP message-id property; else ``sha256:`` and a digest of the body.
    message_id: str
    body: bytes
    message: dramatiq.Message[Any] | None
    decode_error: str | None
    deaths: tuple[Death, ...]
    #: Quorum queues only: how often the message was delivered from ``Q.XQ`` (browsing counts).
    delivery_count: int | None
    redelivered: bool
    record: RecordedError | None
    reason_code: str
    reason: str
    actor: str | None
    tenant: str | None
    event_type: str | None
    event_id: str | None
    event_source: str | None
    #: When it was dead-lettered: the ``x-death`` time, else the recorded failure time.
    dead_since: datetime | None

    @property
    def attempts(self) -> int | None:
        return self.record.attempts if self.record else None

    @property
    def event(self) -> dict[str, Any] | None:
        if self.message is None:
            return None
        event = self.message.kwargs.get("event")
        return event if isinstance(event, dict) else None

    @property
    def replayable(self) -> bool:
        return self.message is not None

    def age(self, now: datetime) -> timedelta | None:
        return now - self.dead_since if self.dead_since else None


@dataclass(frozen=True)
class Selection:
    """Which dead letters an operation applies to. An empty field matches everything."""

    queues: tuple[Queue, ...] = ()
    message_ids: frozenset[str] = frozenset()
    actor: str | None = None
    reason_codes: frozenset[str] = frozenset()
    tenant: str | None = None
    #: Dead-lettered at least this long ago.
    older_than: timedelta | None = None
    #: Dead-lettered at most this long ago.
    newer_than: timedelta | None = None

    def matches(self, letter: DeadLetterMessage, now: datetime) -> bool:
        if self.queues and letter.queue not in self.queues:
            return False
        if self.message_ids and letter.message_id not in self.message_ids:
            return False
        if self.actor is not None and letter.actor != self.actor:
            return False
        if self.reason_codes and letter.reason_code not in self.reason_codes:
            return False
        if self.tenant is not None and letter.tenant != self.tenant:
            return False
        if self.older_than is not None or self.newer_than is not None:
            age = letter.age(now)
            if age is None:
                return False
            if self.older_than is not None and age < self.older_than:
                return False
            if self.newer_than is not None and age > self.newer_than:
                return False
        return True


@dataclass(frozen=True)
class QueueLength:
    queue: Queue
    #: Messages in ``Q.XQ``; ``None`` when the queue has not been declared yet (no worker ever ran).
    messages: int | None

    @property
    def dead_letter_queue(self) -> str:
        return xq_name(self.queue.value)


@dataclass
class Browse:
    """Every feature queue's dead-letter count and the messages that matched, in queue order."""

    lengths: list[QueueLength]
    letters: list[DeadLetterMessage]
    #: How many matched; more than ``len(letters)`` when a limit cut the list.
    matched: int


@dataclass(frozen=True)
class Skipped:
    letter: DeadLetterMessage
    why: str


@dataclass
class ReplayResult:
    dry_run: bool
    #: Republished (or, on a dry run, would be), in queue order.
    replayed: list[DeadLetterMessage] = field(default_factory=list)
    #: Selected but left in the dead-letter queue, with the reason.
    skipped: list[Skipped] = field(default_factory=list)
    #: Message ids asked for by id that are in no dead-letter queue (already replayed or purged).
    missing: list[str] = field(default_factory=list)
    #: Set when RabbitMQ did not confirm a batch: that batch stayed in the dead-letter queue and the
    #: replay stopped there (batches before it were replayed).
    error: str | None = None
    not_confirmed: list[DeadLetterMessage] = field(default_factory=list)


@dataclass
class PurgeResult:
    dry_run: bool
    purged: list[DeadLetterMessage] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


# --- public operations ---------------------------------------------------------------------------


def browse_dead_letters(
    selection: Selection | None = None,
    *,
    limit: int | None = None,
    settings: Settings | None = None,
    store: Store | None = None,
) -> Browse:
    """Count every feature queue's dead letters and list those matching ``selection``.

    Changes nothing: every message goes back to its place when the browsing channel closes.
    """
    selection = selection or Selection()
    letters: list[DeadLetterMessage] = []
    matched = 0

    def collect(_dlq: _DeadLetterQueue, deliveries: list[_Delivery]) -> None:
        nonlocal matched
        matched += len(deliveries)
        room = len(deliveries) if limit is None else max(0, limit - len(letters))
        letters.extend(d.letter for d in deliveries[:room])

    lengths = _scan(selection, collect, settings=settings, store=store)
    return Browse(lengths=lengths, letters=letters, matched=matched)


def find_dead_letters(
    message_id: str, *, settings: Settings | None = None, store: Store | None = None
) -> list[DeadLetterMessage]:
    """Every copy of one message in the dead-letter queues (normally one, or none)."""
    return browse_dead_letters(
        Selection(message_ids=frozenset({message_id})), settings=settings, store=store
    ).letters


def scan_dead_letters(
    selection: Selection,
    handle: Callable[[list[DeadLetterMessage]], None],
    *,
    settings: Settings | None = None,
    store: Store | None = None,
) -> list[QueueLength]:
    """Pass the matching dead letters to ``handle``, a chunk at a time, in queue order. Changes nothing."""

    def collect(_dlq: _DeadLetterQueue, deliveries: list[_Delivery]) -> None:
        handle([d.letter for d in deliveries])

    return _scan(selection, collect, settings=settings, store=store)


def letter_from_body(
    queue: Queue, message_id: str, body: bytes, *, dead_since: datetime | None, store: Store | None = None
) -> DeadLetterMessage:
    """A dead letter read back from its body alone (an archived copy: no AMQP headers any more)."""
    _, message, error = _decode_body(body, fallback=message_id)
    record = _records([message_id], store).get(message_id)
    event = message.kwargs.get("event") if message is not None else None
    fields = _event_fields(event if isinstance(event, dict) else {})
    if record is not None and not record.predates_last_replay:
        reason_code, reason = record.reason_code, record.reason
    else:
        reason_code, reason = UNRECORDED, _unrecorded_reason(error, (), record)
    return DeadLetterMessage(
        queue=queue,
        position=-1,
        message_id=message_id,
        body=body,
        message=message,
        decode_error=error,
        deaths=(),
        delivery_count=None,
        redelivered=False,
        record=record,
        reason_code=reason_code,
        reason=reason,
        actor=message.actor_name if message is not None else None,
        tenant=fields.get("tenant"),
        event_type=fields.get("type"),
        event_id=fields.get("id"),
        event_source=fields.get("source"),
        dead_since=dead_since or (record.failed_at if record else None),
    )


def dead_letter_lengths(settings: Settings | None = None) -> list[QueueLength]:
    """Messages in each feature queue's ``Q.XQ``, without reading any of them."""
    settings = settings or get_settings()
    with _connect(settings) as connection:
        lengths = []
        for queue in Queue:
            dlq = _DeadLetterQueue(connection, queue)
            lengths.append(dlq.length)
            dlq.close()
        return lengths


def replay_body(letter: DeadLetterMessage, *, now_ms: int | None = None) -> bytes:
    """The body a dead letter is republished with (see the module's docstring)."""
    if letter.message is None:
        raise ValueError(f"dead letter {letter.message_id} is not a Dramatiq message and cannot be replayed")
    options = {k: v for k, v in letter.message.options.items() if k not in RESET_OPTIONS}
    # Message.copy() merges options, so it cannot remove the retry state: replace the field whole.
    fresh = dataclasses.replace(
        letter.message,
        queue_name=letter.queue.value,
        options=options,
        message_id=letter.message_id,
        message_timestamp=now_ms if now_ms is not None else int(time.time() * 1000),
    )
    return fresh.encode()


def replay_dead_letters(
    selection: Selection,
    *,
    dry_run: bool = False,
    settings: Settings | None = None,
    store: Store | None = None,
    publisher: EventPublisher | None = None,
) -> ReplayResult:
    """Republish the selected dead letters to their work queues, then remove them from ``Q.XQ``.

    Unselected messages stay where they are. A message whose body is not a Dramatiq message is
    skipped (it can only be purged). The ``dead_letters`` rows of replayed messages get
    ``replayed_at`` and one more ``replays``.
    """
    settings = settings or get_settings()
    result = ReplayResult(dry_run=dry_run)
    replayed_ids: set[str] = set()

    def replay(dlq: _DeadLetterQueue, deliveries: list[_Delivery]) -> None:
        batch: list[_Delivery] = []
        for delivery in deliveries:
            letter = delivery.letter
            if not letter.replayable:
                result.skipped.append(
                    Skipped(letter, f"the body is not a Dramatiq message ({letter.decode_error}); purge it")
                )
            elif letter.message_id in replayed_ids:
                # Two copies of one message id: the consumers would discard the second anyway, and a
                # copy that died again during this run must not be taken for the one just replayed.
                result.skipped.append(Skipped(letter, "a copy with this message id was replayed in this run"))
            else:
                replayed_ids.add(letter.message_id)
                batch.append(delivery)
        if not batch:
            return
        if dry_run:
            result.replayed.extend(d.letter for d in batch)
            return
        started = utcnow()
        now_ms = int(time.time() * 1000)
        messages = [
            OutgoingMessage(dlq.queue.value, d.letter.message_id, replay_body(d.letter, now_ms=now_ms))
            for d in batch
        ]
        try:
            (publisher or get_publisher(settings.broker_url)).publish_messages(messages)
        except PublishError as exc:
            result.error = str(exc)
            result.not_confirmed.extend(d.letter for d in batch)
            raise _Stop from exc
        for delivery in batch:
            delivery.raw.ack()
        dlq.flush()
        mark_replayed(store, [d.letter.message_id for d in batch], at=started)
        result.replayed.extend(d.letter for d in batch)

    try:
        _scan(selection, replay, settings=settings, store=store)
    except _Stop:
        return result  # the queues after the failed batch were not read: nothing is known missing
    result.missing = sorted(selection.message_ids - {letter.message_id for letter in _seen(result)})
    return result


def purge_dead_letters(
    selection: Selection,
    *,
    dry_run: bool = False,
    settings: Settings | None = None,
    store: Store | None = None,
) -> PurgeResult:
    """Delete the selected dead letters for good; the others stay where they are.

    The ``dead_letters`` rows are kept: they are the history of what failed and why.
    """
    result = PurgeResult(dry_run=dry_run)

    def purge(dlq: _DeadLetterQueue, deliveries: list[_Delivery]) -> None:
        if not dry_run:
            for delivery in deliveries:
                delivery.raw.ack()
            dlq.flush()
        result.purged.extend(d.letter for d in deliveries)

    _scan(selection, purge, settings=settings, store=store)
    result.missing = sorted(selection.message_ids - {letter.message_id for letter in result.purged})
    return result


# --- reading the dead-letter queues --------------------------------------------------------------


class _Stop(Exception):
    """Ends a scan early; what was not acknowledged goes back to the queue."""


@dataclass(frozen=True)
class _Delivery:
    letter: DeadLetterMessage
    raw: kombu.Message


@contextmanager
def _connect(settings: Settings) -> Iterator[kombu.Connection]:
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


class _DeadLetterQueue:
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


def _scan(
    selection: Selection,
    handle: Callable[[_DeadLetterQueue, list[_Delivery]], None],
    *,
    settings: Settings | None,
    store: Store | None,
) -> list[QueueLength]:
    """Read the selected queues' dead letters in order and pass the matching ones to ``handle``.

    Only the messages present when a queue was opened are read, so messages dead-lettered during the
    scan (a replayed message failing again, say) are left for the next one.
    """
    settings = settings or get_settings()
    now = utcnow()
    lengths: list[QueueLength] = []
    with _connect(settings) as connection:
        for queue in Queue:
            dlq = _DeadLetterQueue(connection, queue)
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
                    letters = _letters(queue, raws, first_position=position, store=store)
                    position += len(raws)
                    matching = [
                        _Delivery(letter, raw)
                        for letter, raw in zip(letters, raws, strict=True)
                        if selection.matches(letter, now)
                    ]
                    if matching:
                        handle(dlq, matching)
            finally:
                dlq.close()
    return lengths


def _letters(
    queue: Queue, raws: Sequence[kombu.Message], *, first_position: int, store: Store | None
) -> list[DeadLetterMessage]:
    decoded = [_decode(raw) for raw in raws]
    records = _records({message_id for message_id, _, _ in decoded}, store)
    letters = []
    for offset, (raw, (message_id, message, error)) in enumerate(zip(raws, decoded, strict=True)):
        letters.append(
            _letter(
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


def _decode(raw: kombu.Message) -> tuple[str, dramatiq.Message[Any] | None, str | None]:
    """(message id, message or None, why it could not be decoded)."""
    body: bytes = raw.body if isinstance(raw.body, bytes) else str(raw.body).encode()
    fallback = raw.properties.get("message_id") or f"sha256:{hashlib.sha256(body).hexdigest()[:16]}"
    return _decode_body(body, fallback=str(fallback))


def _decode_body(body: bytes, *, fallback: str) -> tuple[str, dramatiq.Message[Any] | None, str | None]:
    try:
        fields = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        return fallback, None, f"not JSON: {type(exc).__name__} at byte {getattr(exc, 'pos', '?')}"
    if not isinstance(fields, dict):
        return fallback, None, f"JSON {type(fields).__name__}, not an object"
    body_id = fields.get("message_id")
    # Dramatiq invents an id at decode time when the body has none: it would change at every browse.
    message_id = body_id if isinstance(body_id, str) and body_id else fallback
    try:
        message: dramatiq.Message[Any] = dramatiq.Message.decode(body)
    except DecodeError as exc:
        cause = exc.__cause__ or exc
        return message_id, None, f"not a Dramatiq message: {type(cause).__name__}: {cause}"[:300]
    if not isinstance(message.kwargs, dict) or not isinstance(message.options, dict):
        return message_id, None, "not a Dramatiq message: kwargs and options must be objects"
    if not isinstance(message.queue_name, str) or not isinstance(message.actor_name, str):
        return message_id, None, "not a Dramatiq message: queue_name and actor_name must be strings"
    return message_id, message, None


def _records(message_ids: Iterable[str], store: Store | None) -> dict[str, RecordedError]:
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    with OpsUnitOfWork(store) as ops:
        rows = ops.session.scalars(select(DeadLetterRow).where(DeadLetterRow.message_id.in_(ids)))
        return {
            row.message_id: RecordedError(
                reason_code=row.reason_code,
                reason=row.reason,
                error_class=row.error_class,
                attempts=row.attempts,
                deaths=row.deaths,
                failed_at=row.failed_at,
                replayed_at=row.replayed_at,
                replays=int(row.replays),
            )
            for row in rows
        }


def mark_replayed(store: Store | None, message_ids: list[str], *, at: datetime) -> None:
    with OpsUnitOfWork(store) as ops:
        ops.session.execute(
            update(DeadLetterRow)
            .where(DeadLetterRow.message_id.in_(message_ids))
            .values(replayed_at=at, replays=DeadLetterRow.replays + 1)
        )
        ops.commit()


def _letter(
    queue: Queue,
    raw: kombu.Message,
    *,
    position: int,
    message_id: str,
    message: dramatiq.Message[Any] | None,
    decode_error: str | None,
    record: RecordedError | None,
) -> DeadLetterMessage:
    headers = raw.headers or {}
    deaths = _deaths(headers.get("x-death"))
    event = message.kwargs.get("event") if message is not None else None
    fields = _event_fields(event if isinstance(event, dict) else {})
    if record is not None and not record.predates_last_replay:
        reason_code, reason = record.reason_code, record.reason
    else:
        reason_code, reason = UNRECORDED, _unrecorded_reason(decode_error, deaths, record)
    delivery_count = headers.get("x-delivery-count")
    dead_since = deaths[0].time if deaths and deaths[0].time else (record.failed_at if record else None)
    return DeadLetterMessage(
        queue=queue,
        position=position,
        message_id=message_id,
        body=raw.body if isinstance(raw.body, bytes) else str(raw.body).encode(),
        message=message,
        decode_error=decode_error,
        deaths=deaths,
        delivery_count=int(delivery_count) if isinstance(delivery_count, int) else None,
        redelivered=bool(raw.delivery_info.get("redelivered")),
        record=record,
        reason_code=reason_code,
        reason=reason,
        actor=message.actor_name if message is not None else None,
        tenant=fields.get("tenant"),
        event_type=fields.get("type"),
        event_id=fields.get("id"),
        event_source=fields.get("source"),
        dead_since=dead_since,
    )


def _event_fields(event: dict[str, Any]) -> dict[str, str]:
    """Identifiers of the event a message carries, read defensively (the body may be anything)."""
    return {
        key: value
        for key in ("tenant", "id", "type", "source")
        if isinstance(value := event.get(key), str) and len(value) <= 500
    }


def _unrecorded_reason(
    decode_error: str | None, deaths: tuple[Death, ...], record: RecordedError | None
) -> str:
    parts = []
    if decode_error:
        parts.append(f"body {decode_error}")
    if record is not None:
        parts.append(
            f"died again after its replay at {record.replayed_at:%Y-%m-%d %H:%M:%S}Z without a new record "
            f"(the death before: {record.reason_code})"
        )
    elif not decode_error:
        parts.append("no record of the final error")
    parts.append(f"x-death: {deaths[0].describe()}" if deaths else "no x-death header")
    return "; ".join(parts)


def _deaths(header: Any) -> tuple[Death, ...]:
    if not isinstance(header, list):
        return ()
    deaths = []
    for entry in header:
        if not isinstance(entry, dict):
            continue
        when = entry.get("time")
        if isinstance(when, datetime) and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        keys = entry.get("routing-keys")
        deaths.append(
            Death(
                reason=str(entry.get("reason", "")),
                queue=str(entry.get("queue", "")),
                count=int(entry.get("count", 1) or 1),
                time=when if isinstance(when, datetime) else None,
                exchange=str(entry.get("exchange", "")),
                routing_keys=tuple(str(k) for k in keys) if isinstance(keys, list) else (),
            )
        )
    return tuple(deaths)


def _seen(result: ReplayResult) -> Iterator[DeadLetterMessage]:
    yield from result.replayed
    yield from (s.letter for s in result.skipped)
    yield from result.not_confirmed
