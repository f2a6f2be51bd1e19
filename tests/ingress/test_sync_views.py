"""The ATS API serves the sync ledger, the sync problems and the integration status as JSON, behind
the ATS backend's bearer token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import pytest
from starlette.testclient import TestClient

from events.publisher import Publisher
from ingress import sync_views
from ingress.app import create_app
from linkedin.client import LinkedInClient
from rsc.settings import get_settings
from store.db import get_store
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.helpers import add_contract, create_tenant
from workers.shared.outbox_sweep import sweep_outbox
from workers.status_push.ats_records import handle_application_event, handle_job_event

TOKEN = "ats-backend-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Nothing of this test reaches LinkedIn: the job is refused before a call, the application waits.
NO_LINKEDIN = cast(LinkedInClient, None)


@pytest.fixture
def client(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("RSC_ATS_API_TOKEN", TOKEN)
    from rsc.settings import reset_settings

    reset_settings()
    create_tenant("acme")
    add_contract("acme", "urn:li:contract:7")
    handle_job_event(ats.job("J-1", description=None), UnitOfWork("acme", get_store()))  # type: ignore[arg-type]
    handle_application_event(ats.application("A-1", job_id="J-404"), UnitOfWork("acme", get_store()))  # type: ignore[arg-type]
    sweep_outbox(UnitOfWork("acme", get_store()), NO_LINKEDIN, grace=timedelta(0), settings=get_settings())
    app = create_app(
        publisher=Publisher("memory://", settings=get_settings()),
        extra_routes=sync_views.routes(get_settings(), get_store()),
    )
    with TestClient(app) as test_client:
        yield test_client


def get(client: TestClient, path: str) -> Any:
    response = client.get(path, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_records_ledger_is_served_with_its_problem_and_fix(client: TestClient) -> None:
    body = get(client, "/ats/acme/sync/job/J-1")
    assert [e["step"] for e in body["entries"]] == ["stored", "refused"]
    assert body["entries"][0]["event_id"] == "J-1@0-published"
    assert body["problem"]["reason_code"] == "missing_description"
    assert "description" in body["problem"]["fix"]
    waiting = get(client, "/ats/acme/sync/application/A-1")
    assert waiting["entries"][-1]["detail"] == "waiting for job 'J-404'"
    assert client.get("/ats/acme/sync/job/J-9", headers=AUTH).status_code == 404
    assert client.get("/ats/acme/sync/teapot/J-1", headers=AUTH).status_code == 400


def test_the_tenants_problems_and_integration_status_are_served(client: TestClient) -> None:
    groups = get(client, "/ats/acme/sync/problems")["problems"]
    assert [(g["kind"], g["reason_code"], g["count"]) for g in groups] == [
        ("refused", "missing_description", 1)
    ]
    status = get(client, "/ats/acme/integration-status")
    assert status["enablement"]["status"] == "enabled" and status["enablement"]["syncing"] is True
    assert [c["contract"] for c in status["contracts"]] == ["urn:li:contract:7"]
    assert status["seats"] == {"active": 0, "mapped": 0, "unmapped": [], "users_without_seat": []}
    assert status["backfill"] is None
    assert status["sync_problems"] == {"refused:missing_description": 1}


def test_without_the_token_or_for_another_tenant_nothing_is_served(client: TestClient) -> None:
    assert client.get("/ats/acme/sync/problems").status_code == 401
    assert client.get("/ats/nobody/integration-status", headers=AUTH).status_code == 404
