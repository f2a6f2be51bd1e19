"""A candidate snapshot stored with what it moves, the same on both stores (one statement on PostgreSQL,
one each on SQLite): newer snapshots win, the outbox marks the candidate and, when the name or first
e-mail they show changed, its applications; a snapshot older than the candidate's deletion is erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas.ats import ApplicationSnapshot, CandidateSnapshot
from store.candidate_changes import CandidateChange, apply_candidate_snapshot, apply_candidate_snapshots
from store.db import Store
from store.linkedin_sync import Resource
from store.tombstones import Subject
from store.uow import UnitOfWork
from tests.helpers import CLAIM_LEASE, statements_starting

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def snapshot(minutes: int = 0, candidate_id: str = "C-1", **fields: object) -> CandidateSnapshot:
    values: dict[str, object] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "emails": ["ada@example.com"],
        **fields,
    }
    at = T0 + timedelta(minutes=minutes)
    return CandidateSnapshot(candidate_id=candidate_id, created_at=T0, modified_at=at, **values)


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


def given_a_candidate_with_an_application_and_a_deleted_one(store: Store, tenant: str) -> None:
    """C-1 stored with its application A-1 (nothing left to push), C-2 deleted at minute 5."""
    with UnitOfWork(tenant, store) as uow:
        apply_candidate_snapshot(uow, snapshot(0), uow.tombstones.guard(Subject.CANDIDATE, "C-1"))
        uow.applications.apply(
            ApplicationSnapshot(application_id="A-1", candidate_id="C-1", job_id="J-1", status="new",
                                created_at=T0, modified_at=T0)
        )  # fmt: skip
        uow.tombstones.bury(Subject.CANDIDATE, ["C-2"], deleted_at=T0 + timedelta(minutes=5), receipt_id="r")
        uow.commit()
    with UnitOfWork(tenant, store) as uow:
        for resource, ids in ((Resource.CANDIDATE, ["C-1"]), (Resource.APPLICATION, ["A-1"])):
            uow.outbox.settle(resource, uow.outbox.claim(resource, lease=CLAIM_LEASE, ids=ids))
        uow.commit()


#: C-1 renamed, C-3 new, C-2 from before its deletion, C-1 older than stored, C-3 with a new
#: address, C-1 renamed again: a candidate named up to three times, in no order of time.
GROUP = [
    snapshot(2, last_name="King"),
    snapshot(1, "C-3", first_name="Grace", emails=["grace@example.com", "g@example.com"]),
    snapshot(4, "C-2"),
    snapshot(1, first_name="Old"),
    snapshot(3, "C-3", first_name="Grace", emails=["Grace@Example.com"]),
    snapshot(3, last_name="Byron", emails=["ada@new.example"]),
]


def state(store: Store, tenant: str) -> dict[str, object]:
    """What the store holds of the group's candidates, their addresses and what awaits LinkedIn."""
    with UnitOfWork(tenant, store) as uow:
        found = {cid: uow.candidates.get(cid) for cid in ("C-1", "C-2", "C-3")}
        return {
            "names": {cid: c and (c.first_name, c.last_name, c.emails) for cid, c in found.items()},
            "index": {
                address: [c.id for c in uow.candidates.by_email(address)]
                for address in ("ada@example.com", "ada@new.example", "grace@example.com", "g@example.com")
            },
            "dirty": {
                (resource.value, entity_id)
                for resource in (Resource.CANDIDATE, Resource.APPLICATION)
                for entity_id in uow.outbox.dirty_ids(resource, ["C-1", "C-2", "C-3", "A-1"])
            },
        }


def test_a_group_of_snapshots_ends_as_one_after_the_other_would(store: Store) -> None:
    for tenant in ("acme", "globex"):
        given_a_candidate_with_an_application_and_a_deleted_one(store, tenant)
    with UnitOfWork("acme", store) as uow:
        together = apply_candidate_snapshots(
            uow, [(s, uow.tombstones.guard(Subject.CANDIDATE, s.candidate_id)) for s in GROUP]
        )
        uow.commit()
    one_by_one = []
    for data in GROUP:
        with UnitOfWork("globex", store) as uow:
            guard = uow.tombstones.guard(Subject.CANDIDATE, data.candidate_id)
            one_by_one.append(apply_candidate_snapshot(uow, data, guard))
            uow.commit()
    assert (
        together
        == one_by_one
        == [
            CandidateChange(changed=True),
            CandidateChange(changed=True),
            CandidateChange(erased=True),
            CandidateChange(changed=False),
            CandidateChange(changed=True),
            CandidateChange(changed=True),
        ]
    )
    assert (
        state(store, "acme")
        == state(store, "globex")
        == {
            "names": {
                "C-1": ("Ada", "Byron", ["ada@new.example"]),
                "C-2": None,
                "C-3": ("Grace", "Lovelace", ["Grace@example.com"]),
            },
            "index": {
                "ada@example.com": [],
                "ada@new.example": ["C-1"],
                "grace@example.com": ["C-3"],
                "g@example.com": [],
            },
            "dirty": {("candidate", "C-1"), ("candidate", "C-3"), ("application", "A-1")},
        }
    )


def test_a_group_is_one_statement_on_postgresql_and_one_more_for_each_repeat_of_a_candidate(
    store: Store,
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite stores each snapshot with statements of its own (no round trip to save)")
    with statements_starting(store, "WITH asked AS") as statements, UnitOfWork("acme", store) as uow:
        distinct = [snapshot(1, f"C-{n}") for n in range(8)]
        apply_candidate_snapshots(
            uow, [(s, uow.tombstones.guard(Subject.CANDIDATE, s.candidate_id)) for s in distinct]
        )
        assert len(statements) == 1
        apply_candidate_snapshots(
            uow, [(s, uow.tombstones.guard(Subject.CANDIDATE, s.candidate_id)) for s in GROUP]
        )
        assert len(statements) == 1 + 3  # C-1 is named three times
        uow.commit()
