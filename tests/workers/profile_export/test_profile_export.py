"""The profile export handler against the real LinkedIn sandbox (in-process) and both stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInNotFound
from linkedin.versions import Family
from rsc.settings import get_settings
from schemas.ats import JobSnapshot
from schemas.linkedin import ExportRequest, ExportRequested
from store.base import utcnow
from store.db import Store
from store.linkedin_sync import Resource
from store.tombstones import Subject
from store.uow import UnitOfWork
from tests.helpers import ORG, create_tenant, linkedin_path, wait_for_advisory_waiter
from tests.sandbox_harness import SandboxHarness, running_sandbox
from workers.profile_export.handlers import (
    ExportOutcome,
    ExportResult,
    ForeignIntegrationContext,
    JobNotFound,
    JobNotPublished,
    handle_export_requested,
)
from workers.shared.outbox_sweep import sweep_outbox

T0 = datetime(2026, 5, 1, tzinfo=UTC)
MEMBER: dict[str, Any] = {
    "member": "urn:li:person:ada01",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "headline": "Analyst of engines",
    "location": "London, United Kingdom",
    "profileUrl": "https://www.linkedin.com/in/ada",
    "currentPositions": [
        {"companyName": "Analytical Engines Ltd", "title": "Analyst"},
        {"companyName": "Royal Society"},
    ],
    "pastPositions": [{"companyName": "Babbage & Co", "title": "Assistant"}],
    "educations": [{"schoolName": "Home", "degree": "Mathematics"}],
}


@pytest.fixture
def sandbox(tmp_path: Path, store: Store) -> Iterator[SandboxHarness]:
    create_tenant("acme")  # enabled: its records may reach LinkedIn
    with running_sandbox(tmp_path) as harness:
        harness.create_app("acme-client", "acme-secret", ORG)
        yield harness


@pytest.fixture
def linkedin(sandbox: SandboxHarness, monkeypatch: pytest.MonkeyPatch) -> LinkedInClient:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://testserver")
    from rsc.settings import reset_settings

    reset_settings()
    return sandbox.linkedin("acme-client", "acme-secret", ORG)


def store_job(store: Store, job_id: str = "J-1", state: str = "published", seconds: int = 0) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.jobs.apply(
            JobSnapshot(
                job_id=job_id,
                title="Engineer",
                state=state,
                created_at=T0,
                modified_at=T0.replace(second=seconds),
            )
        )
        uow.commit()


def export_event(request_id: str, push_id: str | None = None) -> ExportRequested:
    return ExportRequested(
        type="linkedin.export.requested.v1",
        id=push_id or f"push-{request_id}",
        source="linkedin://rsc/push",
        tenant="acme",
        data=ExportRequest(request_id=request_id, push_id=push_id or f"push-{request_id}", notified_at=T0),
    )


def export(sandbox: SandboxHarness, job_id: str = "J-1", member: dict[str, Any] | None = None) -> str:
    return str(sandbox.export("acme-client", job_id, member or MEMBER)["requestId"])


def sweep(store: Store, linkedin: LinkedInClient) -> None:
    report = sweep_outbox(UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings())
    assert not report.interrupted


def writes(sandbox: SandboxHarness) -> int:
    return sum(
        1
        for r in sandbox.control("GET", "/requests")["requests"]
        if r["method"] in ("PUT", "POST", "DELETE") and r["path"].startswith(linkedin_path(Family.CANDIDATES))
    )


def test_an_export_creates_the_candidate_and_the_application_and_tells_linkedin(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    store_job(store)
    result = handle_export_requested(
        export_event(export(sandbox)), UnitOfWork("acme", store), linkedin, settings=get_settings()
    )
    assert result is not None and result.outcome is ExportOutcome.CREATED
    with UnitOfWork("acme", store) as uow:
        candidate = uow.candidates.get(result.candidate_id)
        assert candidate is not None
        assert (candidate.first_name, candidate.last_name) == ("Ada", "Lovelace")
        assert candidate.location_text == "London, United Kingdom"
        assert candidate.current_companies == ["Analytical Engines Ltd", "Royal Society"]
        assert candidate.person_urn == "urn:li:person:ada01"
        # Only what the integration promises: no e-mail, headline, experience or education.
        assert candidate.emails == [] and candidate.phones == []
        assert candidate.current_title is None and candidate.linkedin_profile_url is None
        (application,) = uow.applications.for_candidate(candidate.id)
        assert (application.job_id, application.status) == ("J-1", "New")
        assert [s.status for s in uow.applications.stages(application.id)] == ["New"]
        # LinkedIn learns it from the outbox, with the next sweep.
        assert uow.outbox.dirty_count(Resource.CANDIDATE) == 1
        assert uow.outbox.dirty_count(Resource.CANDIDATE_MEMBER) == 1
    assert sandbox.record(ORG, "candidates", result.candidate_id) is None
    sweep(store, linkedin)
    with UnitOfWork("acme", store) as uow:
        assert uow.outbox.dirty_count(Resource.CANDIDATE) == 0
        assert uow.outbox.dirty_count(Resource.CANDIDATE_MEMBER) == 0
    remote = sandbox.record(ORG, "candidates", result.candidate_id)
    assert remote["firstName"] == "Ada"
    assert remote["currentCompanyName"] == "Analytical Engines Ltd"
    assert remote["manualMatchedMember"] == "urn:li:person:ada01"


def test_a_redelivered_export_changes_nothing_and_calls_linkedin_no_more(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    store_job(store)
    event = export_event(export(sandbox))
    first = handle_export_requested(event, UnitOfWork("acme", store), linkedin, settings=get_settings())
    sweep(store, linkedin)
    calls = writes(sandbox)
    assert calls == 2  # the candidate PUT and the member link, once
    for _ in range(3):
        assert (
            handle_export_requested(event, UnitOfWork("acme", store), linkedin, settings=get_settings())
            == first
        )
        sweep(store, linkedin)
    assert writes(sandbox) == calls
    with UnitOfWork("acme", store) as uow:
        assert first is not None
        assert len(uow.applications.for_candidate(first.candidate_id)) == 1


def test_a_member_already_linked_gets_the_new_application_not_a_second_profile(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    store_job(store, "J-1")
    store_job(store, "J-2")
    first = handle_export_requested(
        export_event(export(sandbox, "J-1")), UnitOfWork("acme", store), linkedin, settings=get_settings()
    )
    second = handle_export_requested(
        export_event(export(sandbox, "J-2")), UnitOfWork("acme", store), linkedin, settings=get_settings()
    )
    again = handle_export_requested(
        export_event(export(sandbox, "J-2")), UnitOfWork("acme", store), linkedin, settings=get_settings()
    )
    assert first is not None and second is not None and again is not None
    assert second.outcome is ExportOutcome.LINKED and again.outcome is ExportOutcome.ALREADY_APPLIED
    assert first.candidate_id == second.candidate_id == again.candidate_id
    assert again.application_id == second.application_id != first.application_id
    with UnitOfWork("acme", store) as uow:
        assert sorted(a.job_id for a in uow.applications.for_candidate(first.candidate_id)) == ["J-1", "J-2"]


def test_an_export_to_an_unpublished_job_is_rejected_until_the_job_is_published(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    store_job(store, state="draft")
    event = export_event(export(sandbox))
    with pytest.raises(JobNotPublished, match="'J-1' is draft, not published; publish it"):
        handle_export_requested(event, UnitOfWork("acme", store), linkedin, settings=get_settings())
    with UnitOfWork("acme", store) as uow:
        assert uow.candidates.by_person_urn("urn:li:person:ada01") is None
        assert not uow.inbox.seen("profile_export", event.source, event.id)
    store_job(store, state="published", seconds=5)
    result = handle_export_requested(event, UnitOfWork("acme", store), linkedin, settings=get_settings())
    assert result is not None and result.outcome is ExportOutcome.CREATED


def test_an_export_to_an_unknown_job_is_rejected(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    with pytest.raises(JobNotFound, match="job 'J-404' is not in the store"):
        handle_export_requested(
            export_event(export(sandbox, "J-404")),
            UnitOfWork("acme", store),
            linkedin,
            settings=get_settings(),
        )


def test_an_export_of_another_organization_is_not_imported(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    """The tenant's store says org 4242, but LinkedIn's export belongs to the app's org 999."""
    sandbox.create_app("other-client", "other-secret", "urn:li:organization:999")
    store_job(store)
    request_id = str(sandbox.export("other-client", "J-1", MEMBER)["requestId"])
    misconfigured = sandbox.linkedin("other-client", "other-secret", ORG)
    with pytest.raises(ForeignIntegrationContext, match="belongs to 'urn:li:organization:999'"):
        handle_export_requested(
            export_event(request_id), UnitOfWork("acme", store), misconfigured, settings=get_settings()
        )
    # And an export id of another organization is invisible to this tenant's app.
    with pytest.raises(LinkedInNotFound):
        handle_export_requested(
            export_event(request_id), UnitOfWork("acme", store), linkedin, settings=get_settings()
        )
    with UnitOfWork("acme", store) as uow:
        assert uow.candidates.by_person_urn("urn:li:person:ada01") is None


