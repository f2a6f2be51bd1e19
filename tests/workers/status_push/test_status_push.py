"""ATS jobs, candidates and applications reach LinkedIn through the outbox: whole records, in order,
closed jobs too, stage history complete, bursts coalesced. Both stores, the in-process sandbox."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.transport import Request, Response
from linkedin.versions import Family
from rsc.settings import get_settings
from schemas.ats import (
    ApplicationCreated,
    ApplicationStatusChanged,
    ApplicationUpdated,
    CandidateCreated,
    CandidateUpdated,
)
from schemas.envelope import Event
from store.db import Store, get_store
from store.linkedin_sync import Resource, SyncOutcome
from store.tenants import JobAvailability, Tenant
from store.uow import OpsUnitOfWork, UnitOfWork
from tests import ats_events as ats
from tests.helpers import ORG, linkedin_path, linkedin_prefix
from tests.sandbox_harness import SandboxHarness
from workers.shared.application_push import ApplicationPush, send_applications
from workers.shared.outbox_sweep import sweep_outbox
from workers.status_push.ats_records import handle_application_event, handle_candidate_event, handle_job_event

NOW = timedelta(0)


def apply(store: Store, *events: Event) -> None:
    for event in events:
        uow = UnitOfWork("acme", store)
        if isinstance(event, CandidateCreated | CandidateUpdated):
            handle_candidate_event(event, uow)
        elif isinstance(event, ApplicationCreated | ApplicationUpdated | ApplicationStatusChanged):
            handle_application_event(event, uow)
        else:
            handle_job_event(event, uow)  # type: ignore[arg-type]


def sweep(store: Store, linkedin: LinkedInClient) -> dict[str, int]:
    return sweep_outbox(UnitOfWork("acme", store), linkedin, grace=NOW, settings=get_settings()).sent


def writes(sandbox: SandboxHarness) -> list[dict[str, Any]]:
    return [
        r
        for r in sandbox.control("GET", "/requests")["requests"]
        if r["method"] in ("PUT", "POST", "DELETE")
        and r["path"].startswith(linkedin_prefix())
        and r["status"] < 300
    ]


def sync_state(store: Store, resource: Resource, entity_id: str) -> tuple[str | None, str | None, bool]:
    with UnitOfWork("acme", store) as uow:
        state = uow.outbox.state(resource, entity_id)
        assert state is not None
        return state.last_outcome, state.last_error, state.version > state.synced_version


def remote_jobs(sandbox: SandboxHarness) -> dict[str, dict[str, Any]]:
    return {job["externalJobPostingId"]: job for job in sandbox.records(ORG, "jobs")["jobs"]}


# jobs


def test_published_and_closed_jobs_are_listed_and_closed_on_linkedin(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(
        store,
        ats.job("J-1", location={"city": "Berlin", "region": "Berlin", "country_code": "de"}),
        ats.job("J-2", state="closed", apply_url="https://jobs.example.com/2", company_name="Acme"),
        ats.job("J-3", location={"country_code": "DE", "postal_code": "10115"}),
    )
    assert sweep(store, linkedin)["job"] == 3
    jobs = remote_jobs(sandbox)
    assert jobs["J-1"]["state"] == "LISTED" and jobs["J-1"]["location"] == "Berlin, Berlin"
    assert jobs["J-1"]["availability"] == "PRIVATE_TO_ATS_INTEGRATION"
    assert jobs["J-2"]["state"] == "CLOSED"
    assert (jobs["J-2"]["companyApplyUrl"], jobs["J-2"]["companyName"]) == (
        "https://jobs.example.com/2",
        "Acme",
    )
    assert "location" not in jobs["J-3"] and (jobs["J-3"]["countryCode"], jobs["J-3"]["postalCode"]) == (
        "DE",
        "10115",
    )
    # One call for the three.
    assert [r["path"] for r in writes(sandbox)] == [linkedin_path(Family.JOB_POSTINGS)]


def test_the_tenants_availability_setting_decides_public_or_private(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.session.get(Tenant, "acme")
        assert tenant is not None
        tenant.job_availability = JobAvailability.PUBLIC.value
        ops.commit()
    apply(store, ats.job("J-1"))
    sweep(store, linkedin)
    assert remote_jobs(sandbox)["J-1"]["availability"] == "PUBLIC"


def test_a_draft_is_not_sent_until_published_and_a_job_taken_back_to_draft_is_closed(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(store, ats.job("J-1", state="draft"))
    sweep(store, linkedin)
    assert remote_jobs(sandbox) == {}
    assert sync_state(store, Resource.JOB, "J-1")[0] == SyncOutcome.SKIPPED
    apply(store, ats.job("J-1", modified=10))
    sweep(store, linkedin)
    assert remote_jobs(sandbox)["J-1"]["state"] == "LISTED"
    apply(store, ats.job("J-1", state="draft", modified=20))
    sweep(store, linkedin)
    assert remote_jobs(sandbox)["J-1"]["state"] == "CLOSED"


def test_a_job_linkedin_cannot_take_is_recorded_with_the_fix_and_nothing_is_invented(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(
        store,
        ats.job("J-1", description=None),
        ats.job("J-2", location={"city": "Berlin"}),
        ats.job("J-3", title="T" * 201),
        ats.job("J-4"),
    )
    sweep(store, linkedin)
    assert set(remote_jobs(sandbox)) == {"J-4"}
    outcome, error, dirty = sync_state(store, Resource.JOB, "J-1")
    assert (outcome, dirty) == (SyncOutcome.REJECTED, False)
    assert error == "job 'J-1' has no description and LinkedIn requires one: add it in the ATS"
    assert "needs a city with a region or country" in (sync_state(store, Resource.JOB, "J-2")[1] or "")
    assert "title of 201 characters" in (sync_state(store, Resource.JOB, "J-3")[1] or "")
    # Fixed in the ATS, the job goes out with the next sweep.
    apply(store, ats.job("J-1", modified=5))
    sweep(store, linkedin)
    assert set(remote_jobs(sandbox)) == {"J-1", "J-4"}


# candidates


def test_a_candidate_carries_every_field_the_ats_has_and_nothing_else(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(
        store,
        ats.candidate(
            "C-1",
            middle_initial="B",
            prefix="Dr",
            suffix="PhD",
            phones=[{"number": "+44 20 0000 0000", "extension": "12"}],
            addresses=[{"line1": "1 St James's Sq", "city": "London", "country": "GB"}],
            current_company="Engines",
            current_title="Analyst",
            linkedin_profile_url="https://www.linkedin.com/in/ada",
            profile_url="https://ats.example.com/c/1",
            do_not_contact=False,
        ),
        ats.candidate("C-2", last_name=None, emails=[]),
    )
    assert sweep(store, linkedin)["candidate"] == 2
    one = sandbox.record(ORG, "candidates", "C-1")
    assert one["firstName"] == "Ada" and one["middleInitial"] == "B" and one["prefix"] == "Dr"
    assert one["emailAddresses"] == ["c-1@example.com"]
    assert one["phoneNumbers"] == [{"number": "+44 20 0000 0000", "extension": "12"}]
    assert one["addresses"] == [{"line1": "1 St James's Sq", "city": "London", "country": "GB"}]
    assert (one["currentCompanyName"], one["currentJobTitle"]) == ("Engines", "Analyst")
    assert one["externalProfileUrl"] == "https://ats.example.com/c/1"
    assert one["doNotContact"] is False
    two = sandbox.record(ORG, "candidates", "C-2")
    assert two["lastName"] is None and two["emailAddresses"] == [] and two["phoneNumbers"] == []
    assert two["currentCompanyName"] is None


def test_a_late_or_repeated_candidate_event_never_overwrites_newer_state(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    newer = ats.candidate("C-1", modified=20, last_name="Byron")
    older = ats.candidate("C-1", modified=10, last_name="King")
    apply(store, newer, older, newer)
    sweep(store, linkedin)
    assert sandbox.record(ORG, "candidates", "C-1")["lastName"] == "Byron"
    apply(store, older)
    assert sweep(store, linkedin)["candidate"] == 0


# applications


def test_an_application_reaches_linkedin_with_its_whole_stage_history_in_order(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    statuses = ["New", "Screen", "Interview", "Offer", "Hired"]
    events = [ats.application("A-1", status=s, step=i, source="Referral") for i, s in enumerate(statuses)]
    apply(store, ats.job("J-1"), ats.candidate("C-1"), *events)
    assert sweep(store, linkedin) == {
        "job": 1,
        "job_acl": 0,
        "candidate": 1,
        "candidate_member": 0,
        "application": 1,
        "note": 0,
    }
    remote = sandbox.record(ORG, "applications", "A-1")
    assert remote["atsCandidateId"] == "C-1" and remote["atsJobPostingId"] == "J-1"
    assert (remote["atsJobPostingName"], remote["firstName"], remote["lastName"]) == (
        "Engineer",
        "Ada",
        "Lovelace",
    )
    assert remote["candidateEmail"] == "c-1@example.com" and remote["source"] == "Referral"
    history = sorted(remote["stages"].values(), key=lambda stage: stage["atsCreatedAt"])
    assert [stage["stage"] for stage in history] == statuses


def test_events_shuffled_and_repeated_end_in_the_final_state_and_the_full_history(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    statuses = [f"Status {i}" for i in range(10)]
    events: list[Event] = [ats.job("J-1"), ats.candidate("C-1")]
    for app in ("A-1", "A-2", "A-3"):
        events += [ats.application(app, status=s, step=i) for i, s in enumerate(statuses)]
    events += random.Random(3).sample(events, 8)  # duplicates
    random.Random(7).shuffle(events)
    # Pushed in the middle, too: later events must still win.
    apply(store, *events[: len(events) // 2])
    sweep(store, linkedin)
    apply(store, *events[len(events) // 2 :])
    _expire_holds(store)
    sweep(store, linkedin)
    for app in ("A-1", "A-2", "A-3"):
        remote = sandbox.record(ORG, "applications", app)
        history = sorted(remote["stages"].items(), key=lambda item: item[1]["atsCreatedAt"])
        assert [stage["stage"] for _, stage in history] == statuses
        assert [key for key, _ in history] == [f"{app}-t{i}" for i in range(10)]
        assert remote["atsLastModifiedAt"] == int(ats.T0.timestamp() * 1000) + 9000
    with UnitOfWork("acme", store) as uow:
        assert uow.outbox.dirty_count() == 0
        assert uow.applications.get("A-1").status == "Status 9"  # type: ignore[union-attr]


def test_a_burst_of_changes_costs_one_record_call_and_one_stage_call(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(store, ats.job("J-1"), ats.candidate("C-1"), ats.application("A-1"))
    sweep(store, linkedin)
    before = len(writes(sandbox))
    apply(store, *(ats.application("A-1", status=f"S{i}", step=i) for i in range(1, 11)))
    assert sweep(store, linkedin)["application"] == 1
    calls = writes(sandbox)[before:]
    assert [r["resource"] for r in calls] == ["atsApplications", "atsApplications/stages"]
    # Only the ten new stages: the first one is already on LinkedIn.
    assert calls[1]["body"].count('"stage"') == 10


def test_an_application_waits_for_its_job_and_candidate_then_goes(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(store, ats.application("A-1"))
    sweep(store, linkedin)
    assert sandbox.record(ORG, "applications", "A-1") is None
    _, error, dirty = sync_state(store, Resource.APPLICATION, "A-1")
    assert dirty and error == "waiting for a record it depends on"
    apply(store, ats.job("J-1"), ats.candidate("C-1"))
    _expire_holds(store)
    sweep(store, linkedin)
    assert sandbox.record(ORG, "applications", "A-1")["stages"].keys() == {"A-1-t0"}


def test_a_candidate_without_a_first_name_is_refused_with_its_applications_not_invented(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(store, ats.job("J-1"), ats.candidate("C-1", first_name=None), ats.application("A-1"))
    sweep(store, linkedin)
    assert sandbox.record(ORG, "candidates", "C-1") is None
    assert sandbox.record(ORG, "applications", "A-1") is None
    assert "firstName" in (sync_state(store, Resource.CANDIDATE, "C-1")[1] or "")
    assert sync_state(store, Resource.APPLICATION, "A-1")[1] == (
        "LinkedIn requires the candidate's firstName on an application and candidate 'C-1' has none "
        "in the ATS; add it there"
    )
    assert writes(sandbox)[-1]["resource"] == "simpleJobPostings"


def test_a_renamed_candidate_or_job_is_pushed_again_on_its_applications(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(store, ats.job("J-1"), ats.candidate("C-1"), ats.application("A-1"))
    sweep(store, linkedin)
    apply(store, ats.candidate("C-1", modified=5, first_name="Augusta"))
    assert sweep(store, linkedin)["application"] == 1
    assert sandbox.record(ORG, "applications", "A-1")["firstName"] == "Augusta"
    apply(store, ats.job("J-1", modified=5, title="Senior Engineer"))
    assert sweep(store, linkedin)["application"] == 1
    assert sandbox.record(ORG, "applications", "A-1")["atsJobPostingName"] == "Senior Engineer"
    # A change LinkedIn's application does not show leaves it alone.
    apply(store, ats.candidate("C-1", modified=9, first_name="Augusta", current_title="Countess"))
    assert sweep(store, linkedin)["application"] == 0


def test_an_export_application_reaches_linkedin_without_an_email(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(store, ats.job("J-1"), ats.candidate("C-1", emails=[]), ats.application("A-1"))
    sweep(store, linkedin)
    assert sandbox.record(ORG, "applications", "A-1")["candidateEmail"] is None


def test_stages_linkedin_failed_are_sent_again_and_the_record_stays_dirty_until_then(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(store, ats.job("J-1"), ats.candidate("C-1"), ats.application("A-1"))
    sandbox.faults(error_rate=1.0, path_prefix=linkedin_path(Family.APPLICATIONS) + "/")
    sweep(store, linkedin)
    assert sandbox.record(ORG, "applications", "A-1")["stages"] == {}
    assert sync_state(store, Resource.APPLICATION, "A-1")[2]
    sandbox.faults(error_rate=0.0)
    sweep(store, linkedin)
    assert sandbox.record(ORG, "applications", "A-1")["stages"].keys() == {"A-1-t0"}
    assert not sync_state(store, Resource.APPLICATION, "A-1")[2]


def test_a_second_sweep_of_the_same_tenant_leaves_at_once(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    from store.sweep_leases import SweepLeases

    with UnitOfWork("acme", store) as uow:
        assert SweepLeases(uow.session, "acme").acquire("another-worker", timedelta(seconds=60))
        uow.commit()
    apply(store, ats.job("J-1"))
    assert sweep_outbox(UnitOfWork("acme", store), linkedin, grace=NOW, settings=get_settings()).skipped
    assert remote_jobs(sandbox) == {}
    with UnitOfWork("acme", store) as uow:
        SweepLeases(uow.session, "acme").release("another-worker")
        uow.commit()
    assert sweep(store, linkedin)["job"] == 1


def test_a_sweep_starts_no_batch_after_its_share_of_the_time_limit(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    """Under a time limit too short for a second batch the sweep sends one (it always moves on) and
    leaves the rest to the next sweep, instead of running into the limit in the middle of a batch."""
    apply(store, *(ats.candidate(f"C-{n:03d}") for n in range(150)))
    short = get_settings().model_copy(update={"time_limit_ms": 1})
    long = get_settings().model_copy(update={"time_limit_ms": 1_800_000})
    assert (short.sweep_budget_s, get_settings().sweep_budget_s, long.sweep_budget_s) == (0.000375, 45, 45)
    report = sweep_outbox(UnitOfWork("acme", store), linkedin, grace=NOW, settings=short)
    assert {resource: sent for resource, sent in report.sent.items() if sent} == {"candidate": 100}
    assert sweep(store, linkedin)["candidate"] == 50


def _expire_holds(store: Store) -> None:
    """Let records waiting for a dependency be tried now rather than in a few seconds."""
    from sqlalchemy import update

    from store.linkedin_sync import SyncState

    with UnitOfWork("acme", store) as uow:
        uow.session.execute(update(SyncState).values(lease_until=None))
        uow.commit()


class _EveryTurnAtOnce:
    """A sequencer that lets every batch call go at once, so what is checked is the push's own order."""

    @contextmanager
    def turn(self, app_id: str, family: str) -> Iterator[_EveryTurnAtOnce]:
        yield self

    def ready(self) -> None:
        pass


