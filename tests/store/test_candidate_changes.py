"""A candidate snapshot stored with what it moves, the same on both stores (one statement on PostgreSQL,
one each on SQLite): newer snapshots win, the outbox marks the candidate and, when the name or first
e-mail they show changed, its applications; a snapshot older than the candidate's deletion is erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.ats import ApplicationSnapshot, CandidateSnapshot
from store.candidate_changes import CandidateChange, apply_candidate_snapshot
from store.db import Store
from store.linkedin_sync import Resource
from store.tombstones import Subject
from store.uow import UnitOfWork
from tests.helpers import CLAIM_LEASE

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def snapshot(minutes: int = 0, **fields: object) -> CandidateSnapshot:
    values: dict[str, object] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "emails": ["ada@example.com"],
        **fields,
    }
    at = T0 + timedelta(minutes=minutes)
    return CandidateSnapshot(candidate_id="C-1", created_at=T0, modified_at=at, **values)


def apply(store: Store, data: CandidateSnapshot) -> CandidateChange:
    with UnitOfWork("acme", store) as uow:
        change = apply_candidate_snapshot(uow, data, uow.tombstones.guard(Subject.CANDIDATE, "C-1"))
        uow.commit()
    return change


def dirty(store: Store) -> set[tuple[str, str]]:
    with UnitOfWork("acme", store) as uow:
        return {
            (resource.value, entity_id)
            for resource in (Resource.CANDIDATE, Resource.APPLICATION)
            for entity_id in uow.outbox.dirty_ids(resource, ["C-1", "A-1"])
        }


def settle_all(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        for resource, ids in ((Resource.CANDIDATE, ["C-1"]), (Resource.APPLICATION, ["A-1"])):
            uow.outbox.settle(resource, uow.outbox.claim(resource, lease=CLAIM_LEASE, ids=ids))
        uow.commit()


def test_a_newer_snapshot_is_stored_and_marked_and_an_older_or_equal_one_is_not(store: Store) -> None:
    assert apply(store, snapshot(1)) == CandidateChange(changed=True)
    assert dirty(store) == {("candidate", "C-1")}
    settle_all(store)
    assert apply(store, snapshot(1)) == CandidateChange(changed=False)
    assert apply(store, snapshot(0, first_name="Old")) == CandidateChange(changed=False)
    assert dirty(store) == set()
    with UnitOfWork("acme", store) as uow:
        candidate = uow.candidates.get("C-1")
        assert candidate is not None and candidate.first_name == "Ada"
        assert [c.id for c in uow.candidates.by_email("ADA@example.com")] == ["C-1"]


def test_applications_are_marked_only_when_what_they_show_of_the_candidate_changed(store: Store) -> None:
    apply(store, snapshot(0))
    with UnitOfWork("acme", store) as uow:
        uow.applications.apply(
            ApplicationSnapshot(application_id="A-1", candidate_id="C-1", job_id="J-1", status="new",
                                created_at=T0, modified_at=T0)
        )  # fmt: skip
        uow.commit()
    settle_all(store)
    apply(store, snapshot(1, current_title="Analyst"))
    assert dirty(store) == {("candidate", "C-1")}
    settle_all(store)
    apply(store, snapshot(2, last_name="King"))
    assert dirty(store) == {("candidate", "C-1"), ("application", "A-1")}


def test_a_snapshot_taken_before_the_candidate_was_deleted_is_erased(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.tombstones.bury(
            Subject.CANDIDATE, ["C-1"], deleted_at=T0 + timedelta(minutes=5), receipt_id="r-1"
        )
        uow.commit()
    assert apply(store, snapshot(4)) == CandidateChange(erased=True)
    with UnitOfWork("acme", store) as uow:
        assert uow.candidates.get("C-1") is None
    assert apply(store, snapshot(6)) == CandidateChange(changed=True)  # re-created in the ATS since
