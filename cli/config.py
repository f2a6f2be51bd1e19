"""``rsc config``: the settings, documented or as this process sees them."""

from __future__ import annotations

import json

import typer

#: Settings never printed.
SECRET_FIELDS = frozenset({"secret_key", "smtp_password"})


def show_config(
    markdown: bool = typer.Option(False, "--markdown", help="Print the README's configuration table."),
    as_json: bool = typer.Option(False, "--json", help="The settings as one JSON object (secrets masked)."),
) -> None:
    """Print the effective settings (secrets masked), or the documented table with --markdown."""
    from rsc.config_docs import settings_table
    from rsc.settings import get_settings

    if markdown:
        typer.echo(settings_table(), nl=False)
        return
    settings = get_settings()
    shown = {
        f"RSC_{name.upper()}": "(set)" if name in SECRET_FIELDS and value else mask_password(str(value))
        for name, value in settings.model_dump(mode="json").items()
    }
    if as_json:
        typer.echo(json.dumps(shown))
        return
    for name, value in shown.items():
        typer.echo(f"{name}={value}")


def mask_password(value: str) -> str:
    """``scheme://user:secret@host/...`` -> ``scheme://user:***@host/...``; other values unchanged."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(value)
    if not parts.scheme or not parts.password:
        return value
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
