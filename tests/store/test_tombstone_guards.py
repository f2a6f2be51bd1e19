"""Writes guarded by tombstones, in the statements of the write itself: both stores, and on PostgreSQL
the race with an erasure that holds the subject's lock."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from schemas.ats import ApplicationSnapshot, StageTransition
from store.applications import ApplicationChange
from store.db import Store
from store.linkedin_sync import Resource
from store.tombstones import Subject
from store.uow import UnitOfWork
from tests.helpers import wait_for_advisory_waiter

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def snapshot(step: int, *, transition: bool = True) -> ApplicationSnapshot:
    at = T0 + timedelta(seconds=step)
    return ApplicationSnapshot(
        application_id="A-1",
        candidate_id="C-1",
        job_id="J-1",
        status=f"Status {step}",
        created_at=T0,
        modified_at=at,
        revision=step,
        transition=StageTransition(transition_id=f"A-1-{step}", status=f"Status {step}", changed_at=at)
        if transition
        else None,
    )


def change(store: Store, data: ApplicationSnapshot) -> tuple[ApplicationChange, int | None]:
    """Apply ``data`` as the status push handler does; what it did and the outbox version after."""
    with UnitOfWork("acme", store) as uow:
        guards = [
            uow.tombstones.guard(Subject.APPLICATION, data.application_id),
            uow.tombstones.guard(Subject.CANDIDATE, data.candidate_id),
        ]
        uow.inbox.record("status_push", "ats://test", uuid.uuid4().hex, guards=guards)
        result = uow.applications.apply_change(data, guards)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        state = uow.outbox.state(Resource.APPLICATION, "A-1")
        return result, state.version if state is not None else None


def bury_candidate(uow: UnitOfWork, deleted_at: datetime) -> None:
    uow.tombstones.lock(Subject.CANDIDATE, ["C-1"], exclusive=True)
    uow.tombstones.bury(Subject.CANDIDATE, ["C-1"], deleted_at=deleted_at, receipt_id="R-1")


def test_a_change_is_stored_and_marked_only_when_it_is_newer_or_brings_a_new_stage(store: Store) -> None:
    assert change(store, snapshot(2)) == (ApplicationChange(changed=True, new_stage=True), 1)
    # The same event again: nothing new, the outbox keeps its version.
    assert change(store, snapshot(2)) == (ApplicationChange(), 1)
    # An older snapshot with a transition not seen yet: the stage only.
    assert change(store, snapshot(1)) == (ApplicationChange(new_stage=True), 2)
    # A newer snapshot without a transition: the record only.
    assert change(store, snapshot(3, transition=False)) == (ApplicationChange(changed=True), 3)
    with UnitOfWork("acme", store) as uow:
        application = uow.applications.get("A-1")
        assert application is not None and application.status == "Status 3"
        assert [s.transition_id for s in uow.applications.stages("A-1")] == ["A-1-1", "A-1-2"]


def test_a_change_older_than_its_candidates_deletion_stores_nothing(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        bury_candidate(uow, T0 + timedelta(seconds=5))
        uow.commit()
    assert change(store, snapshot(5)) == (ApplicationChange(erased=True), None)
    with UnitOfWork("acme", store) as uow:
        assert uow.applications.get("A-1") is None and uow.applications.stages("A-1") == []
    # A change made after the deletion is a new fact.
    assert change(store, snapshot(6)) == (ApplicationChange(changed=True, new_stage=True), 1)


def test_a_change_waiting_for_its_candidates_erasure_sees_the_tombstone(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite serialises writers already (every transaction begins IMMEDIATE)")
    results: list[tuple[ApplicationChange, int | None]] = []
    with UnitOfWork("acme", store) as erasure:
        bury_candidate(erasure, T0 + timedelta(seconds=5))
        writer = threading.Thread(target=lambda: results.append(change(store, snapshot(1))))
        writer.start()
        # Given the change waiting for the candidate's lock, when the erasure commits ...
        wait_for_advisory_waiter(store, writer)
        erasure.commit()
    writer.join(timeout=30)
    # ... then the change finds the tombstone and stores nothing.
    assert results == [(ApplicationChange(erased=True), None)]
