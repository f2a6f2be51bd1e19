"""The historical backfill against the in-process sandbox, on both stores: order and batch sizes,
checkpoints after a crash, live changes during the run, pause and resume, failures, dry runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from linkedin.client import LinkedInClient
from linkedin.restli import BatchResult
from linkedin.versions import Family
from rsc.settings import get_settings
from schemas.commands import BackfillSlice
from store.backfill import BackfillKind, Backfills, BackfillState
from store.base import utcnow
from store.db import Store
from store.linkedin_sync import Resource, SyncState
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.fakes import FakePublisher
from tests.helpers import linkedin_path, linkedin_prefix, v2_resource
from tests.sandbox_harness import SandboxHarness
from tests.workers.integration_lifecycle.conftest import (
    TENANT,
    apply,
    remote,
    remote_notes,
    status_change,
)
from workers.historical_backfill.dry_run import dry_run
from workers.historical_backfill.progress import progress
from workers.historical_backfill.runner import run_backfill
from workers.integration_lifecycle.handlers import handle_status_changed, onboard
from workers.shared import linkedin_push
from workers.shared.backfill_runs import PHASES
from workers.shared.outbox_sweep import sweep_outbox

JOBS, CANDIDATES, APPLICATIONS, NOTES = 30, 250, 210, 120
#: Every fifth job of ``seed`` is closed.
OPEN_JOBS = JOBS - len(range(0, JOBS, 5))


class Killed(BaseException):
    """The worker dies where this is raised (nothing after it runs, not even ``except Exception``)."""


def seed(store: Store) -> None:
    events = [ats.job(f"J-{i:03d}", state="closed" if i % 5 == 0 else "published") for i in range(JOBS)]
    events += [ats.candidate(f"C-{i:04d}") for i in range(CANDIDATES)]
    for i in range(APPLICATIONS):
        application, candidate, job = f"A-{i:04d}", f"C-{i:04d}", f"J-{i % JOBS:03d}"
        events.append(ats.application(application, candidate_id=candidate, job_id=job))
        if i % 3 == 0:
            events.append(
                ats.application(application, candidate_id=candidate, job_id=job, status="Screen", step=1)
            )
    for i in range(NOTES):
        on_application = f"A-{i:04d}" if i % 2 else None
        events.append(ats.note(f"N-{i:04d}", candidate_id=f"C-{i:04d}", application_id=on_application))
    apply(store, *events)


def enable(store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, publisher: FakePublisher) -> int:
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    transition = handle_status_changed(
        status_change(sandbox, "ENABLED"), UnitOfWork(TENANT, store), linkedin, publisher
    )
    assert transition is not None and transition.started_run is not None
    return transition.started_run


def one_batch(store: Store, bulk: LinkedInClient, publisher: FakePublisher, run: int) -> None:
    run_backfill(
        BackfillSlice(tenant=TENANT, run=run),
        UnitOfWork(TENANT, store),
        bulk,
        publisher,
        slice_s=0,
        settings=get_settings(),
    )


def run_to_end(store: Store, bulk: LinkedInClient, publisher: FakePublisher, run: int) -> None:
    for _ in range(500):
        with UnitOfWork(TENANT, store) as uow:
            current = uow.backfills.get(run)
            assert current is not None
            if current.state != BackfillState.RUNNING:
                return
        run_backfill(
            BackfillSlice(tenant=TENANT, run=run),
            UnitOfWork(TENANT, store),
            bulk,
            publisher,
            settings=get_settings(),
        )
    raise AssertionError("the run did not end")


def writes(sandbox: SandboxHarness) -> list[dict[str, Any]]:
    return [
        r
        for r in sandbox.control("GET", "/requests")["requests"]
        if r["method"] in ("PUT", "POST")
        and r["path"].startswith(linkedin_prefix())
        and not r["path"].startswith(linkedin_path(Family.INTEGRATIONS))  # onboarding
        and r["status"] < 300
    ]


def resource_of(request: dict[str, Any]) -> str:
    path = request["path"]
    if path.endswith("/stages"):
        return "stages"
    if path.endswith("/notes"):
        return "notes"
    jobs, candidates = linkedin_path(Family.JOB_POSTINGS), linkedin_path(Family.CANDIDATES)
    return {jobs: "jobs", candidates: "candidates"}.get(path, "applications")


def records_written(sandbox: SandboxHarness) -> Counter[str]:
    """Records LinkedIn took, by resource, from the sandbox's own counters."""
    written: Counter[str] = Counter()
    for row in sandbox.counters()["calls"]:
        resource = v2_resource(row["resource"])
        synced = not resource.startswith(("atsIntegrations", "oauth"))  # not onboarding, tokens
        if synced and row["method"] in ("PUT", "POST") and 200 <= row["status"] < 300:
            written[resource] += row["records"]
    return written


