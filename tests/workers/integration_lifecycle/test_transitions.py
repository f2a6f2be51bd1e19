"""Every transition of a tenant's integration, against the in-process sandbox, on both stores:
onboarding, a verified enablement starting the backfill, disabling by the customer and by the
operator, pushes out of order and twice, legacy CSA tenants, and a purge of what LinkedIn holds."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInNotFound
from rsc.settings import get_settings
from schemas.commands import BackfillSlice
from schemas.linkedin import IntegrationStatusChanged
from store.backfill import BackfillKind, BackfillState
from store.db import Store
from store.integrations import IntegrationStatus, IntegrationType
from store.linkedin_sync import Resource
from store.tenants import Tenant, TenantStatus
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.fakes import FakePublisher
from tests.helpers import ORG
from tests.sandbox_harness import SandboxHarness
from tests.workers.integration_lifecycle.conftest import (
    CONTRACT,
    TENANT,
    apply,
    remote,
    remote_notes,
    status_change,
    tenant_status,
)
from workers.historical_backfill.runner import run_backfill
from workers.integration_lifecycle.handlers import (
    ForeignIntegrationContext,
    disable,
    handle_status_changed,
    onboard,
    verify,
)
from workers.shared.outbox_sweep import sweep_outbox


def stored_integrations(store: Store) -> dict[tuple[str, str], str]:
    with UnitOfWork(TENANT, store) as uow:
        return {(i.integration_type, i.context): i.status for i in uow.integrations.all()}


def naming(event: IntegrationStatusChanged, request_id: str) -> IntegrationStatusChanged:
    """The push as someone else would forge it: signed for this tenant, naming another request."""
    data = event.data.model_copy(update={"request_id": request_id})
    return event.model_copy(update={"id": f"forged-{request_id}", "data": data})


def run_to_end(store: Store, bulk: LinkedInClient, publisher: FakePublisher) -> None:
    """Work on the tenant's latest run until it is over, as the historical_backfill workers do."""
    for _ in range(200):
        with UnitOfWork(TENANT, store) as uow:
            run = uow.backfills.current()
            assert run is not None
            if run.state != BackfillState.RUNNING:
                return
            number = run.run
        run_backfill(
            BackfillSlice(tenant=TENANT, run=number),
            UnitOfWork(TENANT, store),
            bulk,
            publisher,
            settings=get_settings(),
        )
    raise AssertionError("the run did not end")


def seed(store: Store) -> None:
    apply(
        store,
        ats.job("J-1"),
        ats.job("J-2", state="closed"),
        ats.candidate("C-1"),
        ats.candidate("C-2"),
        ats.application("A-1", candidate_id="C-1", job_id="J-1"),
        ats.application("A-1", candidate_id="C-1", job_id="J-1", status="Screen", step=1),
        ats.application("A-2", candidate_id="C-2", job_id="J-2"),
        ats.note("N-1", candidate_id="C-1"),
        ats.note("N-2", candidate_id="C-2", application_id="A-2"),
    )


def test_onboarding_names_every_integration_and_registers_the_callback_url(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, publisher: FakePublisher
) -> None:
    with store.session(None) as session:
        tenant = session.get(Tenant, TENANT)
        assert tenant is not None
        tenant.display_name = "Acme"
        session.commit()
    report = onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())

    assert report.refused == {}
    assert report.callback_url == "https://ats.example/rsc/webhooks/linkedin/acme"
    assert sorted(report.named) == sorted(
        [f"ONE_CLICK_EXPORT {ORG}", f"IN_ATS_INDICATOR {ORG}", f"PROFILE_PLUGIN {ORG}", f"CSA_API {CONTRACT}"]
    )
    integrations = {
        (i["key"]["integrationType"], i["key"]["integrationContext"]): i
        for i in sandbox.records(ORG, "integrations")["integrations"]
    }
    assert integrations[("ONE_CLICK_EXPORT", ORG)]["integrationName"] == (
        "Acme LinkedIn Recruiter One-Click Export Integration"
    )
    assert integrations[("CSA_API", CONTRACT)]["integrationName"] == (
        "Acme LinkedIn Recruiter Cross-System Awareness Integration (contract 10)"
    )
    callback = integrations[("ONE_CLICK_EXPORT", ORG)]["configurations"]["CALLBACK_URL"]
    assert callback == {"configurationValue": {"string": report.callback_url}}
    # Named, not enabled: the tenant waits, and nothing was started.
    assert set(stored_integrations(store).values()) == {IntegrationStatus.NOT_ENABLED}
    assert tenant_status(store) is TenantStatus.PENDING
    assert report.transition is not None and not report.transition.changed
    assert publisher.messages == []
    with store.session(None) as session:
        tenant = session.get(Tenant, TENANT)
        assert tenant is not None and tenant.callback_url == report.callback_url
    # Onboarding again changes nothing but the names it sets again.
    again = onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    assert again.refused == {} and len(again.named) == 4


