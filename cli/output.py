"""How commands print: for people at a terminal, for scripts and narrow ``kubectl exec`` sessions.

At a terminal, rich tables. Without one (a pipe, ``kubectl exec`` with no TTY), plain columns that
never wrap a value, so an id stays on one line and can be copied or grepped; with ``--json``, one JSON
object per record (or one per command for a single record), for machines.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def is_terminal() -> bool:
    return console.is_terminal


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows under their column names: a rich table at a terminal, plain aligned columns elsewhere."""
    cells = [[_text(value) for value in row] for row in rows]
    if is_terminal():
        rich_table = Table(*columns, title=title, title_justify="left")
        for row in cells:
            rich_table.add_row(*row)
        console.print(rich_table)
        return
    if title:
        typer.echo(title)
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    for row in [list(columns), *cells]:
        typer.echo("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def facts(title: str | None, pairs: Sequence[tuple[str, Any]]) -> None:
    """Label and value pairs of one record."""
    if is_terminal():
        rich_table = Table(show_header=False, title=title, title_justify="left")
        for label, value in pairs:
            rich_table.add_row(label, _text(value))
        console.print(rich_table)
        return
    if title:
        typer.echo(title)
    width = max((len(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        typer.echo(f"{label.ljust(width)}  {_text(value)}")


def json_line(record: Mapping[str, Any]) -> None:
    typer.echo(json.dumps(record, default=str, sort_keys=False))


def say(text: str) -> None:
    """A line for people (markup only at a terminal)."""
    if is_terminal():
        console.print(text)
    else:
        typer.echo(Console(markup=True).render_str(text).plain)


def fail(text: str, code: int = 1) -> typer.Exit:
    """One line of error on stderr, no traceback; ``raise fail(...)``."""
    typer.echo(f"error: {text}", err=True)
    return typer.Exit(code)


def _text(value: Any) -> str:
    return "" if value is None else str(value)
