"""Fixtures of the integration lifecycle and backfill tests: a tenant, its app in the in-process
sandbox (one contract), live and bulk clients, and a publisher that keeps what it was given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingress.pushes import PushNotification, to_event
from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.ratelimit import Traffic
from schemas.envelope import Event
from schemas.linkedin import IntegrationStatusChanged
from store.db import Store
from store.tenants import TenantStatus
from store.uow import UnitOfWork
from tests.fakes import FakePublisher
from tests.helpers import ORG, create_tenant
from tests.sandbox_harness import BASE_URL, SandboxHarness, running_sandbox
from workers.runtime.wiring import use_linkedin_clients
from workers.status_push.ats_notes import handle_note_event
from workers.status_push.ats_records import handle_application_event, handle_candidate_event, handle_job_event

TENANT = "acme"
CLIENT_ID = "acme-client"
SECRET = "acme-secret"
CONTRACT = "urn:li:contract:10"


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def sandbox(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    """A PENDING tenant with one contract, and its app in the sandbox (callback checks off), which the
    customer has not enabled yet: these tests go through onboarding, and the sandbox refuses any sync
    before the customer enables the integration."""
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", BASE_URL)
    monkeypatch.setenv("RSC_PUBLIC_BASE_URL", "https://ats.example/rsc")
    from rsc.settings import reset_settings

    reset_settings()
    create_tenant(TENANT, client_id=CLIENT_ID, client_secret=SECRET, status=TenantStatus.PENDING)
    with UnitOfWork(TENANT, store) as uow:
        uow.contracts.add(CONTRACT)
        uow.commit()
    with running_sandbox(tmp_path, validate_callbacks=False) as harness:
        harness.create_app(CLIENT_ID, SECRET, ORG, contracts=[CONTRACT], enabled=False)
        clients = harness.linkedin_clients()
        use_linkedin_clients(clients)
        yield harness


@pytest.fixture
def clients(sandbox: SandboxHarness) -> LinkedInClients:
    from workers.runtime.wiring import linkedin_clients

    return linkedin_clients()


@pytest.fixture
def linkedin(clients: LinkedInClients) -> LinkedInClient:
    return clients.for_app(AppCredentials(CLIENT_ID, SECRET), ORG)


@pytest.fixture
def bulk(clients: LinkedInClients) -> LinkedInClient:
    return clients.for_app(AppCredentials(CLIENT_ID, SECRET), ORG, Traffic.BULK)


def status_change(
    sandbox: SandboxHarness, status: str, *, types: list[str] | None = None, push_id: str | None = None
) -> IntegrationStatusChanged:
    """The customer switches the integration in Recruiter; the push, as the ingress turns it into an event."""
    body: dict[str, Any] = {"clientId": CLIENT_ID, "status": status, "push": False}
    if types is not None:
        body["integrationTypes"] = types
    change = sandbox.control("POST", "/integration-status", json=body)
    push = PushNotification.model_validate(
        {
            "id": push_id or f"push-{change['requestId']}",
            "type": "INTEGRATION_STATUS_CHANGE",
            "requestId": change["requestId"],
            "integrationContext": ORG,
        }
    )
    event = to_event(push, TENANT)
    assert isinstance(event, IntegrationStatusChanged)
    return event


def apply(store: Store, *events: Event, tenant: str = TENANT) -> None:
    """ATS events through their handlers, as the status_push workers apply them."""
    for event in events:
        uow = UnitOfWork(tenant, store)
        kind = event.type.split(".")[1]
        if kind == "candidate_note":
            handle_note_event(event, uow)  # type: ignore[arg-type]
        elif kind == "candidate":
            handle_candidate_event(event, uow)  # type: ignore[arg-type]
        elif kind == "application":
            handle_application_event(event, uow)  # type: ignore[arg-type]
        else:
            handle_job_event(event, uow)  # type: ignore[arg-type]


def tenant_status(store: Store, tenant: str = TENANT) -> TenantStatus:
    from store.tenants import Tenant

    with store.session(None) as session:
        row = session.get(Tenant, tenant)
        assert row is not None
        return TenantStatus(row.status)


def remote(sandbox: SandboxHarness, resource: str) -> dict[str, Any]:
    """What the sandbox holds of the organization (jobs, candidates, applications), by id."""
    key = {
        "jobs": "externalJobPostingId",
        "candidates": "atsCandidateId",
        "applications": "atsJobApplicationId",
    }
    return {item[key[resource]]: item for item in sandbox.records(ORG, resource)[resource]}


def remote_notes(sandbox: SandboxHarness) -> dict[str, Any]:
    """Every candidate and application note the sandbox holds, by note id."""
    notes: dict[str, Any] = {}
    for resource in ("candidates", "applications"):
        for record in remote(sandbox, resource).values():
            notes.update(record.get("notes") or {})
    return notes
