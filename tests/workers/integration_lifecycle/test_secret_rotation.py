"""Rotating a provisioned customer app's client secret with the two-secret overlap, against the
in-process sandbox in strict mode: calls keep working throughout, the old secret is deleted, a rotation
blocked by two secrets is reported and recorded, and the scheduler asks for rotations once due."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClients
from linkedin.http import LinkedInHttp
from linkedin.provisioning import ProvisionedApplications
from rsc.settings import Settings, get_settings, reset_settings
from store.base import utcnow
from store.db import Store, get_store
from store.tenants import JobAvailability, Tenant
from store.uow import OpsUnitOfWork
from tests.fakes import FakePublisher
from tests.helpers import ORG, create_tenant
from tests.sandbox_harness import BASE_URL, InProcessTransport, SandboxHarness, running_sandbox
from workers.integration_lifecycle.handlers import integration_keys
from workers.integration_lifecycle.partner_apps import CustomerApp, provision_customer_app
from workers.integration_lifecycle.registration import Registration, register_tenant
from workers.integration_lifecycle.secret_rotation import RotationBlocked, rotate_secret, still_due
from workers.runtime.wiring import linkedin_for, partner_linkedin, use_linkedin_clients
from workers.scheduler import Scheduler

runner = CliRunner()
TENANT = "acme"
KEYS = integration_keys(ORG, [])


@pytest.fixture
def sandbox(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", BASE_URL)
    monkeypatch.setenv("RSC_PARTNER_CLIENT_ID", "parent-client")
    monkeypatch.setenv("RSC_PARTNER_CLIENT_SECRET", "parent-secret")
    monkeypatch.setenv("COLUMNS", "200")
    reset_settings()
    with running_sandbox(tmp_path, validate_callbacks=False) as harness:
        use_linkedin_clients(harness.linkedin_clients())
        yield harness


@pytest.fixture
def customer(sandbox: SandboxHarness) -> CustomerApp:
    """The tenant's app provisioned by the partner app, authorized by the customer for its organization."""
    provisioned, _ = provision_customer_app(partner_linkedin(), TENANT, "Acme", get_settings())
    sandbox.control("PUT", f"/apps/{provisioned.client_id}", json={"organization": ORG, "enabled": True})
    registration = Registration(
        TENANT,
        ORG,
        provisioned.client_id,
        provisioned.client_secret,
        JobAvailability.PRIVATE,
        "Acme",
        app_urn=provisioned.app_urn,
    )
    with OpsUnitOfWork(get_store()) as ops:
        register_tenant(ops, registration, update=False)
    return provisioned


def stored_tenant() -> Tenant:
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.tenants.require(TENANT)
        ops.session.expunge(tenant)
        return tenant


def secrets_held(sandbox: SandboxHarness, client_id: str) -> list[str]:
    # The control API reads the sandbox's own table; LinkedIn's list is checked through the client.
    return [
        s.secret_id
        for s in partner_linkedin().secrets(sandbox.control("GET", f"/apps/{client_id}")["appUrn"])
    ]


class DuringOverlap(ProvisionedApplications):
    """The partner's calls, running a check just before the old secret is deleted."""

    def __init__(self, http: LinkedInHttp, check: Callable[[], None]) -> None:
        super().__init__(http)
        self._check = check

    def delete_secret(self, app_urn: str, secret_id: str) -> None:
        self._check()
        super().delete_secret(app_urn, secret_id)


def test_rotation_keeps_calls_working_through_the_overlap_and_deletes_the_old_secret(
    sandbox: SandboxHarness, customer: CustomerApp
) -> None:
    clients = sandbox.linkedin_clients()
    old = AppCredentials(customer.client_id, customer.client_secret)
    assert len(clients.for_app(old, ORG).integrations.statuses(KEYS)) == len(
        KEYS
    )  # a token minted with the old secret
    (old_id,) = secrets_held(sandbox, customer.client_id)
    seen: dict[str, Any] = {}

    def overlap() -> None:
        seen["held"] = secrets_held(sandbox, customer.client_id)
        # A process still holding the old credentials keeps calling, on the token the new secret minted.
        seen["old_client"] = len(clients.for_app(old, ORG).integrations.statuses(KEYS))
        other_process = LinkedInClients(
            get_settings(), get_store, transport=InProcessTransport(sandbox.client)
        )
        seen["other_process"] = len(other_process.for_app(old, ORG).integrations.statuses(KEYS))

    partner = DuringOverlap(partner_linkedin().http, overlap)
    rotation = rotate_secret(TENANT, partner, clients.tokens, store=get_store())

    assert len(seen["held"]) == 2 and old_id in seen["held"]
    assert seen["old_client"] == seen["other_process"] == len(KEYS)
    assert rotation.deleted == (old_id,) and secrets_held(sandbox, customer.client_id) == [rotation.secret_id]
    tenant = stored_tenant()
    remote = sandbox.control("GET", f"/apps/{customer.client_id}")
    assert tenant.client_secret(get_store().keyring) == remote["clientSecret"] != customer.client_secret
    assert tenant.secret_id == rotation.secret_id and tenant.secret_rotated_at == rotation.rotated_at
    assert len(linkedin_for(TENANT).integrations.statuses(KEYS)) == len(KEYS)
    # Only one token was minted with the new secret, and none wasted (the harness checks token.reuse).
    mints = [
        c["calls"]
        for c in sandbox.counters()["calls"]
        if c["app"] == customer.client_id and c["resource"] == "oauth/accessToken" and c["status"] == 200
    ]
    assert mints == [2]
    # The old secret no longer mints.
    sandbox.allow("oauth.credentials")
    form = {
        "grant_type": "client_credentials",
        "client_id": old.client_id,
        "client_secret": old.client_secret,
    }
    assert sandbox.client.post("/oauth/v2/accessToken", data=form).status_code == 401