def test_open_jobs_then_other_jobs_candidates_applications_with_stages_then_notes_in_batches_of_100(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
) -> None:
    seed(store)
    run = enable(store, sandbox, linkedin, publisher)
    run_to_end(store, bulk, publisher, run)

    sent = writes(sandbox)
    order = [resource_of(r) for r in sent]
    first = {kind: order.index(kind) for kind in ("jobs", "candidates", "applications", "notes")}
    last = {kind: len(order) - 1 - order[::-1].index(kind) for kind in set(order)}
    assert last["jobs"] < first["candidates"]
    assert last["candidates"] < first["applications"]
    assert last["applications"] < first["notes"] and last["stages"] < first["notes"]
    # The open jobs, then the closed ones: nothing of this history is recent.
    assert order.count("jobs") == 2 and order.count("candidates") == 3 and order.count("applications") == 3
    assert records_written(sandbox) == {
        "simpleJobPostings": JOBS,
        "atsCandidates": CANDIDATES,
        "atsApplications": APPLICATIONS,
        "atsApplications/stages": APPLICATIONS + len(range(0, APPLICATIONS, 3)),
        "atsCandidates/notes": NOTES // 2,
        "atsApplications/notes": NOTES // 2,
    }
    assert len(remote(sandbox, "jobs")) == JOBS and len(remote(sandbox, "candidates")) == CANDIDATES
    assert len(remote(sandbox, "applications")) == APPLICATIONS and len(remote_notes(sandbox)) == NOTES

    report = progress(UnitOfWork(TENANT, store), settings=get_settings())
    assert report is not None and report.state == BackfillState.DONE
    assert [(p.resource, p.total, p.sent, p.finished) for p in report.phases] == [
        ("open_job", OPEN_JOBS, OPEN_JOBS, True),
        ("recent_job", 0, 0, True),
        ("recent_candidate", 0, 0, True),
        ("recent_application", 0, 0, True),
        ("job", JOBS - OPEN_JOBS, JOBS - OPEN_JOBS, True),
        ("candidate", CANDIDATES, CANDIDATES, True),
        ("application", APPLICATIONS, APPLICATIONS, True),
        ("note", NOTES, NOTES, True),
    ]


