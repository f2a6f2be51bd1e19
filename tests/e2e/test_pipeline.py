"""How the pipeline starts its worker groups: each serves its metrics on a port of its own, as the
Procfile gives each process type its own ``$PORT``, so groups side by side (and the scheduler, on the
pipeline's ``RSC_METRICS_PORT``) never log "metrics port in use"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.pipeline import Pipeline


def test_each_worker_group_serves_its_metrics_on_a_port_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = Pipeline(tmp_path, f"sqlite:///{tmp_path}/store.db", "amqp://guest:guest@127.0.0.1:5672/%2F")
    ports: dict[str, str] = {}

    def start(name: str, *args: str, env: dict[str, str] | None = None) -> None:
        ports[name] = {**pipeline.env, **(env or {})}["RSC_METRICS_PORT"]

    monkeypatch.setattr(pipeline, "start", start)
    try:
        pipeline.start_workers("status", "status_push", threads=2)
        pipeline.start_workers("match", "profile_match", threads=2)
        pipeline.start_workers("pinned", "profile_export", env={"RSC_METRICS_PORT": "9191"})
    finally:
        pipeline.stop()

    scheduler = pipeline.env["RSC_METRICS_PORT"]
    assert len({ports["status"], ports["match"], scheduler}) == 3, (ports, scheduler)
    # A port the caller names wins.
    assert ports["pinned"] == "9191"
