"""What a worker group and the scheduler report on ``/readyz``, and the worker group's exporter."""

from __future__ import annotations

import os
import time

from sqlalchemy import text

from rsc.health import broker_reachable, check, serve
from rsc.lifeline import end_with_parent, parent_alive
from rsc.logs import configure_logging, get_logger
from rsc.metrics import worker_group_registry
from rsc.settings import get_settings
from store.db import get_store


def _database_answers() -> None:
    with get_store().engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def dependency_checks() -> dict[str, str]:
    """``ok`` or the error class for the store and RabbitMQ, as the ingress's ``/readyz`` reports them."""
    return {
        "database": check(_database_answers),
        "broker": check(lambda: broker_reachable(get_settings().broker_url)),
    }


def serve_worker_metrics() -> int:
    """The worker group's exporter; Dramatiq's main process forks it (``rsc worker``) and stops it.

    When the port is taken (two worker groups on one host with the same ``RSC_METRICS_PORT``), it
    says so and stays idle: Dramatiq stops a worker group whose forked process exits.
    """
    configure_logging(process="metrics")
    log = get_logger(__name__)
    group = os.getppid()
    end_with_parent(group)

    def readiness() -> dict[str, str]:
        # The group's main process first: without it the group is gone, whatever else answers.
        return {"worker_group": "ok" if parent_alive(group) else "gone", **dependency_checks()}

    port = get_settings().metrics_port
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
