"""Entry point of the ``rsc`` console script."""

from __future__ import annotations

import typer

from cli import (
    backfill,
    candidate,
    config,
    db,
    demo,
    dlq,
    events,
    ingress,
    match,
    parked,
    privacy,
    sandbox,
    scheduler,
    seat,
    sync,
    tenant,
    worker,
)
from rsc.settings import get_settings

app = typer.Typer(
    name="rsc",
    help="LinkedIn Recruiter System Connect integration pipeline.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _logging() -> None:
    """Every command's log lines go through the same redaction and format as the services'; a
    command a person runs logs warnings only, unless RSC_LOG_LEVEL asks for more (the services
    configure their own)."""
    import logging
    import os

    from rsc.logs import configure_logging

    explicit = "RSC_LOG_LEVEL" in os.environ
    configure_logging(
        get_settings(), process="cli", minimum_level=logging.NOTSET if explicit else logging.WARNING
    )


app.add_typer(db.app, name="db")
app.add_typer(tenant.app, name="tenant")
app.add_typer(backfill.app, name="backfill")
app.add_typer(dlq.app, name="dlq")
app.add_typer(seat.app, name="seat")
app.add_typer(candidate.app, name="candidate")
app.add_typer(match.app, name="match")
app.add_typer(privacy.app, name="privacy")
app.add_typer(parked.app, name="parked")
app.add_typer(sync.app, name="sync")
app.command("worker")(worker.run_worker)
app.command("ingress")(ingress.run_ingress)
app.command("sandbox")(sandbox.run_sandbox)
app.command("scheduler")(scheduler.run_scheduler)
app.command("demo")(demo.run_demo)
app.command("config")(config.show_config)
app.command("publish")(events.publish)
app.command("check")(events.check)
app.command("schema")(events.schema)


def main() -> None:
    """The ``rsc`` console script: the app, with a person's mistakes told in one line (``cli.errors``)."""
    from cli.errors import user_error

    try:
        app()
    except Exception as exc:
        message = user_error(exc)
        if message is None:
            raise
        typer.echo(f"error: {message}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
