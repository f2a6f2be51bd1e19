"""Which records each phase of a historical sync holds (``store.backfill_phases``), on both stores."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from schemas.ats import ApplicationSnapshot, CandidateSnapshot, JobSnapshot, StageTransition
from store.backfill import BackfillKind
from store.backfill_phases import (
    SYNC_PHASES,
    Phase,
    phase_select,
    reach,
    recent_since,
    resource_of,
    stage_load,
)
from store.base import utcnow
from store.db import Store
from store.linkedin_sync import Resource, SyncState
from store.uow import UnitOfWork
from tests.helpers import CLAIM_LEASE

NOW = utcnow()
OLD = NOW - timedelta(days=400)


def job(job_id: str, state: str) -> JobSnapshot:
    return JobSnapshot(job_id=job_id, title="Engineer", state=state, created_at=OLD, modified_at=OLD)


def application(
    application_id: str, candidate_id: str, job_id: str, modified_days_ago: float
) -> ApplicationSnapshot:
    at = NOW - timedelta(days=modified_days_ago)
    return ApplicationSnapshot(
        application_id=application_id,
        candidate_id=candidate_id,
        job_id=job_id,
        status="new",
        created_at=OLD,
        modified_at=at,
    )


def seed(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        for job_id, state in (("J-1", "published"), ("J-2", "closed"), ("J-3", "closed"), ("J-4", "draft")):
            uow.jobs.apply(job(job_id, state))
        for n in range(1, 6):
            uow.candidates.apply(
                CandidateSnapshot(candidate_id=f"C-{n}", first_name="Ada", created_at=OLD, modified_at=OLD)
            )
        uow.applications.apply(application("A-1", "C-1", "J-1", 10))  # recent, open job
        uow.applications.apply(application("A-2", "C-2", "J-2", 89))  # recent, closed job
        uow.applications.apply(application("A-3", "C-3", "J-3", 91))  # not recent ...
        uow.applications.apply(application("A-4", "C-4", "J-3", 200))  # ... but moved to a stage lately
        uow.applications.add_stage(
            "A-4", StageTransition(transition_id="T-4", status="screen", changed_at=NOW - timedelta(days=5))
        )
        uow.commit()


def test_each_phase_holds_its_records_and_recent_means_the_last_90_days(store: Store) -> None:
    seed(store)
    with UnitOfWork("acme", store) as uow:
        page = uow.backfills.page
        assert page("open_job", after=None, limit=100) == ["J-1"]
        assert page("recent_job", after=None, limit=100) == ["J-1", "J-2", "J-3"]  # J-1 is sent before
        assert page("recent_candidate", after=None, limit=100) == ["C-1", "C-2", "C-4"]
        assert page("recent_application", after=None, limit=100) == ["A-1", "A-2", "A-4"]
        assert page("job", after=None, limit=100) == ["J-1", "J-2", "J-3", "J-4"]
        # What a phase not started yet leaves to a later one (the dry run's and the status' counts).
        assert page("recent_job", after=None, limit=100, excluding=["open_job"]) == ["J-2", "J-3"]
        assert page("candidate", after=None, limit=100, excluding=["recent_candidate"]) == ["C-3", "C-5"]


def test_a_phase_leaves_out_what_the_run_covered_unless_it_changed_again(store: Store) -> None:
    seed(store)
    with UnitOfWork("acme", store) as uow:
        run = uow.backfills.start(BackfillKind.SYNC, ["open_job", "job"], reason="test")
        started = run.created_at
        uow.outbox.mark_all_changed([(Resource.JOB, j) for j in ("J-1", "J-2")])
        claimed = uow.outbox.claim(Resource.JOB, lease=CLAIM_LEASE, ids=["J-1", "J-2"])
        uow.outbox.settle(Resource.JOB, claimed)  # both sent after the run started
        uow.outbox.mark_changed(Resource.JOB, "J-2")  # ... and J-2 changed again since
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.backfills.page("job", after=None, limit=100, covered_since=started) == [
            "J-2",
            "J-3",
            "J-4",
        ]
        current = uow.backfills.get(run.run)
        assert current is not None
        assert uow.backfills.left_count(current, uow.backfills.cursor(run.run, "job")) == 3


def test_a_sync_sends_open_and_recent_records_first_and_notes_last() -> None:
    assert SYNC_PHASES[0] is Phase.OPEN_JOB and SYNC_PHASES[-1] is Phase.NOTE
    assert [resource_of(p) for p in SYNC_PHASES[:4]] == [
        Resource.JOB, Resource.JOB, Resource.CANDIDATE, Resource.APPLICATION
    ]  # fmt: skip
    assert NOW - recent_since(NOW) == timedelta(days=90)


def test_a_phase_select_reads_its_records_between_cursors(store: Store) -> None:
    seed(store)
    with UnitOfWork("acme", store) as uow:
        since = recent_since(NOW)
        ids = uow.session.scalars(phase_select("job", "acme", since=since, after="J-1", through="J-3"))
        assert sorted(ids) == ["J-2", "J-3"]
        ids = uow.session.scalars(phase_select("recent_application", "other", since=since))
        assert list(ids) == []  # another tenant's phase holds none of acme's records


def test_the_live_sweep_reaches_what_the_run_has_sent_and_the_stages_it_will_carry(store: Store) -> None:
    seed(store)
    since = recent_since(NOW)
    assert reach([("open_job", None, True), ("job", None, True)], Resource.JOB, "acme", since) is True
    assert reach([("open_job", None, False), ("job", None, False)], Resource.JOB, "acme", since) is False
    partway = reach([("open_job", None, True), ("job", "J-2", False)], Resource.JOB, "acme", since)
    assert not isinstance(partway, bool)
    with UnitOfWork("acme", store) as uow:
        uow.outbox.mark_all_changed([(Resource.JOB, j) for j in ("J-1", "J-2", "J-3", "J-4")])
        reached = uow.session.scalars(select(SyncState.entity_id).where(SyncState.resource == "job", partway))
        assert sorted(reached) == ["J-1", "J-2"]
        applications = phase_select("recent_application", "acme", since=since)
        assert stage_load(uow.session, "acme", applications) == (1, 1)  # A-4's stage, not sent yet
