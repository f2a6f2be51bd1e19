"""``rsc publish`` and ``rsc schema``: events for people and scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer


def _load_data(value: str) -> Any:
    if value == "-":
        return json.load(sys.stdin)
    if value.startswith("@"):
        return json.loads(Path(value[1:]).read_text())
    return json.loads(value)


def publish(
    event_type: str = typer.Argument(..., help="Event type, e.g. ats.job.published (latest version) or .v1."),
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    data: str = typer.Option(..., "--data", help="The event's data: JSON, @file.json, or - for stdin."),
    source: str = typer.Option("cli://rsc", help="CloudEvents source of the event."),
    event_id: str = typer.Option(None, "--id", help="Event id (default: a new uuid)."),
    subject: str = typer.Option(None, help="CloudEvents subject."),
) -> None:
    """Validate one event and publish it under publisher confirms."""
    from events.publisher import PublishError, get_publisher
    from schemas.catalog import InvalidEvent, parse_event, resolve_type

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
        get_publisher().publish(event)
    except (InvalidEvent, ValueError) as exc:
        typer.echo(f"rejected: {exc}", err=True)
        raise typer.Exit(2) from None
    except PublishError as exc:
        typer.echo(f"not published: {exc}", err=True)
        raise typer.Exit(3) from None
    typer.echo(json.dumps({"published": event.type, "id": event.id, "tenant": event.tenant}))


def schema(
    event_type: str = typer.Argument(None, help="One event type; default: every event type."),
    list_types: bool = typer.Option(False, "--list", help="Only list the event types."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the catalogue (docs/events.md)."),
) -> None:
    """Print the JSON Schema of every event (or one)."""
    from schemas.catalog import EVENT_CLASSES, EVENT_TYPES, json_schemas, resolve_type

    if markdown:
        from events.catalogue import render_catalogue

        typer.echo(render_catalogue(), nl=False)
        return
    if list_types:
        typer.echo("\n".join(EVENT_TYPES))
        return
    if event_type:
        resolved = resolve_type(event_type)
        typer.echo(json.dumps(EVENT_CLASSES[resolved].model_json_schema(), indent=2))
        return
    typer.echo(json.dumps(json_schemas(), indent=2))
