"""Dead letters beyond RabbitMQ's TTL: archived in the store before they can expire, and read,
replayed and purged together with those still in ``Q.XQ``.

``archive_dead_letters`` (the scheduler runs it every ``RSC_DEAD_LETTER_ARCHIVE_INTERVAL_S``, far
within the seven days RabbitMQ keeps a dead letter) copies every dead letter not archived yet into
``store.dead_letter_archive``, encrypted. RabbitMQ keeps its copy until it expires or is replayed; the
operations below show one letter once, from ``Q.XQ`` while it is there and from the archive after.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

from events.dead_letters.decoding import letter_from_body, mark_replayed
from events.dead_letters.letters import Browse, DeadLetterMessage, PurgeResult, ReplayResult, Selection
from events.dead_letters.queue import (
    purge_dead_letters,
    replay_body,
    replay_dead_letters,
    replay_queue,
    scan_dead_letters,
)
from events.messages import OutgoingMessage
from events.publisher import EventPublisher, PublishError, get_publisher
from events.topology import Queue
from rsc.settings import Settings
from store.base import utcnow
from store.db import Store
from store.uow import OpsUnitOfWork

#: A dead letter nobody replayed or purged for this long is counted by ``rsc_dead_letters_stale``.
STALE_AFTER = timedelta(days=1)


@dataclass
class ArchiveReport:
    archived: int = 0
    #: Open dead letters (in ``Q.XQ`` or only in the archive) dead for longer than ``STALE_AFTER``.
    stale: dict[str, int] = field(default_factory=dict)


def archive_dead_letters(*, settings: Settings, store: Store) -> ArchiveReport:
    """Archive every dead letter not archived yet; count the stale ones by queue."""
    report = ArchiveReport()

    def archive(letters: list[DeadLetterMessage]) -> None:
        with OpsUnitOfWork(store) as ops:
            known = ops.dead_letter_archive.archived_ids([letter.message_id for letter in letters])
            for letter in letters:
                if letter.message_id in known:
                    continue
                known.add(letter.message_id)
                report.archived += ops.dead_letter_archive.add(
                    message_id=letter.message_id,
                    queue=letter.queue.value,
                    actor=letter.actor,
                    tenant_id=letter.tenant,
                    body=letter.body,
                    dead_since=letter.dead_since or utcnow(),
                    about=_about(letter),
                )
            ops.commit()

    scan_dead_letters(Selection(), archive, settings=settings, store=store)
    with OpsUnitOfWork(store) as ops:
        report.stale = ops.dead_letter_archive.open_older_than(utcnow() - STALE_AFTER)
    return report


def _about(letter: DeadLetterMessage) -> dict[str, str | None]:
    """The candidate, application and member the event is about, so an erasure finds the letter."""
    data = (letter.event or {}).get("data")
    data = data if isinstance(data, dict) else {}

    def text(*names: str) -> str | None:
        for name in names:
            value = data.get(name)
            if isinstance(value, str) and 0 < len(value) <= 200:
                return value
        return None

    return {
        "candidate_id": text("candidate_id"),
        "application_id": text("application_id"),
        "member_urn": text("member", "person_urn"),
    }


def archived_only(selection: Selection, *, in_queues: set[str], store: Store) -> list[DeadLetterMessage]:
    """Open archived dead letters matching ``selection`` that RabbitMQ no longer holds (the ids it
    still holds are ``in_queues``), oldest first."""
    now = utcnow()
    with OpsUnitOfWork(store) as ops:
        rows = [
            (row.queue, row.message_id, row.body(ops.keyring), row.dead_since)
            for row in ops.dead_letter_archive.open_letters()
            if row.message_id not in in_queues
        ]
    letters = []
    for queue_name, message_id, body, dead_since in rows:
        if queue_name not in {q.value for q in Queue}:
            continue
        letter = letter_from_body(Queue(queue_name), message_id, body, dead_since=dead_since, store=store)
        if selection.matches(letter, now):
            letters.append(letter)
    return letters


def combined_browse(
    selection: Selection | None = None,
    *,
    limit: int | None = None,
    settings: Settings,
    store: Store,
) -> Browse:
    """Every dead letter matching ``selection``: those in ``Q.XQ`` in queue order, then the archived
    ones RabbitMQ dropped (``position`` -1). Changes nothing."""
    selection = selection or Selection()
    letters: list[DeadLetterMessage] = []
    seen: set[str] = set()
    matched = 0

    def collect(chunk: list[DeadLetterMessage]) -> None:
        nonlocal matched
        matched += len(chunk)
        seen.update(letter.message_id for letter in chunk)
        room = len(chunk) if limit is None else max(0, limit - len(letters))
        letters.extend(chunk[:room])

    lengths = scan_dead_letters(selection, collect, settings=settings, store=store)
    archived = archived_only(selection, in_queues=seen, store=store)
    room = len(archived) if limit is None else max(0, limit - len(letters))
    return Browse(lengths=lengths, letters=[*letters, *archived[:room]], matched=matched + len(archived))


def replay_with_archive(
    selection: Selection,
    *,
    dry_run: bool = False,
    settings: Settings,
    store: Store,
    publisher: EventPublisher | None = None,
) -> ReplayResult:
    """Replay the selected dead letters from ``Q.XQ``, then those only the archive still holds."""
    result = replay_dead_letters(
        selection, dry_run=dry_run, settings=settings, store=store, publisher=publisher
    )
    if result.error:
        return result
    done = {letter.message_id for letter in result.replayed} | {s.letter.message_id for s in result.skipped}
    archived = [a for a in archived_only(selection, in_queues=done, store=store) if a.replayable]
    if not dry_run:
        if archived:
            now_ms = int(time.time() * 1000)
            messages = [
                OutgoingMessage(replay_queue(a), a.message_id, replay_body(a, now_ms=now_ms))
                for a in archived
            ]
            try:
                (publisher or get_publisher(settings)).publish_messages(messages)
            except PublishError as exc:
                result.error = str(exc)
                result.not_confirmed.extend(archived)
                return result
        mark_replayed(store, [a.message_id for a in archived], at=utcnow())
        _settle(store, [letter.message_id for letter in [*result.replayed, *archived]], "replayed")
    result.replayed.extend(archived)
    result.missing = sorted(set(result.missing) - {a.message_id for a in archived})
    return result


def purge_with_archive(
    selection: Selection,
    *,
    dry_run: bool = False,
    settings: Settings,
    store: Store,
) -> PurgeResult:
    """Purge the selected dead letters from ``Q.XQ`` and settle their archived copies."""
    result = purge_dead_letters(selection, dry_run=dry_run, settings=settings, store=store)
    gone = {letter.message_id for letter in result.purged}
    archived = archived_only(selection, in_queues=gone, store=store)
    if not dry_run:
        _settle(store, [letter.message_id for letter in [*result.purged, *archived]], "purged")
    result.purged.extend(archived)
    result.missing = sorted(set(result.missing) - {a.message_id for a in archived})
    return result


def _settle(store: Store, message_ids: list[str], how: str) -> None:
    if not message_ids:
        return
    with OpsUnitOfWork(store) as ops:
        ops.dead_letter_archive.settle(message_ids, how)
        ops.commit()
