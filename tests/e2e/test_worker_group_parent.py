"""A worker group whose main process is killed (SIGKILL, no chance to stop its children) ends: its
readiness fails and its worker processes exit instead of consuming on unsupervised."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from tests.e2e.pipeline import Pipeline
from tests.infra import free_port
from tests.waiting import eventually


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found |= {int(child) for child in text.split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _ready(port: int) -> int | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code
    except httpx.HTTPError:
        return None


def test_killing_the_main_process_ends_readiness_and_every_worker_process(pipeline: Pipeline) -> None:
    port = free_port()
    pipeline.start_workers(
        "group", "profile_export", processes=2, threads=2, env={"RSC_METRICS_PORT": str(port)}
    )
    main = pipeline.processes["group"].pid
    eventually(lambda: _ready(port) == 200, timeout=60, what="the worker group to be ready")
    children: set[int] = eventually(
        lambda: _children(main) if len(_children(main)) >= 3 else set(), what="workers and exporter"
    )

    os.kill(main, signal.SIGKILL)  # the main process only, not its process group
    pipeline.processes.pop("group").wait(timeout=10)

    eventually(lambda: _ready(port) != 200, timeout=10, what="readiness to fail")
    eventually(lambda: not any(_alive(pid) for pid in children), timeout=30, what="every child to exit")
