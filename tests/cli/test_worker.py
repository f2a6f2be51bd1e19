"""`rsc worker`: which queues a worker group hands to Dramatiq, and what its processes are told."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from rsc.settings import get_settings, reset_settings

runner = CliRunner()


@pytest.fixture
def dramatiq_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[argparse.Namespace]]:
    """Dramatiq's command line, recording what it was asked to run instead of starting processes.

    The worker command's process-wide set-up (logging, prometheus_client's multiprocess mode) is
    left out: it would outlive the test in this process."""
    import dramatiq.cli

    import cli.worker
    import rsc.logs

    seen: list[argparse.Namespace] = []

    def main(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(dramatiq.cli, "main", main)
    monkeypatch.setattr(cli.worker, "multiprocess_metrics_dir", lambda group: str(tmp_path / group))
    monkeypatch.setattr(rsc.logs, "configure_logging", lambda *args, **kwargs: None)
    monkeypatch.setenv("RSC_WORKER_LANES", "all")
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


def test_an_unknown_lane_or_queue_is_refused(dramatiq_runs: list[argparse.Namespace]) -> None:
    assert runner.invoke(app, ["worker", "--lanes", "fast"]).exit_code == 2
    assert runner.invoke(app, ["worker", "--queues", "nope"]).exit_code == 2
    assert dramatiq_runs == []
