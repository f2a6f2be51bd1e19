"""Entry point of the ``rsc`` console script."""

from __future__ import annotations

import typer

from rsc.cli import db, sandbox

app = typer.Typer(
    name="rsc",
    help="LinkedIn Recruiter System Connect integration pipeline.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.command("sandbox")(sandbox.run_sandbox)


if __name__ == "__main__":
    app()