def test_an_import_does_not_wait_for_linkedin(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    store_job(store)
    sandbox.faults(error_rate=1.0, path_prefix=linkedin_path(Family.CANDIDATES))
    results = [
        handle_export_requested(
            export_event(export(sandbox, member={**MEMBER, "member": f"urn:li:person:m{i}"})),
            UnitOfWork("acme", store),
            linkedin,
            settings=get_settings(),
        )
        for i in range(3)
    ]
    assert all(r is not None and r.outcome is ExportOutcome.CREATED for r in results)
    assert sweep_outbox(
        UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings()
    ).interrupted
    with UnitOfWork("acme", store) as uow:
        assert uow.outbox.dirty_count(Resource.CANDIDATE) == 3
    sandbox.faults(error_rate=0.0)
    report = sweep_outbox(UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings())
    assert report.sent == {
        "job": 0,
        "job_acl": 0,
        "candidate": 3,
        "candidate_member": 3,
        "application": 3,
        "note": 0,
    }
    for result in results:
        assert result is not None
        assert sandbox.record(ORG, "candidates", result.candidate_id)["manualMatchedMember"].startswith(
            "urn:li:"
        )
        assert sandbox.record(ORG, "applications", result.application_id)["stages"].keys() == {
            f"{result.application_id}-0"
        }
    with UnitOfWork("acme", store) as uow:
        assert uow.outbox.dirty_count(Resource.CANDIDATE) == 0
    assert sweep_outbox(
        UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings()
    ).sent == {
        "job": 0,
        "job_acl": 0,
        "candidate": 0,
        "candidate_member": 0,
        "application": 0,
        "note": 0,
    }


def test_an_export_waiting_for_its_members_erasure_sees_the_tombstone(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    """The import's first statement waits for the erasure's lock; what it reads after sees its tombstone."""
    if store.dialect != "postgresql":
        pytest.skip("SQLite serialises writers already (every transaction begins IMMEDIATE)")
    store_job(store)
    event = export_event(export(sandbox))
    results: list[ExportResult | None] = []
    with UnitOfWork("acme", store) as erasure:
        erasure.tombstones.lock(Subject.MEMBER, [MEMBER["member"]], exclusive=True)
        erasure.tombstones.bury(Subject.MEMBER, [MEMBER["member"]], deleted_at=utcnow(), receipt_id="R-1")
        importer = threading.Thread(
            target=lambda: results.append(
                handle_export_requested(event, UnitOfWork("acme", store), linkedin, settings=get_settings())
            )
        )
        importer.start()
        # Given the import waiting for the member's lock, when the erasure commits ...
        wait_for_advisory_waiter(store, importer)
        erasure.commit()
    importer.join(timeout=30)
    # ... then the import finds the tombstone and leaves the member erased.
    assert results == [None]
    with UnitOfWork("acme", store) as uow:
        assert uow.candidates.by_person_urn(MEMBER["member"]) is None
        assert uow.members.get(MEMBER["member"]) is None
