"""How ``rsc dlq`` shows dead letters: the list's table or JSON lines, and one letter in full."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import typer

from cli import output

if TYPE_CHECKING:
    from events.dead_letters.letters import DeadLetterMessage


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


def now_utc() -> datetime:
    from store.base import utcnow

    return utcnow()


def letter_row(letter: DeadLetterMessage, now: datetime) -> dict[str, Any]:
    """Identifiers, codes and reasons only: never an event's data."""
    return {
        "message_id": letter.message_id,
        "queue": letter.queue.value,
        "where": "archive" if letter.position < 0 else "queue",
        "actor": letter.actor or "?",
        "tenant": letter.tenant or "",
        "event_type": letter.event_type or "",
        "event_id": letter.event_id or "",
        "reason_code": letter.reason_code,
        "reason": letter.reason,
        "attempts": letter.attempts,
        "age": format_age(letter.age(now)),
    }


_COLUMNS = ("message id", "queue", "where", "actor", "tenant", "event type", "event id")


_KEYS = ("message_id", "queue", "where", "actor", "tenant", "event_type", "event_id")


def letters_table(title: str, letters: Iterable[DeadLetterMessage], *, with_reason: bool = True) -> None:
    now = now_utc()
    columns = [*_COLUMNS, *(("reason code", "reason") if with_reason else ()), "attempts", "age"]
    rows = []
    for letter in letters:
        row = letter_row(letter, now)
        values = [
            row[k] for k in ("message_id", "queue", "where", "actor", "tenant", "event_type", "event_id")
        ]
        if with_reason:
            values += [row["reason_code"], row["reason"]]
        values += [row["attempts"] if row["attempts"] is not None else "-", row["age"]]
        rows.append(values)
    output.table(title, columns, rows)


def group_by_reason(letters: Iterable[DeadLetterMessage]) -> list[tuple[str, list[DeadLetterMessage]]]:
    groups: dict[str, list[DeadLetterMessage]] = defaultdict(list)
    for letter in letters:
        groups[letter.reason_code].append(letter)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def letter_json(letter: DeadLetterMessage) -> dict[str, Any]:
    record = letter.record
    return {
        **letter_row(letter, now_utc()),
        "position": letter.position,
        "event_source": letter.event_source,
        "dead_since": letter.dead_since,
        "delivery_count": letter.delivery_count,
        "record": None if record is None else {
            "reason_code": record.reason_code, "reason": record.reason, "error_class": record.error_class,
            "attempts": record.attempts, "deaths": record.deaths, "failed_at": record.failed_at,
            "replays": record.replays, "replayed_at": record.replayed_at,
        },
        "x_death": [
            {"reason": d.reason, "queue": d.queue, "count": d.count, "time": d.time}
            for d in letter.deaths
        ],
        "decode_error": letter.decode_error,
        "message": letter.message.asdict() if letter.message is not None else None,
    }  # fmt: skip


def show_letter(letter: DeadLetterMessage) -> None:
    now = now_utc()
    where = (
        "the archive (RabbitMQ dropped its copy after its TTL)"
        if letter.position < 0
        else f"position {letter.position} in {letter.queue.value}.XQ"
    )
    output.facts(
        "Dead letter",
        [
            ("message id", letter.message_id),
            ("queue", f"{letter.queue.value} ({where})"),
            ("actor", letter.actor or "?"),
            ("tenant", letter.tenant or ""),
            (
                "event",
                f"{letter.event_type or '?'} {letter.event_id or ''} from {letter.event_source or '?'}",
            ),
            ("dead since", f"{letter.dead_since:%Y-%m-%d %H:%M:%S}Z" if letter.dead_since else "?"),
            ("age", format_age(letter.age(now))),
            ("reason code", letter.reason_code),
            ("reason", letter.reason),
            ("delivery count", str(letter.delivery_count) if letter.delivery_count is not None else "-"),
        ],
    )
    _show_record(letter)
    _show_deaths(letter)
    _show_body(letter)


def _show_record(letter: DeadLetterMessage) -> None:
    record = letter.record
    if record is None:
        output.facts("Recorded final error", [("record", "none (the worker wrote no record for this id)")])
    else:
        pairs = [
            ("reason code", record.reason_code),
            ("reason", record.reason),
            ("error class", record.error_class),
            ("attempts", str(record.attempts)),
            ("deaths", str(record.deaths)),
            ("failed at", f"{record.failed_at:%Y-%m-%d %H:%M:%S}Z"),
            ("replays", str(record.replays)),
            ("replayed at", f"{record.replayed_at:%Y-%m-%d %H:%M:%S}Z" if record.replayed_at else "never"),
        ]
        if record.predates_last_replay:
            pairs.append(("note", "this record is of a death before the last replay"))
        output.facts("Recorded final error", pairs)


def _show_deaths(letter: DeadLetterMessage) -> None:
    output.table(
        "x-death",
        ("reason", "queue", "count", "time", "exchange", "routing keys"),
        [
            (d.reason, d.queue, d.count, f"{d.time:%Y-%m-%d %H:%M:%S}Z" if d.time else "?",
             d.exchange or '""', ", ".join(d.routing_keys))
            for d in letter.deaths
        ]
        or [("(no x-death header)", "", "", "", "", "")],
    )  # fmt: skip


def _show_body(letter: DeadLetterMessage) -> None:
    if letter.message is None:
        output.say(f"Body ({len(letter.body)} bytes, {letter.decode_error}):")
        typer.echo(repr(letter.body[:2000]))
        return
    message = letter.message.asdict()
    options = dict(message.pop("options"))
    traceback = options.pop("traceback", None)
    kwargs = message.pop("kwargs")
    output.say("Dramatiq message (as last enqueued; retries counts the attempts before that)")
    typer.echo(json.dumps({**message, "options": options}, default=str, indent=2))
    if traceback:
        output.say("Traceback of the attempt before the last")
        typer.echo(str(traceback))
    event = letter.event
    output.say("Event" if event is not None else "Keyword arguments")
    typer.echo(json.dumps(event if event is not None else kwargs, default=str, indent=2))