def test_nothing_reaches_linkedin_before_enablement_and_the_backfill_sends_the_current_state(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
) -> None:
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    seed(store)  # the ATS keeps publishing while the customer has not enabled the integration
    apply(store, ats.candidate("C-1", modified=60, last_name="Byron"))

    report = sweep_outbox(UnitOfWork(TENANT, store), linkedin, grace=timedelta(0), settings=get_settings())
    assert report.skipped and report.sent == {}
    assert remote(sandbox, "candidates") == {} and remote(sandbox, "jobs") == {}
    with UnitOfWork(TENANT, store) as uow:  # stored, and waiting in the outbox
        assert uow.candidates.get("C-1") is not None
        assert uow.outbox.dirty_count() == 8

    event = status_change(sandbox, "ENABLED")
    transition = handle_status_changed(event, UnitOfWork(TENANT, store), linkedin, publisher)

    assert transition is not None and transition.after is TenantStatus.ENABLED
    assert transition.started_run == 1
    assert tenant_status(store) is TenantStatus.ENABLED
    assert set(stored_integrations(store).values()) == {IntegrationStatus.ENABLED}
    (message,) = publisher.messages
    body = json.loads(message.body)
    assert (message.queue, body["actor_name"], body["kwargs"]) == (
        "historical_backfill",
        "run_backfill",
        {"tenant": TENANT, "run": 1},
    )
    run_to_end(store, bulk, publisher)

    assert set(remote(sandbox, "jobs")) == {"J-1", "J-2"}
    assert remote(sandbox, "jobs")["J-2"]["state"] == "CLOSED"  # closed jobs too
    candidates = remote(sandbox, "candidates")
    assert set(candidates) == {"C-1", "C-2"} and candidates["C-1"]["lastName"] == "Byron"
    applications = remote(sandbox, "applications")
    assert set(applications["A-1"]["stages"]) == {"A-1-t0", "A-1-t1"}
    assert set(remote_notes(sandbox)) == {"N-1", "N-2"}
    assert "N-2" in applications["A-2"]["notes"]
    with UnitOfWork(TENANT, store) as uow:
        assert uow.outbox.dirty_count() == 0
        run = uow.backfills.current()
        assert run is not None and run.state == BackfillState.DONE


def test_the_same_push_twice_is_applied_once(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, publisher: FakePublisher
) -> None:
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    event = status_change(sandbox, "ENABLED")
    assert handle_status_changed(event, UnitOfWork(TENANT, store), linkedin, publisher) is not None
    assert handle_status_changed(event, UnitOfWork(TENANT, store), linkedin, publisher) is None
    with UnitOfWork(TENANT, store) as uow:
        run = uow.backfills.current()
        assert run is not None and run.run == 1  # one backfill, not two
    assert len(publisher.messages) == 1


def test_pushes_handled_out_of_order_leave_the_latest_state(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, publisher: FakePublisher
) -> None:
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    enabled = status_change(sandbox, "ENABLED")
    disabled = status_change(sandbox, "DISABLED")

    # The later push is handled first; the earlier one arrives late.
    handle_status_changed(disabled, UnitOfWork(TENANT, store), linkedin, publisher)
    late = handle_status_changed(enabled, UnitOfWork(TENANT, store), linkedin, publisher)

    assert late is not None and not late.changed
    assert tenant_status(store) is TenantStatus.PENDING  # never enabled
    assert set(stored_integrations(store).values()) == {IntegrationStatus.DISABLED}
    assert publisher.messages == []


