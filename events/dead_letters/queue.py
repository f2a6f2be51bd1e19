"""The operator's view of every feature queue's dead-letter queue ``Q.XQ``: browse, replay, purge.

A dead-lettered body is the message as it was last *enqueued*, not the error that killed it, so the
reason comes from the ``dead_letters`` table the worker writes before it rejects a message, joined by
message id. A message with no record (a body Dramatiq could not decode, or one RabbitMQ dead-lettered
by itself, e.g. at a quorum delivery limit) is shown as ``unrecorded`` with what ``x-death`` says.

Browsing never removes or reorders anything: messages are taken with ``basic_get`` and never
acknowledged, and closing the channel gives them all back. On classic queues they return to their
original positions. On quorum queues they come back in the order they were taken (as observed on
RabbitMQ 3.10, see ``tests/events/dead_letters/test_quorum.py``), but each browse counts as a delivery:
``x-delivery-count`` goes up by one every time. ``Q.XQ`` dead-letters nowhere, so reaching a delivery
limit would drop a dead letter: the topology declares a quorum ``Q.XQ`` with a limit no browsing
reaches (``events.topology.DEAD_LETTER_DELIVERY_LIMIT``, instead of RabbitMQ 4's default of 20);
a policy with a lower ``delivery-limit`` on ``*.XQ`` would undo that (docs/operations.md).

Replay follows Dramatiq's recipe: retry state removed from ``options`` (so the message gets its full
retries again), ``queue_name`` set back to the canonical queue (or to its bulk lane, for a message
that died there: the lanes dead-letter into their feature queue's ``Q.XQ``), ``message_timestamp``
refreshed (so ``AgeLimit`` does not kill it at once), **the message id kept** (so the consumers'
inbox recognises a message that already succeeded). It is republished under publisher confirms, and
the dead letter is acknowledged only once RabbitMQ has confirmed the copy. A connection lost between
the two leaves the dead letter in place and the copy published: at-least-once, as everywhere else.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator

from events.dead_letters.decoding import mark_replayed
from events.dead_letters.letters import (
    Browse,
    DeadLetterMessage,
    PurgeResult,
    QueueLength,
    ReplayResult,
    Selection,
    Skipped,
)
from events.dead_letters.reading import DeadLetterQueue, Delivery, StopScan, connect, scan
from events.messages import OutgoingMessage
from events.publisher import EventPublisher, PublishError, get_publisher
from events.topology import Queue, bulk_lane, feature_queue, is_bulk_lane
from rsc.settings import Settings
from store.base import utcnow
from store.db import Store

#: Retry state a replayed message must not carry: with the old ``retries`` it would be dead-lettered
#: again after a single failure, with the old ``eta`` it would wait in the delay queue.
RESET_OPTIONS = ("retries", "traceback", "requeue_timestamp", "eta")


# --- public operations ---------------------------------------------------------------------------


def browse_dead_letters(
    selection: Selection | None = None,
    *,
    limit: int | None = None,
    settings: Settings,
    store: Store,
) -> Browse:
    """Count every feature queue's dead letters and list those matching ``selection``.

    Changes nothing: every message goes back to its place when the browsing channel closes.
    """
    selection = selection or Selection()
    letters: list[DeadLetterMessage] = []
    matched = 0

    def collect(_dlq: DeadLetterQueue, deliveries: list[Delivery]) -> None:
        nonlocal matched
        matched += len(deliveries)
        room = len(deliveries) if limit is None else max(0, limit - len(letters))
        letters.extend(d.letter for d in deliveries[:room])

    lengths = scan(selection, collect, settings=settings, store=store)
    return Browse(lengths=lengths, letters=letters, matched=matched)


def find_dead_letters(message_id: str, *, settings: Settings, store: Store) -> list[DeadLetterMessage]:
    """Every copy of one message in the dead-letter queues (normally one, or none)."""
    return browse_dead_letters(
        Selection(message_ids=frozenset({message_id})), settings=settings, store=store
    ).letters


def scan_dead_letters(
    selection: Selection,
    handle: Callable[[list[DeadLetterMessage]], None],
    *,
    settings: Settings,
    store: Store,
) -> list[QueueLength]:
    """Pass the matching dead letters to ``handle``, a chunk at a time, in queue order. Changes nothing."""

    def collect(_dlq: DeadLetterQueue, deliveries: list[Delivery]) -> None:
        handle([d.letter for d in deliveries])

    return scan(selection, collect, settings=settings, store=store)


def dead_letter_lengths(settings: Settings) -> list[QueueLength]:
    """Messages in each feature queue's ``Q.XQ``, without reading any of them."""
    with connect(settings) as connection:
        lengths = []
        for queue in Queue:
            dlq = DeadLetterQueue(connection, queue)
            lengths.append(dlq.length)
            dlq.close()
        return lengths


