"""`rsc worker`: which queues a worker group hands to Dramatiq, and what its processes are told; only
known feature queues are consumed (a typo is refused before anything starts), and each worker group
writes its metric files into a fresh directory of its own."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import values
from typer.testing import CliRunner

from cli.main import app
from cli.worker import multiprocess_metrics_dir
from rsc.settings import get_settings, reset_settings

runner = CliRunner()
#: The niceness increments the command asked for (os.nice is recorded, not called).
seen_nice: list[int] = []


@pytest.fixture
def dramatiq_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[argparse.Namespace]]:
    """Dramatiq's command line, recording what it was asked to run instead of starting processes.

    The worker command's process-wide set-up (logging, prometheus_client's multiprocess mode) is
    left out: it would outlive the test in this process."""
    import dramatiq.cli

    import cli.worker
    import rsc.logs

    seen: list[argparse.Namespace] = []
    seen_nice.clear()

    def main(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(dramatiq.cli, "main", main)
    monkeypatch.setattr(cli.worker, "multiprocess_metrics_dir", lambda group: str(tmp_path / group))
    monkeypatch.setattr(rsc.logs, "configure_logging", lambda *args, **kwargs: None)
    monkeypatch.setenv("RSC_WORKER_LANES", "all")

    def nice(increment: int) -> int:
        seen_nice.append(increment)
        return increment

    monkeypatch.setattr(os, "nice", nice)
    yield seen
    reset_settings()


@pytest.mark.parametrize(
    ("lanes", "queues"),
    [
        ("all", ["status_push", "prospect_poll", "status_push.bulk"]),
        ("normal", ["status_push", "prospect_poll"]),
        ("bulk", ["status_push.bulk"]),
    ],
)
def test_a_group_consumes_the_lanes_it_is_given(
    dramatiq_runs: list[argparse.Namespace], lanes: str, queues: list[str]
) -> None:
    result = runner.invoke(
        app, ["worker", "--queues", "status_push", "--queues", "prospect_poll", "--lanes", lanes, "-t", "3"]
    )
    assert result.exit_code == 0, result.output
    (args,) = dramatiq_runs
    assert args.queues == queues
    assert args.threads == 3
    # The processes Dramatiq forks read it from the environment: the bulk lanes' prefetch follows.
    assert os.environ["RSC_WORKER_LANES"] == lanes
    assert get_settings().worker_lanes.value == lanes
    # Only a group of bulk lanes lowers its priority.
    assert seen_nice == ([10] if lanes == "bulk" else [])


def test_a_bulk_group_keeps_its_priority_when_told_so(
    dramatiq_runs: list[argparse.Namespace], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_BULK_LANE_NICE", "0")
    assert runner.invoke(app, ["worker", "--queues", "status_push", "--lanes", "bulk"]).exit_code == 0
    assert [args.queues for args in dramatiq_runs] == [["status_push.bulk"]]
    assert seen_nice == []


def test_an_unknown_lane_or_queue_is_refused(dramatiq_runs: list[argparse.Namespace]) -> None:
    assert runner.invoke(app, ["worker", "--lanes", "fast"]).exit_code == 2
    assert runner.invoke(app, ["worker", "--queues", "nope"]).exit_code == 2
    assert dramatiq_runs == []


@pytest.fixture
def restored_metrics(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's metrics stay single-process whatever the test sets."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    yield
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    values.ValueClass = values.get_value_class()


def test_an_unknown_queue_is_refused_with_the_known_ones() -> None:
    result = runner.invoke(app, ["worker", "--queues", "status_push", "--queues", "status_psuh"])
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
