"""Application events that arrive together share one transaction per tenant (group commit), with
the same end state as one by one, and one event's failure is never another's. Both stores."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from store.applications import Applications
from store.db import Store
from store.inbox import InboxEntry
from store.uow import UnitOfWork
from tests import ats_events as ats
from workers.runtime.group_commit import Submitted
from workers.status_push.ats_records import CONSUMER, ApplicationEvent, store_application_events

STATUSES = [f"Status {i}" for i in range(6)]


def changes(application_id: str, tenant: str = "acme") -> list[ApplicationEvent]:
    return [
        ats.application(application_id, status=s, step=i).model_copy(update={"tenant": tenant})  # type: ignore[misc]
        for i, s in enumerate(STATUSES)
    ]


def group_of(events: list[ApplicationEvent]) -> list[Submitted[ApplicationEvent]]:
    return [Submitted(event) for event in events]


def inbox_rows(store: Store, tenant: str) -> int:
    with UnitOfWork(tenant, store) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(InboxEntry).where(InboxEntry.consumer == CONSUMER)
            )
            or 0
        )


def test_a_shuffled_group_with_repeats_and_two_tenants_ends_as_one_by_one(store: Store) -> None:
    events = changes("A-1") + changes("A-2") + changes("A-1", tenant="globex")
    repeats = random.Random(5).sample(events, 4)
    mixed = events + repeats
    random.Random(9).shuffle(mixed)
    outcomes = store_application_events(group_of(mixed), store)
    # Each event stored something the first time (its snapshot, or at least its stage); repeats nothing.
    assert outcomes.count(True) == len(events) and outcomes.count(False) == len(repeats)
    for tenant, application in (("acme", "A-1"), ("acme", "A-2"), ("globex", "A-1")):
        with UnitOfWork(tenant, store) as uow:
            stored = uow.applications.get(application)
            assert stored is not None and stored.status == STATUSES[-1]
            assert [s.status for s in uow.applications.stages(application)] == STATUSES
    assert inbox_rows(store, "acme") == 12 and inbox_rows(store, "globex") == 6
    # Delivered again, the whole group changes nothing.
    assert store_application_events(group_of(mixed), store) == [False] * len(mixed)


def test_one_event_failing_in_a_group_fails_alone_and_the_rest_are_stored(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply_change = Applications.apply_change

    def fails_for_a_bad(self: Applications, snapshot: object, guards: object) -> object:
        if getattr(snapshot, "application_id", None) == "A-BAD":
            raise RuntimeError("a defect in one event's writes")
        return apply_change(self, snapshot, guards)  # type: ignore[arg-type]

    monkeypatch.setattr(Applications, "apply_change", fails_for_a_bad)
    events = changes("A-1")[:3] + changes("A-BAD")[:1] + changes("A-2")[:2]
    outcomes = store_application_events(group_of(events), store)
    assert isinstance(outcomes[3], RuntimeError)
    assert outcomes[:3] + outcomes[4:] == [True] * 5
    with UnitOfWork("acme", store) as uow:
        assert uow.applications.get("A-BAD") is None
        assert [s.status for s in uow.applications.stages("A-1")] == STATUSES[:3]
        assert [s.status for s in uow.applications.stages("A-2")] == STATUSES[:2]
    # The failed event's claim went with its transaction: a retry processes it.
    assert inbox_rows(store, "acme") == 5
    monkeypatch.setattr(Applications, "apply_change", apply_change)
    assert store_application_events(group_of(events[3:4]), store) == [True]