def replay_queue(letter: DeadLetterMessage) -> str:
    """Where a dead letter is replayed to: the lane it died in. A bulk lane dead-letters into its
    feature queue's ``Q.XQ``; its body still names the lane, and a replay of a bulk import goes back
    to the bulk lane instead of crowding the other tenants' normal lane."""
    died_in = letter.message.queue_name if letter.message is not None else ""
    if is_bulk_lane(died_in) and feature_queue(died_in) == letter.queue.value:
        return bulk_lane(letter.queue.value)
    return letter.queue.value


def replay_body(letter: DeadLetterMessage, *, now_ms: int | None = None) -> bytes:
    """The body a dead letter is republished with (see the module's docstring)."""
    if letter.message is None:
        raise ValueError(f"dead letter {letter.message_id} is not a Dramatiq message and cannot be replayed")
    options = {k: v for k, v in letter.message.options.items() if k not in RESET_OPTIONS}
    # Message.copy() merges options, so it cannot remove the retry state: replace the field whole.
    fresh = dataclasses.replace(
        letter.message,
        queue_name=replay_queue(letter),
        options=options,
        message_id=letter.message_id,
        message_timestamp=now_ms if now_ms is not None else int(time.time() * 1000),
    )
    return fresh.encode()


def replay_dead_letters(
    selection: Selection,
    *,
    dry_run: bool = False,
    settings: Settings,
    store: Store,
    publisher: EventPublisher | None = None,
) -> ReplayResult:
    """Republish the selected dead letters to their work queues, then remove them from ``Q.XQ``.

    Unselected messages stay where they are. A message whose body is not a Dramatiq message is
    skipped (it can only be purged). The ``dead_letters`` rows of replayed messages get
    ``replayed_at`` and one more ``replays``.
    """
    result = ReplayResult(dry_run=dry_run)
    replayed_ids: set[str] = set()

    def replay(dlq: DeadLetterQueue, deliveries: list[Delivery]) -> None:
        batch = _replayable(deliveries, replayed_ids, result)
        if not batch:
            return
        if dry_run:
            result.replayed.extend(d.letter for d in batch)
            return
        started = utcnow()
        now_ms = int(time.time() * 1000)
        messages = [
            OutgoingMessage(replay_queue(d.letter), d.letter.message_id, replay_body(d.letter, now_ms=now_ms))
            for d in batch
        ]
        try:
            (publisher or get_publisher(settings)).publish_messages(messages)
        except PublishError as exc:
            result.error = str(exc)
            result.not_confirmed.extend(d.letter for d in batch)
            raise StopScan from exc
        for delivery in batch:
            delivery.raw.ack()
        dlq.flush()
        mark_replayed(store, [d.letter.message_id for d in batch], at=started)
        result.replayed.extend(d.letter for d in batch)

    try:
        scan(selection, replay, settings=settings, store=store)
    except StopScan:
        return result  # the queues after the failed batch were not read: nothing is known missing
    result.missing = sorted(selection.message_ids - {letter.message_id for letter in _seen(result)})
    return result


def _replayable(deliveries: list[Delivery], replayed_ids: set[str], result: ReplayResult) -> list[Delivery]:
    """The deliveries to replay; the others are recorded in ``result`` as skipped, with the reason."""
    batch: list[Delivery] = []
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
    return batch


def purge_dead_letters(
    selection: Selection,
    *,
    dry_run: bool = False,
    settings: Settings,
    store: Store,
) -> PurgeResult:
    """Delete the selected dead letters for good; the others stay where they are.

    The ``dead_letters`` rows are kept: they are the history of what failed and why.
    """
    result = PurgeResult(dry_run=dry_run)

    def purge(dlq: DeadLetterQueue, deliveries: list[Delivery]) -> None:
        if not dry_run:
            for delivery in deliveries:
                delivery.raw.ack()
            dlq.flush()
        result.purged.extend(d.letter for d in deliveries)

    scan(selection, purge, settings=settings, store=store)
    result.missing = sorted(selection.message_ids - {letter.message_id for letter in result.purged})
    return result


# --- reading the dead-letter queues --------------------------------------------------------------


def _seen(result: ReplayResult) -> Iterator[DeadLetterMessage]:
    yield from result.replayed
    yield from (s.letter for s in result.skipped)
    yield from result.not_confirmed