def test_disabling_in_recruiter_stops_the_backfill_and_every_push(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
) -> None:
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    seed(store)
    handle_status_changed(status_change(sandbox, "ENABLED"), UnitOfWork(TENANT, store), linkedin, publisher)

    transition = handle_status_changed(
        status_change(sandbox, "DISABLED"), UnitOfWork(TENANT, store), linkedin, publisher
    )

    assert transition is not None and transition.after is TenantStatus.DISABLED
    assert transition.stopped_run == 1
    with UnitOfWork(TENANT, store) as uow:
        run = uow.backfills.current()
        assert run is not None and run.state == BackfillState.STOPPED
        assert run.reason == "the integration was disabled in LinkedIn Recruiter"
    # A runner that was already queued finds the run stopped and sends nothing.
    report = run_backfill(
        BackfillSlice(tenant=TENANT, run=1),
        UnitOfWork(TENANT, store),
        bulk,
        publisher,
        settings=get_settings(),
    )
    assert report.stopped is not None and report.batches == 0
    apply(store, ats.candidate("C-3"))
    assert sweep_outbox(
        UnitOfWork(TENANT, store), linkedin, grace=timedelta(0), settings=get_settings()
    ).skipped
    assert remote(sandbox, "candidates") == {} and remote(sandbox, "jobs") == {}


def test_enabling_only_the_contract_level_integration_does_not_start_syncing(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, publisher: FakePublisher
) -> None:
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    event = status_change(sandbox, "ENABLED", types=["CSA_API"])
    transition = handle_status_changed(event, UnitOfWork(TENANT, store), linkedin, publisher)
    assert transition is not None and transition.after is TenantStatus.PENDING
    assert stored_integrations(store)[("CSA_API", CONTRACT)] == IntegrationStatus.ENABLED

    # The company-level integrations follow; now it syncs.
    event = status_change(sandbox, "ENABLED", types=["ONE_CLICK_EXPORT", "IN_ATS_INDICATOR"])
    transition = handle_status_changed(event, UnitOfWork(TENANT, store), linkedin, publisher)
    assert transition is not None and transition.after is TenantStatus.ENABLED


def test_a_push_naming_another_organizations_request_is_not_applied(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, publisher: FakePublisher
) -> None:
    sandbox.create_app("globex-client", "globex-secret", "urn:li:organization:77", enabled=False)
    foreign = sandbox.control(
        "POST", "/integration-status", json={"clientId": "globex-client", "status": "ENABLED", "push": False}
    )
    event = naming(status_change(sandbox, "DISABLED"), foreign["requestId"])
    with pytest.raises(LinkedInNotFound):  # LinkedIn shows a request only to its own organization
        handle_status_changed(event, UnitOfWork(TENANT, store), linkedin, publisher)
    assert tenant_status(store) is TenantStatus.PENDING


def test_a_status_change_of_another_organization_is_refused(
    store: Store, sandbox: SandboxHarness, publisher: FakePublisher
) -> None:
    # The tenant's app is really bound to another organization than the tenant was registered with.
    sandbox.create_app("wrong-client", "wrong-secret", "urn:li:organization:77", enabled=False)
    with store.session(None) as session:
        tenant = session.get(Tenant, TENANT)
        assert tenant is not None
        tenant.client_id = "wrong-client"
        tenant.set_client_secret(store.keyring, "wrong-secret")
        session.commit()
    wrong = sandbox.linkedin("wrong-client", "wrong-secret", "urn:li:organization:77")
    change = sandbox.control(
        "POST", "/integration-status", json={"clientId": "wrong-client", "status": "ENABLED", "push": False}
    )
    event = naming(status_change(sandbox, "ENABLED"), change["requestId"])

    with pytest.raises(ForeignIntegrationContext, match="urn:li:organization:77"):
        handle_status_changed(event, UnitOfWork(TENANT, store), wrong, publisher)
    assert tenant_status(store) is TenantStatus.PENDING
    with UnitOfWork(TENANT, store) as uow:
        assert not uow.inbox.seen("integration_lifecycle", event.source, event.id)


def test_the_operator_disables_and_only_the_customer_or_a_verify_enables_again(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, publisher: FakePublisher
) -> None:
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    handle_status_changed(status_change(sandbox, "ENABLED"), UnitOfWork(TENANT, store), linkedin, publisher)

    transition = disable(UnitOfWork(TENANT, store), "contract ended", publisher)
    assert (transition.before, transition.after, transition.stopped_run) == (
        TenantStatus.ENABLED,
        TenantStatus.DISABLED,
        1,
    )
    # A push about something else (the profile plugin switched off) leaves it disabled, though
    # LinkedIn still reports the other integrations enabled.
    other = status_change(sandbox, "DISABLED", types=["PROFILE_PLUGIN"])
    assert handle_status_changed(other, UnitOfWork(TENANT, store), linkedin, publisher) is not None
    assert tenant_status(store) is TenantStatus.DISABLED
    # `rsc tenant verify` is the operator's own decision to follow LinkedIn again.
    again = verify(UnitOfWork(TENANT, store), linkedin, publisher)
    assert again.after is TenantStatus.ENABLED and again.started_run == 2


