"""``rsc dlq``: the dead-letter queue ``Q.XQ`` of every feature queue: list, show, replay, purge.

``list`` prints identifiers, codes and reasons only (never an event's data); ``show`` prints the event
too, since the operator asked for that one message.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import typer

from cli import output
from cli.dead_letter_views import (
    group_by_reason,
    letter_json,
    letter_row,
    letters_table,
    now_utc,
    plural,
    show_letter,
)
from events.topology import Queue
from rsc.settings import get_settings
from store.db import get_store

if TYPE_CHECKING:
    from events.dead_letters.letters import Selection

app = typer.Typer(
    help="Dead letters (Q.XQ, and the archive of those RabbitMQ dropped): list, show, replay, purge.",
    no_args_is_help=True,
)

_DURATION = re.compile(r"(\d+)([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

#: Exit status when RabbitMQ cannot be reached or did not confirm a replay.
EXIT_BROKER = 3


def parse_duration(text: str) -> timedelta:
    """``90s``, ``10m``, ``1h30m``, ``2d``, ``1w``."""
    text = text.strip().lower()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise typer.BadParameter(f"{text!r} is not a duration; write it like 90s, 10m, 1h30m, 2d or 1w")
    return timedelta(**{_UNITS[unit]: sum(int(n) for n, u in parts if u == unit) for _, unit in parts})


def _selection(
    *,
    message_ids: Sequence[str] = (),
    queue: Queue | None = None,
    actor: str | None = None,
    reasons: Sequence[str] | None = None,
    tenant: str | None = None,
    older_than: str | None = None,
    newer_than: str | None = None,
) -> Selection:
    from events.dead_letters.letters import Selection

    return Selection(
        queues=(queue,) if queue else (),
        message_ids=frozenset(message_ids),
        actor=actor,
        reason_codes=frozenset(reasons or ()),
        tenant=tenant,
        older_than=parse_duration(older_than) if older_than else None,
        newer_than=parse_duration(newer_than) if newer_than else None,
    )


def _target(
    message_ids: Sequence[str] | None,
    queue: Queue | None,
    everything: bool,
    filters: dict[str, Any],
    *,
    verb: str,
) -> Selection:
    """The selection of ``replay`` and ``purge``: message ids; or ``--queue``, ``--all`` or filters alone.

    Filters without ``--queue`` apply to every queue's dead letters: ``--reason job_not_published``
    selects that reason wherever it is.
    """
    filtered = any(value for value in filters.values())
    if message_ids and (queue is not None or everything or filtered):
        raise typer.BadParameter(
            f"give message ids alone, or --queue, --all or filters (--reason, --actor, ...) to {verb}"
        )
    if queue is not None and everything:
        raise typer.BadParameter(f"give --queue or --all to {verb}, not both")
    if not (message_ids or queue is not None or everything or filtered):
        raise typer.BadParameter(
            f"say what to {verb}: message ids, --queue QUEUE, a filter such as --reason CODE, or --all"
        )
    return _selection(message_ids=message_ids or (), queue=queue, **filters)


@contextmanager
def _broker_errors() -> Iterator[None]:
    from events.dead_letters.letters import DeadLetterQueueError

    try:
        yield
    except DeadLetterQueueError as exc:
        raise output.fail(str(exc), EXIT_BROKER) from None


_QUEUE_HELP = "Only this feature queue's dead letters."
_REASON_HELP = "Only this reason code (repeat for several), e.g. business_rule or unrecorded."
_JSON_HELP = "One JSON object per line, for machines."


@app.command("list")
def list_dead_letters(
    queue: Queue | None = typer.Option(None, "--queue", "-q", help=_QUEUE_HELP),
    actor: str | None = typer.Option(None, "--actor", help="Only messages for this actor."),
    reason: list[str] | None = typer.Option(None, "--reason", help=_REASON_HELP),
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's messages."),
    older_than: str | None = typer.Option(
        None, "--older-than", help="Dead-lettered at least this long ago (1h)."
    ),
    newer_than: str | None = typer.Option(
        None, "--newer-than", help="Dead-lettered at most this long ago (10m)."
    ),
    limit: int = typer.Option(100, "--limit", min=1, help="Show at most this many messages."),
    as_json: bool = typer.Option(False, "--json", help=_JSON_HELP),
) -> None:
    """Count each queue's dead letters, then list them grouped by reason. Changes nothing.

    Dead letters RabbitMQ dropped after its TTL are listed from the archive (where: archive).
    """
    from events.dead_letters.archive import combined_browse

    selection = _selection(
        queue=queue, actor=actor, reasons=reason, tenant=tenant, older_than=older_than, newer_than=newer_than
    )
    with _broker_errors():
        browse = combined_browse(selection, limit=limit, settings=get_settings(), store=get_store())
    if as_json:
        now = now_utc()
        for letter in browse.letters:
            output.json_line(letter_row(letter, now))
        return
    output.table(
        "Dead letters per queue",
        ("queue", "dead-letter queue", "messages"),
        [
            (length.queue.value, length.dead_letter_queue, length.messages)
            if length.messages is not None
            else (length.queue.value, length.dead_letter_queue, "(not declared yet)")
            for length in browse.lengths
        ],
    )
    filtered = selection != _selection()
    if browse.matched == 0:
        output.say("no dead letters match" if filtered else "no dead letters")
        return
    shown = len(browse.letters)
    summary = f"{browse.matched} matching" if filtered else plural(browse.matched, "dead letter")
    if shown < browse.matched:
        summary += f"; showing the first {shown} (raise --limit to see more)"
    output.say(summary)
    for code, letters in group_by_reason(browse.letters):
        letters_table(f"{code} ({len(letters)})", letters)
    if any(letter.delivery_count is not None for letter in browse.letters):
        output.say(
            "[dim]quorum queues count every browse as a delivery (x-delivery-count); "
            "a delivery limit on a dead-letter queue would drop messages browsed that often[/dim]"
        )


@app.command()
def show(
    message_id: str = typer.Argument(
        ..., help="The message id as `rsc dlq list` prints it, or a prefix of it that only one has."
    ),
    as_json: bool = typer.Option(False, "--json", help="The dead letter as one JSON object."),
) -> None:
    """Show one dead letter: the Dramatiq message, the event it carries, the final error, x-death."""
    from events.dead_letters.archive import combined_browse

    with _broker_errors():
        letters = combined_browse(settings=get_settings(), store=get_store()).letters
    copies = [letter for letter in letters if letter.message_id == message_id]
    if not copies:
        ids = sorted({letter.message_id for letter in letters if letter.message_id.startswith(message_id)})
        if len(ids) > 1:
            raise output.fail(
                f"{len(ids)} dead letters start with {message_id!r} ({', '.join(ids[:5])}"
                f"{', ...' if len(ids) > 5 else ''}); give more of the id"
            )
        copies = [letter for letter in letters if ids and letter.message_id == ids[0]]
    if not copies:
        raise output.fail(
            f"no dead letter with message id {message_id!r} in any dead-letter queue or the archive "
            "(replayed or purged already?); `rsc dlq list` shows what is there"
        )
    for letter in copies:
        if as_json:
            output.json_line(letter_json(letter))
        else:
            show_letter(letter)


@app.command()
def replay(
    message_ids: list[str] | None = typer.Argument(None, help="Message ids to replay."),
    queue: Queue | None = typer.Option(None, "--queue", "-q", help="Replay this queue's dead letters."),
    everything: bool = typer.Option(False, "--all", help="Replay the dead letters of every queue."),
    reason: list[str] | None = typer.Option(None, "--reason", help=_REASON_HELP),
    actor: str | None = typer.Option(None, "--actor", help="Only messages for this actor."),
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's messages."),
    older_than: str | None = typer.Option(None, "--older-than", help="Dead-lettered at least this long ago."),
    newer_than: str | None = typer.Option(None, "--newer-than", help="Dead-lettered at most this long ago."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be replayed; change nothing."),
) -> None:
    """Put dead letters back on their work queue with fresh retries, keeping their message ids.

    A dead letter is removed only after RabbitMQ confirmed its republished copy.

    Exit status: 1 when a named message id is in no dead-letter queue, 3 when RabbitMQ did not confirm.
    """
    from events.dead_letters.archive import replay_with_archive

    filters: dict[str, Any] = {
        "actor": actor,
        "reasons": reason,
        "tenant": tenant,
        "older_than": older_than,
        "newer_than": newer_than,
    }
    selection = _target(message_ids, queue, everything, filters, verb="replay")
    with _broker_errors():
        result = replay_with_archive(selection, dry_run=dry_run, settings=get_settings(), store=get_store())

    if result.replayed:
        title = "Would replay (dry run)" if dry_run else "Replayed"
        letters_table(f"{title}: {len(result.replayed)}", result.replayed)
    elif not result.error:
        output.say("nothing to replay")
    if result.skipped:
        output.table(
            "Left in the dead-letter queue",
            ("message id", "queue", "why it stays"),
            [(item.letter.message_id, item.letter.queue.value, item.why) for item in result.skipped],
        )
    if result.error:
        raise output.fail(
            f"stopped: {result.error}; {len(result.not_confirmed)} messages of the failed batch stay where "
            "they were; run the same command again once RabbitMQ is healthy",
            EXIT_BROKER,
        )
    if result.missing:
        raise output.fail(
            f"not in any dead-letter queue or the archive (replayed or purged already?): "
            f"{', '.join(result.missing)}"
        )


@app.command()
def purge(
    message_ids: list[str] | None = typer.Argument(None, help="Message ids to delete."),
    queue: Queue | None = typer.Option(None, "--queue", "-q", help="Purge this queue's dead letters."),
    everything: bool = typer.Option(False, "--all", help="Purge the dead letters of every queue."),
    reason: list[str] | None = typer.Option(None, "--reason", help=_REASON_HELP),
    actor: str | None = typer.Option(None, "--actor", help="Only messages for this actor."),
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's messages."),
    older_than: str | None = typer.Option(None, "--older-than", help="Dead-lettered at least this long ago."),
    newer_than: str | None = typer.Option(None, "--newer-than", help="Dead-lettered at most this long ago."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete dead letters for good, after a confirmation. Their dead_letters records are kept.

    Only the messages counted at the prompt are deleted, even if more arrive meanwhile.
    """
    from events.dead_letters.archive import purge_with_archive
    from events.dead_letters.letters import Selection

    filters: dict[str, Any] = {
        "actor": actor,
        "reasons": reason,
        "tenant": tenant,
        "older_than": older_than,
        "newer_than": newer_than,
    }
    selection = _target(message_ids, queue, everything, filters, verb="purge")
    with _broker_errors():
        preview = purge_with_archive(selection, dry_run=True, settings=get_settings(), store=get_store())
    if not preview.purged:
        output.say("nothing to purge")
        if preview.missing:
            raise output.fail(f"not in any dead-letter queue or the archive: {', '.join(preview.missing)}")
        return
    counted: dict[tuple[str, str], int] = defaultdict(int)
    for letter in preview.purged:
        counted[(letter.queue.value, letter.reason_code)] += 1
    output.table(
        "To purge",
        ("queue", "reason code", "messages"),
        [(queue_name, code, count) for (queue_name, code), count in sorted(counted.items())],
    )
    if not yes:
        typer.confirm(f"Delete {plural(len(preview.purged), 'dead letter')} for good?", abort=True)
    confirmed = Selection(
        queues=selection.queues, message_ids=frozenset(letter.message_id for letter in preview.purged)
    )
    with _broker_errors():
        result = purge_with_archive(confirmed, settings=get_settings(), store=get_store())
    output.say(f"purged {plural(len(result.purged), 'dead letter')}")
