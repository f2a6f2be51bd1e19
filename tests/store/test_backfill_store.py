"""What the historical backfill reads and writes through ``Backfills``, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from schemas.ats import ApplicationSnapshot, CandidateNoteSnapshot, CandidateSnapshot, StageTransition
from store.db import Store
from store.linkedin_sync import Resource, SyncOutcome
from store.uow import UnitOfWork
from tests.helpers import CLAIM_LEASE

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def candidate(candidate_id: str) -> CandidateSnapshot:
    return CandidateSnapshot(candidate_id=candidate_id, first_name="Ada", created_at=T0, modified_at=T0)


def test_a_phase_is_paged_in_id_order_and_counted_for_its_tenant_only(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        for n in (3, 1, 5, 2, 4):
            uow.candidates.apply(candidate(f"C-{n}"))
        uow.commit()
    with UnitOfWork("globex", store) as uow:
        uow.candidates.apply(candidate("C-0"))
        uow.commit()

    with UnitOfWork("acme", store) as uow:
        backfills = uow.backfills
        assert backfills.count(Resource.CANDIDATE) == 5
        assert backfills.count(Resource.JOB) == 0
        assert backfills.page(Resource.CANDIDATE, after=None, limit=2) == ["C-1", "C-2"]
        assert backfills.page(Resource.CANDIDATE, after="C-2", limit=2) == ["C-3", "C-4"]
        # The batch in flight when a runner stopped: only up to its last id.
        assert backfills.page(Resource.CANDIDATE, after="C-2", through="C-3", limit=100) == ["C-3"]
        assert backfills.page(Resource.CANDIDATE, after="C-5", limit=2) == []


def test_a_batch_is_counted_from_what_the_outbox_says_of_each_record(store: Store) -> None:
    records = ["C-1", "C-2", "C-3", "C-4"]
    with UnitOfWork("acme", store) as uow:
        uow.outbox.mark_all_changed([(Resource.CANDIDATE, c) for c in records])
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        claimed = uow.outbox.claim(Resource.CANDIDATE, lease=CLAIM_LEASE, limit=10)
        uow.outbox.settle(Resource.CANDIDATE, {c: claimed[c] for c in ("C-1", "C-3")})
        uow.outbox.settle(
            Resource.CANDIDATE, {"C-2": claimed["C-2"]}, outcome=SyncOutcome.REJECTED, error="x"
        )
        uow.outbox.settle(Resource.CANDIDATE, {"C-4": claimed["C-4"]}, outcome=SyncOutcome.SKIPPED)
        # C-3 changed again after it was sent: the live sweep sends it.
        uow.outbox.mark_changed(Resource.CANDIDATE, "C-3")
        uow.commit()

    with UnitOfWork("acme", store) as uow:
        # C-5 has no outbox row: nothing was sent of it.
        assert uow.backfills.outcomes(Resource.CANDIDATE, [*records, "C-5"]) == Counter(
            sent=1, rejected=1, waiting=1, skipped=2
        )


def seed_synced_history(store: Store) -> None:
    """A candidate with an application (one stage) and two notes, all of it on LinkedIn."""
    with UnitOfWork("acme", store) as uow:
        uow.candidates.apply(candidate("C-1"))
        uow.applications.apply(
            ApplicationSnapshot(
                application_id="A-1",
                candidate_id="C-1",
                job_id="J-1",
                status="new",
                created_at=T0,
                modified_at=T0,
            )
        )
        uow.applications.add_stage("A-1", StageTransition(transition_id="T-1", status="new", changed_at=T0))
        uow.applications.mark_stages_synced("A-1", ["T-1"])
        for note_id, application_id in (("N-1", None), ("N-2", "A-1")):
            uow.ats_notes.apply(
                CandidateNoteSnapshot(
                    note_id=note_id,
                    candidate_id="C-1",
                    application_id=application_id,
                    text="x",
                    created_at=T0,
                    modified_at=T0,
                )
            )
        records = [
            (Resource.CANDIDATE, "C-1"),
            (Resource.CANDIDATE_MEMBER, "C-1"),
            (Resource.APPLICATION, "A-1"),
            (Resource.NOTE, "N-1"),
            (Resource.NOTE, "N-2"),
        ]
        uow.outbox.mark_all_changed(records)
        for resource, entity_id in records:
            uow.outbox.settle(resource, uow.outbox.claim(resource, lease=CLAIM_LEASE, ids=[entity_id]))
        uow.commit()


def forgotten(uow: UnitOfWork) -> set[tuple[str, str]]:
    """The records whose outbox row says LinkedIn holds nothing of them, for the reason a purge gives."""
    return {
        (resource, entity_id)
        for resource in Resource
        for entity_id, row in uow.outbox.states(resource, ["C-1", "A-1", "N-1", "N-2"]).items()
        if row.synced_version == 0
        and row.dirty_since is not None
        and row.last_error == "deleted from LinkedIn by a purge"
    }


def test_a_purged_application_is_forgotten_with_its_stages_and_notes(store: Store) -> None:
    seed_synced_history(store)
    with UnitOfWork("acme", store) as uow:
        uow.backfills.forget_purged(Resource.APPLICATION, ["A-1"])
        uow.commit()

    with UnitOfWork("acme", store) as uow:
        assert forgotten(uow) == {("application", "A-1"), ("note", "N-2")}
        assert [s.transition_id for s in uow.applications.unsynced_stages("A-1")] == ["T-1"]
        assert uow.outbox.dirty_ids(Resource.APPLICATION, ["A-1"]) == {"A-1"}


def test_a_purged_candidate_is_forgotten_with_its_member_link_and_its_own_notes(store: Store) -> None:
    seed_synced_history(store)
    with UnitOfWork("acme", store) as uow:
        uow.backfills.forget_purged(Resource.CANDIDATE, ["C-1"])
        uow.backfills.forget_purged(Resource.CANDIDATE, [])
        uow.commit()

    with UnitOfWork("acme", store) as uow:
        assert forgotten(uow) == {("candidate", "C-1"), ("candidate_member", "C-1"), ("note", "N-1")}
        assert uow.applications.unsynced_stages("A-1") == []
