"""Job posting viewers: with ACL_BASED, each job's hiring team members connected to a seat are its
ACL's assignees on LinkedIn, following changes of the team and of the seat mapping; switching back
to ALL_PRODUCT_USERS deletes the ACLs. Both stores, the sandbox in strict mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from linkedin.client import LinkedInClient
from rsc.settings import get_settings
from schemas.ats import UserSnapshot
from store.db import Store, get_store
from store.linkedin_sync import Resource
from store.seats import MappedBy
from store.tenants import JobPostingViewers, Tenant
from store.uow import OpsUnitOfWork, UnitOfWork
from tests import ats_events as ats
from tests.helpers import ORG
from tests.sandbox_harness import SandboxHarness
from workers.prospect_polling.seat_mapping import map_seat, unmap_seat
from workers.shared.job_acl_push import mark_stale_job_acls
from workers.shared.outbox_sweep import sweep_outbox
from workers.status_push.ats_records import handle_job_event

CONTRACT = "urn:li:contract:10"
ADA, BOB, CY = "urn:li:person:ada", "urn:li:person:bob", "urn:li:person:cy"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def set_viewers(store: Store, viewers: JobPostingViewers) -> None:
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.session.get(Tenant, "acme")
        assert tenant is not None
        tenant.job_posting_viewers = viewers.value
        ops.commit()
    with UnitOfWork("acme", store) as uow:
        mark_stale_job_acls(uow)
        uow.commit()


@pytest.fixture
def seats(store: Store, sandbox: SandboxHarness) -> None:
    """Users u-ada, u-bob, u-cy, each connected to a seat of their own; u-dan has no seat."""
    with UnitOfWork("acme", store) as uow:
        uow.contracts.add(CONTRACT)
        for number, (user, person) in enumerate(
            (("u-ada", ADA), ("u-bob", BOB), ("u-cy", CY), ("u-dan", None))
        ):
            uow.users.apply(UserSnapshot(user_id=user, created_at=T0, modified_at=T0))
            if person is not None:
                seat = uow.seats.remember(
                    urn=f"urn:li:seat:{number + 1}", contract=CONTRACT, member=person,
                    first_name=None, last_name=None, email=None, state="ACTIVE",
                )  # fmt: skip
                uow.seats.connect(seat, user, MappedBy.MANUAL)
        uow.commit()


def job(store: Store, job_id: str, team: list[str] | None, *, modified: float = 0) -> None:
    handle_job_event(ats.job(job_id, hiring_team=team, modified=modified), UnitOfWork("acme", store))  # type: ignore[arg-type]


def sweep(store: Store, linkedin: LinkedInClient) -> dict[str, int]:
    """What the sweep sent, by resource (the ones it sent nothing of left out)."""
    sent = sweep_outbox(UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings()).sent
    return {resource: count for resource, count in sent.items() if count}


def assignees(linkedin: LinkedInClient, *people: str) -> dict[str, set[str]]:
    """Each person's jobs, as LinkedIn holds them."""
    return {p: {a["atsEntityId"] for a in linkedin.acls.assignments_of(p)} for p in people}


def configured_viewers(linkedin: LinkedInClient) -> str:
    from linkedin.integrations import IntegrationType

    read = linkedin.integrations.configurations(IntegrationType.ONE_CLICK_EXPORT, ORG).get(
        ["JOB_POSTING_VIEWERS"]
    )
    value: str = read.ok["JOB_POSTING_VIEWERS"]["configurationValue"]["string"]
    return value


def test_the_viewers_setting_is_synced_as_the_job_posting_viewers_configuration(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    from tests.fakes import FakePublisher
    from workers.integration_lifecycle.handlers import onboard

    report = onboard(UnitOfWork("acme", store), linkedin, FakePublisher(), settings=get_settings())
    assert report.refused == {}
    assert configured_viewers(linkedin) == "ALL_PRODUCT_USERS"
    set_viewers(store, JobPostingViewers.ACL_BASED)
    onboard(UnitOfWork("acme", store), linkedin, FakePublisher(), settings=get_settings())
    assert configured_viewers(linkedin) == "ACL_BASED"


def test_with_all_product_users_no_job_gets_an_acl(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, seats: None
) -> None:
    job(store, "J-1", ["u-ada"])
    assert sweep(store, linkedin) == {"job": 1}
    assert linkedin.acls.of_job("J-1") == []


def test_acl_assignees_follow_the_hiring_team_and_the_seat_mapping(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, seats: None
) -> None:
    set_viewers(store, JobPostingViewers.ACL_BASED)
    job(store, "J-1", ["u-ada", "u-bob", "u-dan"])
    job(store, "J-2", None)
    # The ACLs wait for their jobs, which go first in the same sweep.
    sent = sweep(store, linkedin)
    assert sent["job"] == 2 and sent["job_acl"] == 2
    assert len(linkedin.acls.of_job("J-1")) == 1 and len(linkedin.acls.of_job("J-2")) == 1
    assert assignees(linkedin, ADA, BOB, CY) == {ADA: {"J-1"}, BOB: {"J-1"}, CY: set()}

    # The team changes: Bob leaves, Cy joins.
    job(store, "J-1", ["u-ada", "u-cy"], modified=10)
    sweep(store, linkedin)
    assert assignees(linkedin, ADA, BOB, CY) == {ADA: {"J-1"}, BOB: set(), CY: {"J-1"}}

    # The seat mapping changes: Ada's seat is disconnected, then Bob gets it by hand for J-2's team.
    with UnitOfWork("acme", store) as uow:
        unmap_seat(uow, "urn:li:seat:1", settings=get_settings())
        uow.commit()
    sweep(store, linkedin)
    assert assignees(linkedin, ADA, CY) == {ADA: set(), CY: {"J-1"}}
    job(store, "J-2", ["u-dan"], modified=10)
    with UnitOfWork("acme", store) as uow:
        map_seat(
            uow, "u-dan", "urn:li:seat:1", settings=get_settings()
        )  # Dan now holds the seat whose member is Ada
        uow.commit()
    sweep(store, linkedin)
    assert assignees(linkedin, ADA, CY) == {ADA: {"J-2"}, CY: {"J-1"}}

    # A repeated push changes nothing and calls nothing.
    writes = len(sandbox.control("GET", "/requests")["requests"])
    with UnitOfWork("acme", store) as uow:
        uow.outbox.mark_all_changed([(Resource.JOB_ACL, "J-1"), (Resource.JOB_ACL, "J-2")])
        uow.commit()
    assert sweep(store, linkedin) == {"job_acl": 2}
    assert len(sandbox.control("GET", "/requests")["requests"]) == writes
    with UnitOfWork("acme", store) as uow:
        assert uow.job_acls.held(["J-1", "J-2"]) == {"J-1": [CY], "J-2": [ADA]}


def test_switching_back_to_all_product_users_deletes_every_acl(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, seats: None
) -> None:
    set_viewers(store, JobPostingViewers.ACL_BASED)
    job(store, "J-1", ["u-ada", "u-bob"])
    sweep(store, linkedin)
    set_viewers(store, JobPostingViewers.ALL_PRODUCT_USERS)
    assert sweep(store, linkedin) == {"job_acl": 1}
    assert linkedin.acls.of_job("J-1") == []
    assert assignees(linkedin, ADA, BOB) == {ADA: set(), BOB: set()}
    with UnitOfWork("acme", store) as uow:
        assert uow.job_acls.held(["J-1"]) == {}
