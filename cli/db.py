"""``rsc db``: schema migrations."""

from __future__ import annotations

import typer

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the latest) on RSC_DATABASE_URL."""
    from store.migrate import upgrade as run_upgrade

    run_upgrade(revision=revision)
    typer.echo(f"database upgraded to {revision}")
