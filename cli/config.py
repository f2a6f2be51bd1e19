"""``rsc config``: the settings, documented or as this process sees them."""

from __future__ import annotations

import typer

#: Settings never printed.
SECRET_FIELDS = frozenset({"secret_key", "smtp_password"})


def show_config(
    markdown: bool = typer.Option(False, "--markdown", help="Print the README's configuration table."),
) -> None:
    """Print the effective settings (secrets masked), or the documented table with --markdown."""
    from rsc.config_docs import settings_table
    from rsc.settings import get_settings

    if markdown:
        typer.echo(settings_table(), nl=False)
        return
    settings = get_settings()
    for name, value in settings.model_dump().items():
        shown = "(set)" if name in SECRET_FIELDS and value else mask_password(str(value))
        typer.echo(f"RSC_{name.upper()}={shown}")


def mask_password(value: str) -> str:
    """``scheme://user:secret@host/...`` -> ``scheme://user:***@host/...``; other values unchanged."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(value)
    if not parts.scheme or not parts.password:
        return value
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
