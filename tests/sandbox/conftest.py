"""Fixtures of the sandbox tests: an app per test on its own SQLite file, a bound and onboarded
customer calling in one shape of the API (each test that takes ``customer`` runs in both shapes),
and the check that the test broke no LinkedIn rule it did not declare."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from sandbox.app import create_app
from sandbox.config import SandboxConfig
from sandbox.state import Sandbox
from tests.sandbox.support import APIS, CONTRACT, NOW, ORG, V2_API, Api, Customer, violations
from tests.sandbox_harness import DECLARED, assert_no_undeclared


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


@contextmanager
def checked_client(app: Starlette, **kwargs: Any) -> Iterator[TestClient]:
    """A test client of ``app`` that fails the test if an undeclared rule was broken through it."""
    with TestClient(app, **kwargs) as client:
        yield client
        assert_no_undeclared(violations(client), DECLARED.get())


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with checked_client(app) as client:
        yield client


@pytest.fixture(params=APIS, ids=[api.name for api in APIS])
def api(request: pytest.FixtureRequest) -> Api:
    """The shape the test's customer speaks: v2, and rest/ at the latest version."""
    shape: Api = request.param
    return shape


def make_customer(
    client: TestClient,
    client_id: str = "acme",
    org: str | None = ORG,
    contracts: tuple[str, ...] = (CONTRACT,),
    callback_url: str | None = None,
    *,
    api: Api = V2_API,
    enabled: bool | None = None,
) -> Customer:
    """A customer app; onboarded (its integrations enabled) unless ``enabled=False`` or unbound."""
    body: dict[str, Any] = {
        "clientId": client_id,
        "clientSecret": f"{client_id}-secret",
        "organization": org,
        "contracts": list(contracts),
        "callbackUrl": callback_url,
    }
    if enabled is not None:
        body["enabled"] = enabled
    response = client.post("/_sandbox/apps", json=body)
    assert response.status_code == 201, response.text
    return Customer(client, client_id, f"{client_id}-secret", api)


@pytest.fixture
def customer(client: TestClient, api: Api) -> Customer:
    return make_customer(client, api=api)
