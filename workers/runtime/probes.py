"""What a worker group and the scheduler report on ``/readyz``, and the worker group's exporter."""

from __future__ import annotations

import os
import time

from sqlalchemy import text

from rsc.health import broker_reachable, check, serve
from rsc.lifeline import end_with_parent, parent_alive
from rsc.logs import configure_logging, get_logger
from rsc.metrics import worker_group_registry
from rsc.settings import Settings
from store.db import Store
from workers.runtime.wiring import runtime


def _database_answers(store: Store) -> None:
    with store.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def dependency_checks(settings: Settings, store: Store) -> dict[str, str]:
    """``ok`` or the error class for the store and RabbitMQ, as the ingress's ``/readyz`` reports them."""
    return {
        "database": check(lambda: _database_answers(store)),
        "broker": check(lambda: broker_reachable(settings.broker_url)),
    }


def serve_worker_metrics() -> int:
    """The worker group's exporter; Dramatiq's main process forks it (``rsc worker``) and stops it.

    When the port is taken (two worker groups on one host with the same ``RSC_METRICS_PORT``), it
    says so and stays idle: Dramatiq stops a worker group whose forked process exits.
    """
    settings, store = runtime().settings, runtime().store
    configure_logging(settings, process="metrics")
    log = get_logger(__name__)
    group = os.getppid()
    end_with_parent(group)

    def readiness() -> dict[str, str]:
        # The group's main process first: without it the group is gone, whatever else answers.
        return {"worker_group": "ok" if parent_alive(group) else "gone", **dependency_checks(settings, store)}

    port = settings.metrics_port
    try:
        serve(port, worker_group_registry(), readiness)
        log.info("metrics served", port=port)
    except OSError:
        log.warning(
            "metrics port in use; this worker group's metrics are not served (give each worker group "
            "on a host its own --metrics-port or RSC_METRICS_PORT)",
            port=port,
        )
    while True:
        time.sleep(3600)
