"""The probes every process serves: ``/metrics``, ``/healthz`` (the process answers) and ``/readyz``.

A worker group and the scheduler serve them on ``RSC_METRICS_PORT`` from a small WSGI server of
their own; the ingress serves the same three paths from its app. Readiness is a set of named checks,
each ``ok`` or the error class it met (never the error's text, which can quote a URL or a query).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

Checks = Callable[[], dict[str, str]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def check(probe: Callable[[], object]) -> str:
    """``ok`` when ``probe`` returns, else the class name of what it raised."""
    try:
        probe()
    except Exception as exc:
        return type(exc).__name__
    return "ok"


def broker_reachable(url: str) -> None:
    """Connect to the broker at ``url`` once (a ``stub://`` broker is always there)."""
    if url.startswith("stub://"):
        return
    import kombu

    with kombu.Connection(url, connect_timeout=3, heartbeat=0) as connection:
        connection.ensure_connection(max_retries=1)


def probes_app(registry: CollectorRegistry, readiness: Checks) -> WsgiApp:
    """``/metrics`` (the registry), ``/healthz`` (the process answers) and ``/readyz`` (``readiness``)."""
    metrics = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status": "ok"}']
        if path == "/readyz":
            checks = readiness()
            ready = all(value == "ok" for value in checks.values())
            body = ",".join(f'"{name}": "{value}"' for name, value in sorted(checks.items()))
            status = "ready" if ready else "not ready"
            start_response(
                "200 OK" if ready else "503 Service Unavailable", [("Content-Type", "application/json")]
            )
            return [f'{{"status": "{status}", {body}}}'.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"/metrics, /healthz and /readyz are served here\n"]

    return app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every few seconds would drown the log."""


def serve(
    port: int,
    registry: CollectorRegistry,
    readiness: Checks,
    host: str = "0.0.0.0",  # noqa: S104
) -> WSGIServer:
    """Serve ``probes_app`` on ``host:port`` from a daemon thread; raises OSError if the port is taken."""
    server = make_server(
        host,
        port,
        probes_app(registry, readiness),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