@pytest.mark.sandbox_violations("enablement.company")
def test_a_legacy_csa_tenant_syncs_until_its_customer_enables_rsc_then_moves_to_it(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
) -> None:
    with store.session(None) as session:
        tenant = session.get(Tenant, TENANT)
        assert tenant is not None
        tenant.set_status(TenantStatus.ENABLED, "on the legacy CSA integration")
        tenant.legacy_csa = True
        session.commit()
    # The legacy CSA integration predates the reference, which knows only the RSC integrations: the
    # sandbox cannot tell that this customer's sync is authorised, so it serves it leniently and
    # records the sync before the RSC integrations are enabled.
    sandbox.control("PUT", "/settings", json={"strict": False})
    apply(store, ats.candidate("C-1"))
    assert (
        sweep_outbox(UnitOfWork(TENANT, store), linkedin, grace=timedelta(0), settings=get_settings()).sent[
            "candidate"
        ]
        == 1
    )
    assert [v["rule"] for v in sandbox.violations()] == ["enablement.company"]
    sandbox.control("PUT", "/settings", json={"strict": True})

    # Onboarding the new integration reads NOT_ENABLED: the legacy tenant keeps working.
    report = onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    assert report.transition is not None and not report.transition.changed
    assert tenant_status(store) is TenantStatus.ENABLED

    transition = handle_status_changed(
        status_change(sandbox, "ENABLED"), UnitOfWork(TENANT, store), linkedin, publisher
    )
    assert transition is not None and transition.left_legacy and transition.started_run == 1
    with store.session(None) as session:
        tenant = session.get(Tenant, TENANT)
        assert tenant is not None and not tenant.legacy_csa
    run_to_end(store, bulk, publisher)
    assert set(remote(sandbox, "candidates")) == {"C-1"}


def test_disable_with_purge_deletes_what_linkedin_holds_and_a_new_enablement_sends_it_all_again(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
) -> None:
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    seed(store)
    handle_status_changed(status_change(sandbox, "ENABLED"), UnitOfWork(TENANT, store), linkedin, publisher)
    run_to_end(store, bulk, publisher)
    assert len(remote(sandbox, "applications")) == 2

    transition = disable(UnitOfWork(TENANT, store), "customer left", publisher, purge_remote=True)
    assert transition.started_run == 2
    with UnitOfWork(TENANT, store) as uow:
        run = uow.backfills.current()
        assert run is not None and run.kind == BackfillKind.PURGE
    run_to_end(store, bulk, publisher)

    assert remote(sandbox, "applications") == {} and remote(sandbox, "candidates") == {}
    assert remote_notes(sandbox) == {}
    deleted = {(d["kind"], d["key"]) for d in sandbox.records(ORG, "deletions")["deletions"]}
    assert deleted == {
        ("application", "A-1"),
        ("application", "A-2"),
        ("applicationStage", "A-1-t0"),
        ("applicationStage", "A-1-t1"),
        ("applicationStage", "A-2-t0"),
        ("applicationNote", "N-2"),
        ("candidate", "C-1"),
        ("candidate", "C-2"),
        ("candidateNote", "N-1"),
    }
    with UnitOfWork(TENANT, store) as uow:
        assert uow.outbox.dirty_ids(Resource.APPLICATION, ["A-1", "A-2"]) == {"A-1", "A-2"}
        assert all(s.synced_at is None for s in uow.applications.stages("A-1"))

    # The customer enables it again: everything goes again, the stage history too.
    handle_status_changed(status_change(sandbox, "ENABLED"), UnitOfWork(TENANT, store), linkedin, publisher)
    run_to_end(store, bulk, publisher)
    assert set(remote(sandbox, "applications")["A-1"]["stages"]) == {"A-1-t0", "A-1-t1"}
    assert set(remote_notes(sandbox)) == {"N-1", "N-2"}


def test_an_integration_reads_not_named_until_onboarding_names_it(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    readings = linkedin.integrations.statuses([(IntegrationType.ONE_CLICK_EXPORT, ORG)])
    assert readings[(IntegrationType.ONE_CLICK_EXPORT, ORG)].status is IntegrationStatus.NOT_NAMED
