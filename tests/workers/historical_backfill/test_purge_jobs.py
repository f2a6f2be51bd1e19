"""`rsc tenant disable --purge-remote` closes the tenant's jobs on LinkedIn (it has no delete for job
postings) and deletes their ACLs, along with the deletes it does today; a new enablement lists them
and their ACLs again. The in-process sandbox in strict mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from linkedin.client import LinkedInClient
from rsc.settings import get_settings
from schemas.ats import UserSnapshot
from schemas.commands import BackfillSlice
from store.backfill import BackfillState
from store.db import Store
from store.seats import MappedBy
from store.tenants import JobPostingViewers, Tenant
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.fakes import FakePublisher
from tests.sandbox_harness import SandboxHarness
from tests.workers.integration_lifecycle.conftest import CONTRACT, TENANT, apply, remote, status_change
from workers.historical_backfill.runner import run_backfill
from workers.integration_lifecycle.handlers import disable, handle_status_changed, onboard
from workers.shared.outbox_sweep import sweep_outbox

ADA = "urn:li:person:ada"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def run_to_end(store: Store, bulk: LinkedInClient, publisher: FakePublisher) -> None:
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


def acl_based_with_ada(store: Store) -> None:
    """Viewers ACL_BASED; user u-ada connected to a seat whose member is ADA."""
    with store.session(None) as session:
        tenant = session.get(Tenant, TENANT)
        assert tenant is not None
        tenant.job_posting_viewers = JobPostingViewers.ACL_BASED.value
        session.commit()
    with UnitOfWork(TENANT, store) as uow:
        uow.users.apply(UserSnapshot(user_id="u-ada", created_at=T0, modified_at=T0))
        seat = uow.seats.remember(
            urn="urn:li:seat:1", contract=CONTRACT, member=ADA,
            first_name=None, last_name=None, email=None, state="ACTIVE",
        )  # fmt: skip
        uow.seats.connect(seat, "u-ada", MappedBy.MANUAL)
        uow.commit()


def sync(store: Store, linkedin: LinkedInClient, bulk: LinkedInClient, publisher: FakePublisher) -> None:
    """The historical sync, then the live sweep that sends the ACLs."""
    run_to_end(store, bulk, publisher)
    sweep_outbox(UnitOfWork(TENANT, store), linkedin, grace=timedelta(0), settings=get_settings())


def test_purge_closes_the_jobs_linkedin_holds_and_deletes_their_acls(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
) -> None:
    acl_based_with_ada(store)
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    apply(
        store,
        ats.job("J-1", hiring_team=["u-ada"]),
        ats.job("J-2", state="closed", hiring_team=["u-ada"]),
        ats.job("J-3", state="draft"),
        ats.candidate("C-1"),
        ats.application("A-1", candidate_id="C-1", job_id="J-1"),
    )
    handle_status_changed(status_change(sandbox, "ENABLED"), UnitOfWork(TENANT, store), linkedin, publisher)
    sync(store, linkedin, bulk, publisher)
    assert {j: r["state"] for j, r in remote(sandbox, "jobs").items()} == {"J-1": "LISTED", "J-2": "CLOSED"}
    assert {a["atsEntityId"] for a in linkedin.acls.assignments_of(ADA)} == {"J-1", "J-2"}

    disable(UnitOfWork(TENANT, store), "customer left", publisher, purge_remote=True)
    run_to_end(store, bulk, publisher)

    # J-3 was a draft LinkedIn never had: it is not invented as a closed job.
    assert {j: r["state"] for j, r in remote(sandbox, "jobs").items()} == {"J-1": "CLOSED", "J-2": "CLOSED"}
    assert remote(sandbox, "applications") == {} and remote(sandbox, "candidates") == {}
    assert linkedin.acls.assignments_of(ADA) == []
    assert linkedin.acls.of_job("J-1") == [] and linkedin.acls.of_job("J-2") == []
    with UnitOfWork(TENANT, store) as uow:
        assert uow.job_acls.job_ids() == []
        run = uow.backfills.current()
        assert run is not None and run.state == BackfillState.DONE

    # The customer enables it again: the jobs are listed as the ATS holds them, their ACLs follow.
    handle_status_changed(status_change(sandbox, "ENABLED"), UnitOfWork(TENANT, store), linkedin, publisher)
    sync(store, linkedin, bulk, publisher)
    assert {j: r["state"] for j, r in remote(sandbox, "jobs").items()} == {"J-1": "LISTED", "J-2": "CLOSED"}
    assert {a["atsEntityId"] for a in linkedin.acls.assignments_of(ADA)} == {"J-1", "J-2"}
