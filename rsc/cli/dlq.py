"""``rsc dlq``: the dead-letter queue ``Q.XQ`` of every feature queue: list, show, replay, purge.

``list`` prints identifiers, codes and reasons only (never an event's data); ``show`` prints the event
too, since the operator asked for that one message.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from workers.topology import Queue

if TYPE_CHECKING:
    from events.dead_letter_queue import DeadLetterMessage, Selection

app = typer.Typer(
    help="Dead letters (Q.XQ) of the feature queues: list, show, replay, purge.", no_args_is_help=True
)
console = Console()

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


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def format_age(age: timedelta | None) -> str:
    if age is None:
        return "?"
    seconds = max(0, int(age.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{seconds:02d}s"
    return f"{seconds}s"


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
    from events.dead_letter_queue import Selection

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
    from events.dead_letter_queue import DeadLetterQueueError

    try:
        yield
    except DeadLetterQueueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_BROKER) from None


def _now() -> datetime:
    from store.base import utcnow

    return utcnow()


def _letters_table(title: str, letters: Iterable[DeadLetterMessage], *, with_reason: bool = True) -> Table:
    """Identifiers, codes and reasons only: this table never shows an event's data."""
    now = _now()
    table = Table(title=title, title_justify="left")
    for column in ("message id", "queue", "actor", "tenant", "event type", "event id"):
        table.add_column(column, overflow="fold")
    if with_reason:
        table.add_column("reason code")
        table.add_column("reason", overflow="fold")
    table.add_column("attempts", justify="right")
    table.add_column("age", justify="right")
    for letter in letters:
        row = [
            letter.message_id,
            letter.queue.value,
            letter.actor or "?",
            letter.tenant or "",
            letter.event_type or "",
            letter.event_id or "",
        ]
        if with_reason:
            row += [letter.reason_code, letter.reason]
        row += [str(letter.attempts) if letter.attempts is not None else "-", format_age(letter.age(now))]
        table.add_row(*row)
    return table


def _group_by_reason(letters: Iterable[DeadLetterMessage]) -> list[tuple[str, list[DeadLetterMessage]]]:
    groups: dict[str, list[DeadLetterMessage]] = defaultdict(list)
    for letter in letters:
        groups[letter.reason_code].append(letter)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


_QUEUE_HELP = "Only this feature queue's dead letters."
_REASON_HELP = "Only this reason code (repeat for several), e.g. business_rule or unrecorded."


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
) -> None:
    """Count each queue's dead letters, then list them grouped by reason. Changes nothing."""
    from events.dead_letter_queue import browse_dead_letters

    selection = _selection(
        queue=queue, actor=actor, reasons=reason, tenant=tenant, older_than=older_than, newer_than=newer_than
    )
    with _broker_errors():
        browse = browse_dead_letters(selection, limit=limit)

    counts = Table(
        "queue", "dead-letter queue", "messages", title="Dead letters per queue", title_justify="left"
    )
    for length in browse.lengths:
        messages = str(length.messages) if length.messages is not None else "(not declared yet)"
        counts.add_row(length.queue.value, length.dead_letter_queue, messages)
    console.print(counts)

    filtered = selection != _selection()
    if browse.matched == 0:
        console.print("no dead letters match" if filtered else "no dead letters")
        return
    shown = len(browse.letters)
    summary = f"{browse.matched} matching" if filtered else plural(browse.matched, "dead letter")
    if shown < browse.matched:
        summary += f"; showing the first {shown} (raise --limit to see more)"
    console.print(summary)
    for code, letters in _group_by_reason(browse.letters):
        console.print(_letters_table(f"{code} ({len(letters)})", letters))
    if any(letter.delivery_count is not None for letter in browse.letters):
        console.print(
            "[dim]quorum queues count every browse as a delivery (x-delivery-count); "
            "a delivery limit on a dead-letter queue would drop messages browsed that often[/dim]"
        )


@app.command()
def show(message_id: str = typer.Argument(..., help="The message id, as `rsc dlq list` prints it.")) -> None:
    """Show one dead letter: the Dramatiq message, the event it carries, the final error, x-death."""
    from events.dead_letter_queue import find_dead_letters

    with _broker_errors():
        copies = find_dead_letters(message_id)
    if not copies:
        console.print(
            f"[red]no dead letter with message id {message_id!r}[/red] in any dead-letter queue "
            "(replayed or purged already?); `rsc dlq list` shows what is there"
        )
        raise typer.Exit(1)
    for letter in copies:
        _show(letter)


