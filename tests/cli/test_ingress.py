"""``rsc ingress`` serves LinkedIn's webhook with the ATS views beside it: the app it starts answers
health checks, the webhook and the sync views (behind their token), on the configured port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import typer
from starlette.applications import Starlette
from starlette.testclient import TestClient
from typer.testing import CliRunner

from cli.ingress import run_ingress
from rsc.settings import reset_settings
from tests.helpers import create_tenant

app = typer.Typer()
app.command()(run_ingress)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``run_ingress`` hands to uvicorn: host, port and the app factory (nothing is bound)."""
    seen: dict[str, Any] = {}

    def serve(host: str, port: int, factory: Callable[[], Starlette]) -> None:
        seen.update(host=host, port=port, factory=factory)

    monkeypatch.setattr("ingress.app.serve", serve)
    return seen


def test_the_ingress_serves_the_webhook_and_the_ats_views(
    sqlite_url: str, rabbit: str, served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_ATS_API_TOKEN", "ats-token")
    reset_settings()
    create_tenant("acme")
    result = CliRunner().invoke(app, ["--port", "18099", "--host", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 18099)
    with TestClient(served["factory"]()) as client:
        assert client.get("/healthz").status_code == 200
        assert client.post("/webhooks/linkedin/acme", content=b"{}").status_code in (400, 401, 403, 404)
        assert client.get("/ats/acme/sync/problems").status_code == 401
        views = client.get("/ats/acme/sync/problems", headers={"Authorization": "Bearer ats-token"})
        assert views.status_code == 200, views.text
        assert client.get("/no/such/route").status_code == 404
