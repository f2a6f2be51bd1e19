"""What the operator sees of a dead letter, what a command selects, and what each operation reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import dramatiq
from dramatiq.common import xq_name

from events.topology import Queue

#: Reason code of a dead letter the worker left no record for.
UNRECORDED = "unrecorded"


#: What RabbitMQ's ``x-death`` reasons mean for a Dramatiq dead letter.
DEATH_REASONS = {
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
        meaning = DEATH_REASONS.get(self.reason)
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