def test_a_worker_killed_mid_batch_resends_that_batch_only(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(store)
    run = enable(store, sandbox, linkedin, publisher)
    real = linkedin_push.SENDERS[Resource.CANDIDATE]
    calls = {"n": 0}

    def dies_after_the_second_batch(client: LinkedInClient, bodies: Mapping[str, Any]) -> BatchResult:
        result = real(client, bodies)  # LinkedIn took the batch ...
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed  # ... and the worker died before the outbox and the cursor heard of it
        return result

    monkeypatch.setitem(linkedin_push.SENDERS, Resource.CANDIDATE, dies_after_the_second_batch)
    with pytest.raises(Killed):
        run_to_end(store, bulk, publisher, run)
    monkeypatch.setitem(linkedin_push.SENDERS, Resource.CANDIDATE, real)
    with UnitOfWork(TENANT, store) as uow:
        cursor = uow.backfills.cursor(run, "candidate")
        assert cursor.inflight_through == "C-0199" and cursor.after_id == "C-0099"
    # Time passes: the dead worker's leases run out.
    with store.session(TENANT) as session:
        session.execute(update(SyncState).values(lease_until=None))
        session.commit()

    run_to_end(store, bulk, publisher, run)

    written = records_written(sandbox)
    assert written["atsCandidates"] == CANDIDATES + 100  # the batch in flight, once more
    assert written["simpleJobPostings"] == JOBS and written["atsApplications"] == APPLICATIONS
    assert len(remote(sandbox, "candidates")) == CANDIDATES
    with UnitOfWork(TENANT, store) as uow:
        assert uow.outbox.dirty_count() == 0
        assert uow.backfills.cursor(run, "candidate").sent == CANDIDATES


def test_while_a_batch_is_sent_the_run_and_the_batch_are_held_for_the_configured_lease(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(store)
    run = enable(store, sandbox, linkedin, publisher)
    settings = get_settings().model_copy(update={"work_lease_s": 7.0})
    real = linkedin_push.SENDERS[Resource.JOB]
    seen: list[tuple[float, list[float]]] = []

    def observes_the_leases(client: LinkedInClient, bodies: Mapping[str, Any]) -> BatchResult:
        with UnitOfWork(TENANT, store) as uow:
            held = uow.backfills.get(run)
            assert held is not None and held.lease_until is not None
            batch = [uow.outbox.state(Resource.JOB, key) for key in bodies]
            now = utcnow()
            seen.append(
                (
                    (held.lease_until - now).total_seconds(),
                    [(b.lease_until - now).total_seconds() for b in batch if b and b.lease_until],
                )
            )
        return real(client, bodies)

    monkeypatch.setitem(linkedin_push.SENDERS, Resource.JOB, observes_the_leases)
    run_backfill(
        BackfillSlice(tenant=TENANT, run=run),
        UnitOfWork(TENANT, store),
        bulk,
        publisher,
        slice_s=0,
        settings=settings,
    )
    assert seen, "no batch of jobs was sent"
    run_lease, batch_leases = seen[0]
    assert 5.0 < run_lease <= 7.0, run_lease
    assert len(batch_leases) == OPEN_JOBS and all(5.0 < left <= 7.0 for left in batch_leases), batch_leases


def test_a_crash_after_the_outbox_was_settled_resends_nothing(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(store)
    run = enable(store, sandbox, linkedin, publisher)
    real = Backfills.outcomes
    calls = {"n": 0}

    def dies_before_the_cursor_moves(
        backfills: Backfills, resource: Resource, ids: list[str]
    ) -> Counter[str]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise Killed
        return real(backfills, resource, ids)

    monkeypatch.setattr(Backfills, "outcomes", dies_before_the_cursor_moves)
    with pytest.raises(Killed):
        run_to_end(store, bulk, publisher, run)
    monkeypatch.setattr(Backfills, "outcomes", real)
    run_to_end(store, bulk, publisher, run)

    assert records_written(sandbox)["atsCandidates"] == CANDIDATES
    with UnitOfWork(TENANT, store) as uow:
        assert uow.backfills.cursor(run, "candidate").sent == CANDIDATES  # counted from the outbox


def test_live_changes_during_the_backfill_are_never_overwritten_by_older_data(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(store)
    run = enable(store, sandbox, linkedin, publisher)
    one_batch(store, bulk, publisher, run)  # the open jobs
    one_batch(store, bulk, publisher, run)  # the closed jobs
    one_batch(store, bulk, publisher, run)  # candidates C-0000 .. C-0099
    assert len(remote(sandbox, "candidates")) == 100

    # Live changes: one the backfill sent already, one it has not reached.
    apply(store, ats.candidate("C-0050", modified=60, last_name="Byron"))
    apply(store, ats.candidate("C-0230", modified=60, last_name="King"))
    sweep_outbox(UnitOfWork(TENANT, store), linkedin, grace=timedelta(0), settings=get_settings())
    candidates = remote(sandbox, "candidates")
    assert candidates["C-0050"]["lastName"] == "Byron"  # live pushes go on for what the backfill passed
    assert "C-0230" not in candidates  # ... and leave the rest to it

    # A change lands while a batch is in flight: the batch carries the older state.
    real = linkedin_push.SENDERS[Resource.CANDIDATE]

    def change_while_in_flight(client: LinkedInClient, bodies: Mapping[str, Any]) -> BatchResult:
        if "C-0150" in bodies:
            apply(store, ats.candidate("C-0150", modified=90, last_name="Somerville"))
        return real(client, bodies)

    monkeypatch.setitem(linkedin_push.SENDERS, Resource.CANDIDATE, change_while_in_flight)
    one_batch(store, bulk, publisher, run)  # C-0100 .. C-0199
    monkeypatch.setitem(linkedin_push.SENDERS, Resource.CANDIDATE, real)
    assert remote(sandbox, "candidates")["C-0150"]["lastName"] == "Lovelace"
    with UnitOfWork(TENANT, store) as uow:
        assert uow.outbox.dirty_ids(Resource.CANDIDATE, ["C-0150"]) == {"C-0150"}  # not settled as sent
    sweep_outbox(UnitOfWork(TENANT, store), linkedin, grace=timedelta(0), settings=get_settings())
    assert remote(sandbox, "candidates")["C-0150"]["lastName"] == "Somerville"

    run_to_end(store, bulk, publisher, run)
    candidates = remote(sandbox, "candidates")
    assert (candidates["C-0050"]["lastName"], candidates["C-0150"]["lastName"]) == ("Byron", "Somerville")
    assert candidates["C-0230"]["lastName"] == "King"  # the backfill sent the current state
    # An older snapshot arriving late changes nothing anywhere.
    apply(store, ats.candidate("C-0150", modified=30, last_name="Older"))
    sweep_outbox(UnitOfWork(TENANT, store), linkedin, grace=timedelta(0), settings=get_settings())
    assert remote(sandbox, "candidates")["C-0150"]["lastName"] == "Somerville"


def test_pause_and_resume_go_on_where_the_run_stopped(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
) -> None:
    seed(store)
    run = enable(store, sandbox, linkedin, publisher)
    one_batch(store, bulk, publisher, run)
    one_batch(store, bulk, publisher, run)
    one_batch(store, bulk, publisher, run)
    with UnitOfWork(TENANT, store) as uow:
        current = uow.backfills.get(run)
        assert current is not None
        uow.backfills.pause(current, "maintenance window")
        uow.commit()

    report = run_backfill(
        BackfillSlice(tenant=TENANT, run=run),
        UnitOfWork(TENANT, store),
        bulk,
        publisher,
        settings=get_settings(),
    )
    assert report.batches == 0 and report.stopped is not None
    paused = progress(UnitOfWork(TENANT, store), settings=get_settings())
    assert paused is not None and (paused.state, paused.reason, paused.done) == (
        "paused",
        "maintenance window",
        130,
    )

    with UnitOfWork(TENANT, store) as uow:
        current = uow.backfills.get(run)
        assert current is not None
        uow.backfills.resume(current)
        uow.commit()
    run_to_end(store, bulk, publisher, run)
    written = records_written(sandbox)
    assert (written["simpleJobPostings"], written["atsCandidates"]) == (JOBS, CANDIDATES)


def test_linkedin_unavailable_backs_the_run_off_instead_of_failing_it(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(store)
    run = enable(store, sandbox, linkedin, publisher)
    monkeypatch.setattr("linkedin.http.MAX_ATTEMPTS", 1)
    monkeypatch.setattr("linkedin.batching.KEY_RETRIES", 0)
    sandbox.faults(error_rate=1.0)
    published = len(publisher.messages)

    report = run_backfill(
        BackfillSlice(tenant=TENANT, run=run),
        UnitOfWork(TENANT, store),
        bulk,
        publisher,
        settings=get_settings(),
    )

    assert report.backoff_s is not None and report.backoff_s > 0
    assert len(publisher.messages) == published  # the scheduler asks again once the backoff is over
    with UnitOfWork(TENANT, store) as uow:
        current = uow.backfills.get(run)
        assert current is not None and current.state == BackfillState.RUNNING
        assert current.failures == 1 and current.last_error is not None
        assert "LinkedInUnavailable" in current.last_error
        assert current.requested_until is not None
    sandbox.control("DELETE", "/faults")
    run_to_end(store, bulk, publisher, run)
    assert len(remote(sandbox, "candidates")) == CANDIDATES


def test_a_dry_run_counts_what_would_be_sent_and_changes_nothing(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, publisher: FakePublisher
) -> None:
    seed(store)
    apply(
        store,
        ats.job("J-DRAFT", state="draft"),
        ats.job("J-NODESC", description=None),
        ats.candidate("C-NONAME", first_name=None),
        ats.application("A-ORPHAN", candidate_id="C-MISSING", job_id="J-001"),
        ats.application("A-NONAME", candidate_id="C-NONAME", job_id="J-001"),
        ats.note("N-ORPHAN", candidate_id="C-MISSING"),
    )
    with UnitOfWork(TENANT, store) as uow:
        dirty = uow.outbox.dirty_count()
    result = dry_run(lambda: UnitOfWork(TENANT, store), settings=get_settings())

    counts = {c.resource: c for c in result.counts}
    open_jobs, jobs = counts["open_job"], counts["job"]
    assert (open_jobs.records, open_jobs.send, open_jobs.refuse, open_jobs.skip) == (
        OPEN_JOBS + 1,
        OPEN_JOBS,
        1,
        0,
    )
    assert (jobs.records, jobs.send, jobs.refuse, jobs.skip) == (JOBS - OPEN_JOBS + 1, JOBS - OPEN_JOBS, 0, 1)
    assert [c.resource for c in result.counts] == list(PHASES[BackfillKind.SYNC])
    assert all(c.eta_s > 0 for c in result.counts if c.send)
    assert [c.done_after_s for c in result.counts] == sorted(c.done_after_s for c in result.counts)
    assert (counts["candidate"].send, counts["candidate"].refuse) == (CANDIDATES, 1)
    application = counts["application"]
    assert (application.send, application.refuse, application.wait) == (APPLICATIONS, 1, 1)
    assert application.stages == APPLICATIONS + len(range(0, APPLICATIONS, 3))
    assert (counts["note"].send, counts["note"].wait) == (NOTES, 1)
    assert result.linkedin_records == JOBS + CANDIDATES + APPLICATIONS + application.stages + NOTES
    assert result.estimated_s > 0
    with UnitOfWork(TENANT, store) as uow:
        assert uow.outbox.dirty_count() == dirty
        assert uow.backfills.current() is None
    assert writes(sandbox) == []


def test_the_scheduler_asks_for_a_runner_when_no_one_works_on_a_run(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    publisher: FakePublisher,
) -> None:
    from workers.shared.backfill_runs import kick_messages

    run = enable(store, sandbox, linkedin, publisher)
    assert kick_messages(store) == []  # the enablement queued a runner request already
    with UnitOfWork(TENANT, store) as uow:  # ... which was lost, and its hold ran out
        current = uow.backfills.get(run)
        assert current is not None
        current.requested_until = None
        uow.commit()
    (message,) = kick_messages(store)
    assert message.queue == "historical_backfill"
    assert kick_messages(store) == []  # asked once until the hold runs out


def seconds_since_t0(days_ago: float) -> int:
    """``ats`` events' time offset of a moment ``days_ago`` days before now."""
    return int((datetime.now(UTC) - timedelta(days=days_ago) - ats.T0).total_seconds())


def seed_recent(store: Store) -> None:
    """On top of ``seed``: applications A-0200 .. A-0209 moved 10 days ago (their jobs are open or
    closed, their candidates are in the second half), A-0190 changed 100 days ago (not recent)."""
    events = [
        ats.application(
            f"A-{i:04d}",
            candidate_id=f"C-{i:04d}",
            job_id=f"J-{i % JOBS:03d}",
            status="Offer",
            step=seconds_since_t0(10),
        )
        for i in range(200, 210)
    ]
    events.append(
        ats.application(
            "A-0190", candidate_id="C-0190", job_id="J-010", status="Offer", step=seconds_since_t0(100)
        )
    )
    apply(store, *events)


RECENT_IDS = {f"A-{i:04d}" for i in range(200, 210)}


def test_open_jobs_then_recent_applications_with_their_jobs_and_candidates_come_first_and_nothing_twice(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
) -> None:
    seed(store)
    seed_recent(store)
    run = enable(store, sandbox, linkedin, publisher)
    run_to_end(store, bulk, publisher, run)

    sent = writes(sandbox)
    kinds = [resource_of(r) for r in sent]
    # The open jobs, the closed jobs of recent applications, their candidates, the recent applications
    # with their stages: all before any other record.
    assert kinds[:3] == ["jobs", "jobs", "candidates"]
    rest = kinds.index("jobs", 3)
    assert set(kinds[3:rest]) == {"applications", "stages"} and kinds[3:rest].count("applications") == 1
    with UnitOfWork(TENANT, store) as uow:
        current = uow.backfills.get(run)
        assert current is not None
        sent_by_phase = {c.resource: c.sent for c in uow.backfills.cursors(current)}
    closed_recent = {f"J-{i % JOBS:03d}" for i in range(200, 210) if (i % JOBS) % 5 == 0}
    assert sent_by_phase["open_job"] == OPEN_JOBS
    assert sent_by_phase["recent_job"] == len(closed_recent)
    assert sent_by_phase["recent_candidate"] == 10
    assert sent_by_phase["recent_application"] == len(RECENT_IDS)  # A-0190 moved 100 days ago
    assert sent_by_phase["job"] == JOBS - OPEN_JOBS - len(closed_recent)
    assert sent_by_phase["candidate"] == CANDIDATES - 10
    assert sent_by_phase["application"] == APPLICATIONS - len(RECENT_IDS)
    # Nothing sent twice across phases: LinkedIn took each record once.
    written = records_written(sandbox)
    assert (written["simpleJobPostings"], written["atsCandidates"], written["atsApplications"]) == (
        JOBS,
        CANDIDATES,
        APPLICATIONS,
    )


def test_a_run_killed_inside_the_recent_phase_resumes_there_and_sends_nothing_twice(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(store)
    seed_recent(store)
    run = enable(store, sandbox, linkedin, publisher)
    real = linkedin_push.SENDERS[Resource.APPLICATION]

    def dies_after_the_recent_batch(client: LinkedInClient, bodies: Mapping[str, Any]) -> BatchResult:
        real(client, bodies)
        raise Killed  # LinkedIn took the recent applications; the worker died before settling them

    monkeypatch.setitem(linkedin_push.SENDERS, Resource.APPLICATION, dies_after_the_recent_batch)
    with pytest.raises(Killed):
        run_to_end(store, bulk, publisher, run)
    monkeypatch.setitem(linkedin_push.SENDERS, Resource.APPLICATION, real)
    with UnitOfWork(TENANT, store) as uow:
        current = uow.backfills.get(run)
        assert current is not None and current.phase == "recent_application"
        assert uow.backfills.cursor(run, "recent_application").inflight_through == "A-0209"
    with store.session(TENANT) as session:  # the dead worker's leases run out
        session.execute(update(SyncState).values(lease_until=None))
        session.commit()

    run_to_end(store, bulk, publisher, run)

    written = records_written(sandbox)
    # The batch in flight went once more; every other record once.
    assert written["atsApplications"] == APPLICATIONS + len(RECENT_IDS)
    assert (written["simpleJobPostings"], written["atsCandidates"]) == (JOBS, CANDIDATES)
    assert len(remote(sandbox, "applications")) == APPLICATIONS
    with UnitOfWork(TENANT, store) as uow:
        assert uow.backfills.cursor(run, "recent_application").sent == len(RECENT_IDS)
        assert uow.backfills.cursor(run, "application").sent == APPLICATIONS - len(RECENT_IDS)
        assert uow.outbox.dirty_count() == 0
