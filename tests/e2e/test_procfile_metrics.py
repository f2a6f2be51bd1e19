"""`make run` starts the Procfile's process types with honcho: worker groups started that way each serve
their own /metrics, /healthz and /readyz, on the port honcho gives their process type."""

from __future__ import annotations

import functools
import os
import socket
import sys
from pathlib import Path

import httpx

from tests.e2e.pipeline import Pipeline
from tests.infra import free_port
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", port))  # where the metrics are served
        except OSError:
            return False
    return True


def free_base_port() -> int:
    """A port that is free, and so is the one 100 above it (honcho's step between process types)."""
    while True:
        port = free_port()
        if port + 100 <= 65535 and _bindable(port) and _bindable(port + 100):
            return port


def _serves(url: str) -> httpx.Response | None:
    try:
        response = httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None
    return response if response.status_code == 200 else None


def test_two_worker_groups_started_from_the_procfile_both_serve_metrics(
    tmp_path: Path, sqlite_url: str, rabbit: str
) -> None:
    base = free_base_port()
    # RSC_METRICS_PORT is the same for both (as under `make run`): the Procfile's $PORT must win.
    pipeline = Pipeline(tmp_path, sqlite_url, rabbit, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    try:
        pipeline.start(
            "honcho",
            "start",
            "--procfile",
            str(ROOT / "Procfile"),
            "--port",
            str(base),
            "profile_export",
            "status_push",
            program=str(BIN / "honcho"),
        )
        for port in (base, base + 100):
            metrics = eventually(
                functools.partial(_serves, f"http://127.0.0.1:{port}/metrics"),
                timeout=90,
                what=f"the worker group on port {port} to serve /metrics",
            )
            assert metrics is not None
            assert metrics.headers["content-type"].startswith("text/plain")
            health = _serves(f"http://127.0.0.1:{port}/healthz")
            assert health is not None and health.json() == {"status": "ok"}
        log = pipeline.log_text()
        assert "metrics port in use" not in log, log[-2000:]
    finally:
        pipeline.stop()