class _StageRecorder:
    """Accepts every call after a short while; records the stage calls in flight at once, in order."""

    def __init__(self, unavailable_from: str | None = None) -> None:
        self.in_flight = 0
        self.most = 0
        self.stages: list[str] = []
        self.unavailable_from = unavailable_from
        self._lock = threading.Lock()

    def send(self, request: Request, *, timeout_s: float) -> Response:
        if request.path == "/oauth/v2/accessToken":
            return Response(200, {}, json.dumps({"access_token": "t", "expires_in": 1800}).encode())
        keys = list(json.loads(request.content or b"{}")["entities"])
        if not request.path.endswith("/stages"):
            body = {"results": {k: {"status": 204} for k in keys}, "errors": {}}
            return Response(200, {}, json.dumps(body).encode())
        application = unquote(request.path).split("=", 1)[1].split("&", 1)[0]
        with self._lock:
            self.stages.append(application)
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        time.sleep(0.02)
        with self._lock:
            self.in_flight -= 1
        if self.unavailable_from and application >= self.unavailable_from:
            return Response(503, {}, b"{}")
        body = {"results": {k: {"status": 204} for k in keys}, "errors": {}}
        return Response(200, {}, json.dumps(body).encode())

    def close(self) -> None:
        pass


def _push_client(transport: _StageRecorder) -> LinkedInClient:
    clients = LinkedInClients(get_settings(), get_store, transport=transport)
    clients.sequencer = _EveryTurnAtOnce()  # type: ignore[assignment]
    return clients.for_app(AppCredentials("acme-client", "acme-secret"), ORG)


def _pushes(count: int) -> dict[str, ApplicationPush]:
    return {
        f"A-{i}": ApplicationPush({"firstName": "Ada"}, {f"A-{i}-t0": {"atsCreatedAt": 1, "stage": "New"}})
        for i in range(count)
    }


def test_stage_batches_go_one_application_after_another(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://li")
    from rsc.settings import reset_settings

    reset_settings()
    recorder = _StageRecorder()
    result = send_applications(_push_client(recorder), _pushes(6))
    assert set(result.ok) == {f"A-{i}" for i in range(6)}
    assert recorder.most == 1
    assert recorder.stages == [f"A-{i}" for i in range(6)]


def test_once_linkedin_is_unavailable_the_remaining_stages_wait_for_the_next_push(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://li")
    from rsc.settings import reset_settings

    reset_settings()
    recorder = _StageRecorder(unavailable_from="A-2")
    result = send_applications(_push_client(recorder), _pushes(5))
    assert set(result.ok) == {"A-0", "A-1"}
    assert set(result.failed) == {"A-2", "A-3", "A-4"}
    # A-2 was tried (with the client's own retries); the applications after it were not.
    assert set(recorder.stages) == {"A-0", "A-1", "A-2"}
