"""Fixtures of the sandbox tests: an app per test on its own SQLite file, and a bound customer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from sandbox.app import create_app
from sandbox.config import SandboxConfig
from sandbox.state import Sandbox
from tests.sandbox.support import CONTRACT, NOW, ORG, Customer


@pytest.fixture
def config(tmp_path: Path) -> SandboxConfig:
    config = SandboxConfig(db_path=str(tmp_path / "sandbox.db"), clock_start_ms=NOW, seed=7)
    config.settings.job_task_delay_s = 5
    config.settings.push_backoff_s = 0.05
    config.settings.push_backoff_max_s = 0.2
    return config


@pytest.fixture
def app(config: SandboxConfig) -> Starlette:
    return create_app(config)


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    sandbox: Sandbox = app.state.sandbox
    return sandbox


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def make_customer(
    client: TestClient,
    client_id: str = "acme",
    org: str | None = ORG,
    contracts: tuple[str, ...] = (CONTRACT,),
    callback_url: str | None = None,
) -> Customer:
    body = {
        "clientId": client_id,
        "clientSecret": f"{client_id}-secret",
        "organization": org,
        "contracts": list(contracts),
        "callbackUrl": callback_url,
    }
    response = client.post("/_sandbox/apps", json=body)
    assert response.status_code == 201, response.text
    return Customer(client, client_id, f"{client_id}-secret")


@pytest.fixture
def customer(client: TestClient) -> Customer:
    return make_customer(client)
