"""``rsc worker``: Dramatiq's worker, bound to one or more feature queues."""

from __future__ import annotations

import typer

from workers.topology import Queue


def run_worker(
    queues: list[str] = typer.Option(
        None, "--queues", "-Q", help="Feature queues to consume (repeatable); default: all of them."
    ),
    processes: int = typer.Option(1, "--processes", "-p", min=1, help="Worker processes."),
    threads: int = typer.Option(8, "--threads", "-t", min=1, help="Threads per process."),
) -> None:
    """Consume feature queues (each queue's delay queue too) with Dramatiq workers."""
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    from rsc.logs import configure_logging

    known = {q.value for q in Queue}
    selected = queues or sorted(known)
    unknown = sorted(set(selected) - known)
    if unknown:
        raise typer.BadParameter(f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    configure_logging(process="worker")
    argv = [
        "workers.actors",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
        "--skip-logging",
        "--queues",
        *selected,
    ]
    raise typer.Exit(dramatiq_main(make_argument_parser().parse_args(argv)) or 0)
