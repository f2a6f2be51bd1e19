"""``rsc sandbox`` serves the sandbox, and ``push-export|status-change`` ask a running one to push: a
real sandbox process on a free port; what a push needs is named when missing, and an unreachable
sandbox is one line of error."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from cli.sandbox import run_sandbox
from tests.helpers import ORG
from tests.infra import free_port
from tests.waiting import eventually

app = typer.Typer()
app.command()(run_sandbox)
runner = CliRunner()


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_sandbox/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """``rsc sandbox`` in a process of its own, with app ``acme-client`` not enabled yet."""
    port = free_port()
    rsc = str(Path(sys.executable).with_name("rsc"))
    process = subprocess.Popen(
        [rsc, "sandbox", "--port", str(port), "--db", str(tmp_path / "sandbox.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: answers(url), timeout=30, what="the sandbox to start")
        created = httpx.post(
            f"{url}/_sandbox/apps",
            json={
                "clientId": "acme-client",
                "clientSecret": "acme-secret",
                "organization": ORG,
                "enabled": False,
            },
        )
        assert created.status_code < 300, created.text
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_status_change_is_asked_of_the_running_sandbox(sandbox_url: str) -> None:
    result = runner.invoke(app, ["status-change", "--url", sandbox_url, "--client-id", "acme-client"])
    assert result.exit_code == 0, result.output
    assert "requestId" in json.loads(result.output)
    unknown = runner.invoke(app, ["status-change", "--url", sandbox_url, "--client-id", "nobody"])
    assert unknown.exit_code == 1  # the sandbox's refusal is printed, and fails the command


def test_what_a_push_needs_is_named() -> None:
    nobody = runner.invoke(app, ["status-change", "--url", "http://127.0.0.1:1"])
    assert nobody.exit_code != 0 and "name the customer app with --client-id or --org" in nobody.output
    no_job = runner.invoke(app, ["push-export", "--url", "http://127.0.0.1:1", "--org", ORG])
    assert no_job.exit_code != 0 and "push-export needs --job and --member" in no_job.output


def test_an_unreachable_sandbox_is_one_line_of_error() -> None:
    result = runner.invoke(app, ["status-change", "--url", "http://127.0.0.1:1", "--org", ORG])
    assert result.exit_code == 1
    assert result.output.startswith("cannot reach the sandbox at http://127.0.0.1:1")
