"""``rsc worker``: Dramatiq's worker, bound to one or more feature queues."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import typer

from events.topology import Queue, lane_queues
from rsc.settings import WorkerLanes, get_settings, reset_settings

#: Forked by Dramatiq's main process: serves the worker group's metrics on RSC_METRICS_PORT
#: (which ``--metrics-port`` sets).
METRICS_EXPORTER = "workers.runtime.probes:serve_worker_metrics"


def run_worker(
    queues: list[str] = typer.Option(
        None, "--queues", "-Q", help="Feature queues to consume (repeatable); default: all of them."
    ),
    processes: int = typer.Option(1, "--processes", "-p", min=1, help="Worker processes."),
    threads: int = typer.Option(8, "--threads", "-t", min=1, help="Threads per process."),
    lanes: WorkerLanes = typer.Option(
        WorkerLanes.ALL,
        "--lanes",
        help="Lanes of the queues to consume: all (the normal lane and the bulk lane, which leaves "
        "RSC_BULK_LANE_FREE_THREADS threads to the normal one), normal, or bulk (a group of its own "
        "for bulk imports and bursts).",
    ),
    metrics_port: int | None = typer.Option(
        None,
        "--metrics-port",
        min=1,
        max=65535,
        help="Port of the group's metrics, /healthz and /readyz; default: RSC_METRICS_PORT.",
    ),
) -> None:
    """Consume feature queues (each queue's delay queue and bulk lane too) with Dramatiq workers.

    With --lanes normal and --lanes bulk, two groups share a queue: the bulk one takes imports and
    bursts in processes of its own, so they never share an interpreter with the other tenants' events,
    and runs them at a lower CPU priority (RSC_BULK_LANE_NICE).

    The group's metrics, /healthz and /readyz are served on --metrics-port (RSC_METRICS_PORT).
    """
    known = {q.value for q in Queue}
    selected = queues or sorted(known)
    unknown = sorted(set(selected) - known)
    if unknown:
        raise typer.BadParameter(f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    # The processes Dramatiq forks (and its metrics exporter) read the settings from the environment.
    if metrics_port is not None:
        os.environ["RSC_METRICS_PORT"] = str(metrics_port)
    os.environ["RSC_WORKER_LANES"] = lanes.value
    reset_settings()
    settings = get_settings()
    if lanes is WorkerLanes.BULK and settings.bulk_lane_nice:
        # Its processes (Dramatiq forks them from this one) yield the cores to the normal lanes'
        # processes on the same machine whenever both have work.
        os.nice(settings.bulk_lane_nice)
    group = "-".join(sorted(set(selected))) if queues else "all"
    metrics_dir = multiprocess_metrics_dir(group if lanes is WorkerLanes.ALL else f"{group}-{lanes.value}")
    try:
        from dramatiq.cli import main as dramatiq_main
        from dramatiq.cli import make_argument_parser

        from rsc.logs import configure_logging

        configure_logging(settings, process="worker")
        argv = [
            "workers.actors",
            "--processes",
            str(processes),
            "--threads",
            str(threads),
            "--skip-logging",
            "--fork-function",
            METRICS_EXPORTER,
            "--queues",
            *lane_queues(selected, lanes),
        ]
        code = dramatiq_main(make_argument_parser().parse_args(argv)) or 0
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    raise typer.Exit(code)


def multiprocess_metrics_dir(group: str) -> str:
    """A fresh directory for this worker group's metric files, set where its processes will look.

    prometheus_client picks its value class (multiprocess or not) when it is imported; every process
    Dramatiq forks inherits the variable, and a value class chosen earlier is chosen again.
    """
    path = tempfile.mkdtemp(prefix=f"rsc-metrics-{group[:60]}-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    if "prometheus_client" in sys.modules:
        from prometheus_client import values

        values.ValueClass = values.get_value_class()
    return path