def _show(letter: DeadLetterMessage) -> None:
    now = _now()
    facts = Table(show_header=False, title="Dead letter", title_justify="left")
    for label, value in (
        ("message id", letter.message_id),
        ("queue", f"{letter.queue.value} (position {letter.position} in {letter.queue.value}.XQ)"),
        ("actor", letter.actor or "?"),
        ("tenant", letter.tenant or ""),
        ("event", f"{letter.event_type or '?'} {letter.event_id or ''} from {letter.event_source or '?'}"),
        ("dead since", f"{letter.dead_since:%Y-%m-%d %H:%M:%S}Z" if letter.dead_since else "?"),
        ("age", format_age(letter.age(now))),
        ("reason code", letter.reason_code),
        ("reason", letter.reason),
        ("delivery count", str(letter.delivery_count) if letter.delivery_count is not None else "-"),
    ):
        facts.add_row(label, value)
    console.print(facts)

    record = letter.record
    error = Table(show_header=False, title="Recorded final error", title_justify="left")
    if record is None:
        error.add_row("record", "none (the worker wrote no record for this message id)")
    else:
        for label, value in (
            ("reason code", record.reason_code),
            ("reason", record.reason),
            ("error class", record.error_class),
            ("attempts", str(record.attempts)),
            ("deaths", str(record.deaths)),
            ("failed at", f"{record.failed_at:%Y-%m-%d %H:%M:%S}Z"),
            ("replays", str(record.replays)),
            ("replayed at", f"{record.replayed_at:%Y-%m-%d %H:%M:%S}Z" if record.replayed_at else "never"),
        ):
            error.add_row(label, value)
        if record.predates_last_replay:
            error.add_row("note", "this record is of a death before the last replay")
    console.print(error)

    deaths = Table(
        "reason", "queue", "count", "time", "exchange", "routing keys", title="x-death", title_justify="left"
    )
    for death in letter.deaths:
        deaths.add_row(
            death.reason,
            death.queue,
            str(death.count),
            f"{death.time:%Y-%m-%d %H:%M:%S}Z" if death.time else "?",
            death.exchange or '""',
            ", ".join(death.routing_keys),
        )
    if not letter.deaths:
        deaths.add_row("(no x-death header)", "", "", "", "", "")
    console.print(deaths)

    if letter.message is None:
        console.print(f"[bold]Body[/bold] ({len(letter.body)} bytes, {letter.decode_error}):")
        console.print(repr(letter.body[:2000]), markup=False, highlight=False)
        return
    message = letter.message.asdict()
    options = dict(message.pop("options"))
    traceback = options.pop("traceback", None)
    kwargs = message.pop("kwargs")
    console.print("[bold]Dramatiq message[/bold] (as last enqueued; retries counts the attempts before that)")
    console.print_json(data={**message, "options": options}, default=str)
    if traceback:
        console.print("[bold]Traceback of the attempt before the last[/bold]")
        console.print(str(traceback), markup=False, highlight=False)
    event = letter.event
    console.print("[bold]Event[/bold]" if event is not None else "[bold]Keyword arguments[/bold]")
    console.print_json(data=event if event is not None else kwargs, default=str)


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
    from events.dead_letter_queue import replay_dead_letters

    filters: dict[str, Any] = {
        "actor": actor,
        "reasons": reason,
        "tenant": tenant,
        "older_than": older_than,
        "newer_than": newer_than,
    }
    selection = _target(message_ids, queue, everything, filters, verb="replay")
    with _broker_errors():
        result = replay_dead_letters(selection, dry_run=dry_run)

    if result.replayed:
        title = "Would replay (dry run)" if dry_run else "Replayed"
        console.print(_letters_table(f"{title}: {len(result.replayed)}", result.replayed))
    elif not result.error:
        console.print("nothing to replay")
    if result.skipped:
        skipped = Table(
            "message id", "queue", "why it stays", title="Left in the dead-letter queue", title_justify="left"
        )
        for item in result.skipped:
            skipped.add_row(item.letter.message_id, item.letter.queue.value, item.why)
        console.print(skipped)
    if result.error:
        console.print(
            f"[red]stopped: {result.error}[/red]\n{len(result.not_confirmed)} messages of the failed batch "
            "stay in the dead-letter queue; run the same command again once RabbitMQ is healthy"
        )
        raise typer.Exit(EXIT_BROKER)
    if result.missing:
        missing = ", ".join(result.missing)
        console.print(
            f"[yellow]not in any dead-letter queue (replayed or purged already?): {missing}[/yellow]"
        )
        raise typer.Exit(1)


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
    from events.dead_letter_queue import Selection, purge_dead_letters

    filters: dict[str, Any] = {
        "actor": actor,
        "reasons": reason,
        "tenant": tenant,
        "older_than": older_than,
        "newer_than": newer_than,
    }
    selection = _target(message_ids, queue, everything, filters, verb="purge")
    with _broker_errors():
        preview = purge_dead_letters(selection, dry_run=True)
    if not preview.purged:
        console.print("nothing to purge")
        if preview.missing:
            console.print(f"[yellow]not in any dead-letter queue: {', '.join(preview.missing)}[/yellow]")
            raise typer.Exit(1)
        return
    per_queue = Table("queue", "reason code", "messages", title="To purge", title_justify="left")
    counted: dict[tuple[str, str], int] = defaultdict(int)
    for letter in preview.purged:
        counted[(letter.queue.value, letter.reason_code)] += 1
    for (queue_name, code), count in sorted(counted.items()):
        per_queue.add_row(queue_name, code, str(count))
    console.print(per_queue)
    if not yes:
        typer.confirm(f"Delete {plural(len(preview.purged), 'dead letter')} for good?", abort=True)
    confirmed = Selection(
        queues=selection.queues, message_ids=frozenset(letter.message_id for letter in preview.purged)
    )
    with _broker_errors():
        result = purge_dead_letters(confirmed)
    console.print(f"purged {plural(len(result.purged), 'dead letter')}")
