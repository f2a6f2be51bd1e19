"""``rsc worker``: only known feature queues are consumed (a typo is refused before anything starts),
and each worker group writes its metric files into a fresh directory of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from prometheus_client import values
from typer.testing import CliRunner

from cli.worker import multiprocess_metrics_dir, run_worker

app = typer.Typer()
app.command()(run_worker)


@pytest.fixture
def restored_metrics(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's metrics stay single-process whatever the test sets."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    yield
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    values.ValueClass = values.get_value_class()


def test_an_unknown_queue_is_refused_with_the_known_ones() -> None:
    result = CliRunner().invoke(app, ["--queues", "status_push", "--queues", "status_psuh"])
    assert result.exit_code != 0
    assert "unknown queue(s) status_psuh; known: " in result.output
    assert "status_push" in result.output


def test_each_worker_group_gets_a_fresh_metrics_directory(restored_metrics: None) -> None:
    first = multiprocess_metrics_dir("status_push")
    second = multiprocess_metrics_dir("status_push")
    try:
        assert first != second
        assert Path(first).is_dir() and not any(Path(first).iterdir())
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == second
        assert Path(second).name.startswith("rsc-metrics-status_push-")
    finally:
        for path in (first, second):
            os.rmdir(path)