def test_rsc_tenant_rotate_secret_rotates_and_show_says_when(
    sandbox: SandboxHarness, customer: CustomerApp
) -> None:
    assert re.search(r"secret rotated +never", runner.invoke(app, ["tenant", "show", TENANT]).output)
    result = runner.invoke(app, ["tenant", "rotate-secret", TENANT])
    assert result.exit_code == 0, result.output
    assert f"secret of {TENANT} rotated at" in result.output
    rotated_at = stored_tenant().secret_rotated_at
    assert rotated_at is not None
    shown = runner.invoke(app, ["tenant", "show", TENANT, "--json"]).output
    assert f'"secret_rotated_at": "{rotated_at.isoformat(timespec="seconds")}"' in shown
    assert len(linkedin_for(TENANT).integrations.statuses(KEYS)) == len(KEYS)


def test_a_rotation_blocked_by_two_secrets_is_reported_and_recorded_not_forced(
    sandbox: SandboxHarness, customer: CustomerApp
) -> None:
    partner_linkedin().create_secret(customer.app_urn or "")  # someone rotated it by hand, half way

    result = runner.invoke(app, ["tenant", "rotate-secret", TENANT])

    assert result.exit_code == 1
    assert "holds two secrets already" in result.output and "LinkedIn allows no third" in result.output
    assert len(secrets_held(sandbox, customer.client_id)) == 2  # no third was asked for (no secret.limit)
    tenant = stored_tenant()
    assert (
        tenant.client_secret(get_store().keyring) == customer.client_secret
        and tenant.secret_rotated_at is None
    )
    assert tenant.secret_rotation_failed_at is not None
    assert "holds two secrets already" in (tenant.secret_rotation_error or "")
    assert "secret rotation failed" in runner.invoke(app, ["tenant", "show", TENANT]).output
    with pytest.raises(RotationBlocked):
        rotate_secret(TENANT, partner_linkedin(), sandbox.linkedin_clients().tokens, store=get_store())
    assert len(linkedin_for(TENANT).integrations.statuses(KEYS)) == len(KEYS)


def test_a_tenant_whose_credentials_were_typed_in_is_not_rotated(sandbox: SandboxHarness) -> None:
    create_tenant("globex", client_id="globex-client", client_secret="globex-secret")
    result = runner.invoke(app, ["tenant", "rotate-secret", "globex"])
    assert result.exit_code == 1 and "typed in by hand" in result.output


def rotations(publisher: FakePublisher) -> list[str]:
    return [b["kwargs"]["tenant"] for b in publisher.bodies() if b["actor_name"] == "rotate_secret"]


def test_the_scheduler_asks_for_a_rotation_once_the_configured_days_have_passed(store: Store) -> None:
    create_tenant("acme", client_id="acme-client")
    create_tenant("globex", client_id="globex-client")  # typed in by hand: not the pipeline's to rotate
    with OpsUnitOfWork(store) as ops:
        ops.tenants.require("acme").app_urn = "urn:li:developerApplication:100001"
        ops.commit()
    start = utcnow()
    settings = Settings(secret_rotation_days=10)

    def tick(days: float, scheduler: Scheduler | None = None) -> list[str]:
        publisher = FakePublisher()
        scheduler = scheduler or Scheduler(
            publisher, store, settings, clock=lambda: start + timedelta(days=days)
        )
        scheduler.publisher = publisher
        scheduler.tick()
        return rotations(publisher)

    assert tick(9) == []
    assert tick(11) == ["acme"]
    assert still_due(store, "acme", start + timedelta(days=11), 10)
    # Checked hourly, not on every tick.
    hourly = Scheduler(FakePublisher(), store, settings, clock=lambda: start + timedelta(days=11))
    assert tick(11, hourly) == ["acme"] and tick(11, hourly) == []

    with OpsUnitOfWork(store) as ops:  # a rotation that failed an hour ago waits a day
        ops.tenants.require("acme").secret_rotation_failed_at = start + timedelta(days=11)
        ops.commit()
    assert tick(11.5) == [] and tick(12.1) == ["acme"]
    with OpsUnitOfWork(store) as ops:  # rotated: due again ten days later
        tenant = ops.tenants.require("acme")
        tenant.secret_rotated_at, tenant.secret_rotation_failed_at = start + timedelta(days=12), None
        ops.commit()
    assert not still_due(store, "acme", start + timedelta(days=13), 10)
    assert tick(21) == [] and tick(22.5) == ["acme"]


def test_the_rotate_secret_actor_rotates_a_due_secret_once_however_often_it_is_delivered(
    sandbox: SandboxHarness, customer: CustomerApp
) -> None:
    from workers import actors

    actors.rotate_secret_actor.fn(tenant=TENANT)  # not due: a fresh secret is left alone
    assert stored_tenant().secret_rotated_at is None
    with OpsUnitOfWork(get_store()) as ops:  # the secret is older than RSC_SECRET_ROTATION_DAYS (75)
        ops.tenants.require(TENANT).created_at = utcnow() - timedelta(days=76)
        ops.commit()

    actors.rotate_secret_actor.fn(tenant=TENANT)
    rotated = stored_tenant()
    actors.rotate_secret_actor.fn(tenant=TENANT)  # redelivered

    assert rotated.secret_rotated_at is not None
    after = stored_tenant()
    keyring = get_store().keyring
    assert (after.secret_rotated_at, after.client_secret(keyring)) == (
        rotated.secret_rotated_at,
        rotated.client_secret(keyring),
    )
    assert secrets_held(sandbox, customer.client_id) == [rotated.secret_id]
    assert len(linkedin_for(TENANT).integrations.statuses(KEYS)) == len(KEYS)
