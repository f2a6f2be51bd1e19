"""The store contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from schemas.ats import ApplicationSnapshot, CandidateSnapshot, JobSnapshot, StageTransition
from store.base import to_ms
from store.candidates import Candidate
from store.db import Store
from store.jobs import Job
from store.linkedin_sync import Resource, SyncOutcome
from store.migrate import schema_drift
from store.tenancy import CrossTenantWrite
from store.uow import UnitOfWork
from tests.helpers import CLAIM_LEASE

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def job(
    job_id: str = "J-1", *, title: str = "Engineer", state: str = "published", seconds: int = 0
) -> JobSnapshot:
    return JobSnapshot(
        job_id=job_id, title=title, state=state, created_at=T0, modified_at=T0 + timedelta(seconds=seconds)
    )


def test_migrations_match_the_models(store: Store) -> None:
    assert schema_drift(store.engine) == []


def test_a_job_snapshot_never_overwrites_a_newer_one(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        assert uow.jobs.apply(job(title="second", seconds=20))
        assert not uow.jobs.apply(job(title="first", seconds=10))
        assert not uow.jobs.apply(job(title="second again", seconds=20))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        stored = uow.jobs.get("J-1")
        assert stored is not None and stored.title == "second"
        assert uow.jobs.apply(job(title="third", seconds=30))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        stored = uow.jobs.get("J-1")
        assert stored is not None
        assert stored.title == "third"
        assert stored.modified_at == T0 + timedelta(seconds=30)


def test_revision_breaks_ties_between_snapshots_of_the_same_millisecond(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        assert uow.jobs.apply(job(title="r2").model_copy(update={"revision": 2}))
        assert not uow.jobs.apply(job(title="r1").model_copy(update={"revision": 1}))
        assert uow.jobs.apply(job(title="r3").model_copy(update={"revision": 3}))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.jobs.get("J-1").title == "r3"  # type: ignore[union-attr]


def test_the_inbox_admits_an_event_once_per_consumer(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        assert uow.inbox.record("export", "src", "e1")
        assert not uow.inbox.record("export", "src", "e1")
        assert uow.inbox.record("status", "src", "e1")
        assert uow.inbox.record("export", "other-src", "e1")
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.inbox.seen("export", "src", "e1")
        assert not uow.inbox.record("export", "src", "e1")
    with UnitOfWork("globex", store) as uow:
        assert not uow.inbox.seen("export", "src", "e1")


def test_the_inbox_claims_several_events_at_once_each_once(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        assert uow.inbox.record("export", "src", "e1")
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        # Given one event claimed before and one listed twice, each new event is claimed once.
        events = [("src", "e2"), ("src", "e1"), ("other-src", "e1"), ("src", "e2")]
        assert uow.inbox.record_all("export", events) == {("src", "e2"), ("other-src", "e1")}
        assert uow.inbox.record_all("export", events) == set()
        assert uow.inbox.record_all("status", [("src", "e1")]) == {("src", "e1")}
        assert uow.inbox.record_all("export", []) == set()
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.inbox.seen("export", "src", "e2") and uow.inbox.seen("export", "other-src", "e1")
    with UnitOfWork("globex", store) as uow:
        assert uow.inbox.record_all("export", [("src", "e1")]) == {("src", "e1")}


def test_an_uncommitted_unit_of_work_leaves_nothing(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.inbox.record("export", "src", "e1")
        uow.jobs.apply(job())
    with UnitOfWork("acme", store) as uow:
        assert not uow.inbox.seen("export", "src", "e1")
        assert uow.jobs.get("J-1") is None


def test_a_tenant_session_cannot_read_another_tenants_rows(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.jobs.apply(job("J-1"))
        uow.commit()
    with UnitOfWork("globex", store) as uow:
        assert uow.jobs.get("J-1") is None
        # Even a query that forgets the tenant filter is scoped by the session.
        assert uow.session.scalars(select(Job)).all() == []
        assert uow.session.scalars(select(Job).where(Job.id == "J-1")).all() == []


def test_a_tenant_session_refuses_to_write_another_tenants_row(store: Store) -> None:
    with UnitOfWork("globex", store) as uow:
        uow.session.add(
            Candidate(
                tenant_id="acme",
                id="C-1",
                first_name="x",
                created_at=T0,
                modified_at=T0,
                source_modified_ms=to_ms(T0),
            )
        )
        with pytest.raises(CrossTenantWrite):
            uow.session.flush()


def test_candidates_are_found_by_member_and_by_email(store: Store) -> None:
    snapshot = CandidateSnapshot(
        candidate_id="C-1",
        first_name="Ada",
        last_name="Lovelace",
        emails=["Ada@Example.com"],
        created_at=T0,
        modified_at=T0,
    )
    with UnitOfWork("acme", store) as uow:
        assert uow.candidates.apply(snapshot)
        candidate = uow.candidates.get("C-1")
        assert candidate is not None
        candidate.person_urn = "urn:li:person:abc"
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert [c.id for c in uow.candidates.by_email("ada@example.COM")] == ["C-1"]
        assert uow.candidates.by_person_urn("urn:li:person:abc").id == "C-1"  # type: ignore[union-attr]
        # An ATS update keeps what the pipeline learned from LinkedIn.
        assert uow.candidates.apply(snapshot.model_copy(update={"modified_at": T0 + timedelta(seconds=1)}))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.candidates.get("C-1").person_urn == "urn:li:person:abc"  # type: ignore[union-attr]
    with UnitOfWork("globex", store) as uow:
        assert uow.candidates.by_email("ada@example.com") == []


def test_one_member_is_one_candidate_per_tenant(store: Store) -> None:
    def member_candidate(tenant: str, candidate_id: str) -> Candidate:
        return Candidate(
            id=candidate_id,
            first_name="x",
            person_urn="urn:li:person:same",
            created_at=T0,
            modified_at=T0,
            source_modified_ms=to_ms(T0),
        )

    with UnitOfWork("acme", store) as uow:
        uow.candidates.add(member_candidate("acme", "C-1"))
        uow.commit()
    with UnitOfWork("globex", store) as uow:
        uow.candidates.add(member_candidate("globex", "C-1"))
        uow.commit()
    from sqlalchemy.exc import IntegrityError

    with UnitOfWork("acme", store) as uow, pytest.raises(IntegrityError):
        uow.candidates.add(member_candidate("acme", "C-2"))


def test_application_stages_are_recorded_once_and_read_in_time_order(store: Store) -> None:
    snapshot = ApplicationSnapshot(
        application_id="A-1", candidate_id="C-1", job_id="J-1", status="Offer", created_at=T0, modified_at=T0
    )
    transitions = [
        StageTransition(transition_id=f"t{i}", status=s, changed_at=T0 + timedelta(minutes=i))
        for i, s in enumerate(["New", "Screen", "Offer"])
    ]
    with UnitOfWork("acme", store) as uow:
        uow.applications.apply(snapshot)
        for t in reversed(transitions):
            assert uow.applications.add_stage("A-1", t)
        assert not uow.applications.add_stage("A-1", transitions[0])
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert [s.status for s in uow.applications.stages("A-1")] == ["New", "Screen", "Offer"]


def test_the_outbox_coalesces_changes_and_settles_versions(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        for _ in range(3):
            uow.outbox.mark_changed(Resource.JOB, "J-1")
        uow.outbox.mark_changed(Resource.JOB, "J-2")
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        claimed = uow.outbox.claim(Resource.JOB, lease=CLAIM_LEASE)
        assert claimed == {"J-1": 3, "J-2": 1}
        # Leased: a second claim gets nothing until the first settles or the lease ends.
        assert uow.outbox.claim(Resource.JOB, lease=CLAIM_LEASE) == {}
        uow.outbox.mark_changed(Resource.JOB, "J-1")  # a change while the push is in flight
        uow.outbox.settle(Resource.JOB, claimed)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.outbox.claim(Resource.JOB, lease=CLAIM_LEASE) == {"J-1": 4}
        uow.outbox.settle(Resource.JOB, {"J-1": 4}, outcome=SyncOutcome.REJECTED, error="bad title")
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.outbox.dirty_count() == 0
        state = uow.outbox.state(Resource.JOB, "J-1")
        assert state is not None and state.last_outcome == "rejected" and state.dirty_since is None


def test_the_outbox_waits_for_quiet_unless_a_record_waited_too_long(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.outbox.mark_changed(Resource.APPLICATION, "A-1")
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert (
            uow.outbox.claim(Resource.APPLICATION, lease=CLAIM_LEASE, quiet_for=timedelta(seconds=60)) == {}
        )
        got = uow.outbox.claim(
            Resource.APPLICATION,
            lease=CLAIM_LEASE,
            quiet_for=timedelta(seconds=60),
            max_wait=timedelta(seconds=0),
        )
        assert got == {"A-1": 1}
