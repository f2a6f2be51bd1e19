"""``rsc publish`` and ``rsc schema``: events for people and scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from rsc.settings import get_settings


class UserInputError(ValueError):
    """A mistake in what the person typed: told in one line, never a traceback."""


def _load_data(value: str) -> Any:
    try:
        if value == "-":
            return json.load(sys.stdin)
        if value.startswith("@"):
            return json.loads(Path(value[1:]).read_text())
        return json.loads(value)
    except OSError as exc:
        raise UserInputError(f"cannot read {value[1:]!r}: {exc.strerror or type(exc).__name__}") from None
    except ValueError as exc:
        raise UserInputError(f"--data is not JSON ({exc})") from None


def publish(
    event_type: str = typer.Argument(..., help="Event type, e.g. ats.job.published (latest version) or .v1."),
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    data: str = typer.Option(..., "--data", help="The event's data: JSON, @file.json, or - for stdin."),
    source: str = typer.Option("cli://rsc", help="CloudEvents source of the event."),
    event_id: str = typer.Option(None, "--id", help="Event id (default: a new uuid)."),
    subject: str = typer.Option(None, help="CloudEvents subject."),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse an event whose record LinkedIn will refuse (see `rsc check`)."
    ),
    bulk: bool = typer.Option(
        False, "--bulk", help="Part of a bulk import: send it to its queues' bulk lanes (`<queue>.bulk`)."
    ),
) -> None:
    """Validate one event and publish it under publisher confirms.

    An event whose record LinkedIn will refuse (a required field missing) is published with a
    warning, or refused with --strict. With --bulk it goes to the bulk lanes, where a bulk import
    waits behind no other tenant and holds up none.
    """
    from events.publisher import PublishError, get_publisher
    from schemas.catalog import InvalidEvent, parse_event, resolve_type
    from schemas.requirements import sync_problems

    try:
        raw: dict[str, Any] = {
            "type": resolve_type(event_type),
            "tenant": tenant,
            "source": source,
            "data": _load_data(data),
        }
        if event_id:
            raw["id"] = event_id
        if subject:
            raw["subject"] = subject
        event = parse_event(raw)
        problems = sync_problems(event)
        get_publisher(get_settings()).publish(event, strict=strict, bulk=bulk)
    except (InvalidEvent, ValueError) as exc:
        typer.echo(f"rejected: {exc}", err=True)
        raise typer.Exit(2) from None
    except PublishError as exc:
        typer.echo(f"not published: {exc}", err=True)
        raise typer.Exit(3) from None
    for problem in problems:
        typer.echo(f"warning: will not sync to LinkedIn: {problem}", err=True)
    typer.echo(json.dumps({"published": event.type, "id": event.id, "tenant": event.tenant}))


def check(
    path: Path = typer.Argument(..., help="Events: one JSON object a line, or a JSON array; - for stdin."),
    strict: bool = typer.Option(False, "--strict", help="Fail on events LinkedIn will refuse too."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per event, for machines."),
) -> None:
    """Check a file of events offline: schema, size and what LinkedIn requires for a record to sync.

    Exit code 0 when every event is valid (and, with --strict, will sync), 1 otherwise.
    """
    from rsc.settings import get_settings
    from schemas.catalog import InvalidEvent, check_size, parse_event
    from schemas.requirements import sync_problems

    try:
        items = _read_events(path)
    except UserInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    limit = get_settings().max_event_bytes
    failed = 0
    for number, item in enumerate(items, start=1):
        outcome: dict[str, Any] = {"event": number}
        try:
            check_size(len(json.dumps(item, separators=(",", ":"))), limit, f"event {number}")
            event = parse_event(item)
            outcome.update(id=event.id, type=event.type, will_not_sync=sync_problems(event))
            outcome["ok"] = not (strict and outcome["will_not_sync"])
        except InvalidEvent as exc:
            outcome.update(ok=False, error=str(exc))
        failed += not outcome["ok"]
        if as_json:
            typer.echo(json.dumps(outcome))
        elif "error" in outcome:
            typer.echo(f"event {number}: invalid: {outcome['error']}")
        elif outcome["will_not_sync"]:
            for problem in outcome["will_not_sync"]:
                typer.echo(f"event {number} ({outcome['id']}): will not sync to LinkedIn: {problem}")
    if not as_json:
        typer.echo(f"{len(items)} events, {failed} failed")
    raise typer.Exit(1 if failed else 0)


def _read_events(path: Path) -> list[Any]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text()
    except OSError as exc:
        raise UserInputError(f"cannot read {str(path)!r}: {exc.strerror or type(exc).__name__}") from None
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except ValueError as exc:
            raise UserInputError(f"{str(path)!r} is not a JSON array ({exc})") from None
        return list(items)
    events: list[Any] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except ValueError:
            events.append(line)  # parse_event says why, as for any malformed event
    return events


def schema(
    event_type: str = typer.Argument(None, help="One event type; default: every event type."),
    list_types: bool = typer.Option(False, "--list", help="Only list the event types."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the catalogue (docs/events.md)."),
) -> None:
    """Print the JSON Schema of every event (or one)."""
    from schemas.catalog import EVENT_TYPES, event_schema, json_schemas, resolve_type

    if markdown:
        from events.catalogue import render_catalogue

        typer.echo(render_catalogue(), nl=False)
        return
    if list_types:
        typer.echo("\n".join(EVENT_TYPES))
        return
    if event_type:
        resolved = resolve_type(event_type)
        typer.echo(json.dumps(event_schema(resolved), indent=2))
        return
    typer.echo(json.dumps(json_schemas(), indent=2))
