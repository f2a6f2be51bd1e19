"""``rsc db``: schema migrations."""

from __future__ import annotations

import typer

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the latest) on RSC_DATABASE_URL."""
    from store.db import get_store
    from store.migrate import upgrade as run_upgrade

    run_upgrade(get_store(), revision=revision)
    typer.echo(f"database upgraded to {revision}")
