"""Candidate events that arrive together share one transaction per tenant (group commit) and end as
one by one would; each committed event is then sent on to the candidate's match. Both stores."""

from __future__ import annotations

import contextvars
import json
import random
import threading
from datetime import timedelta
from typing import Any

import dramatiq
import pytest
from dramatiq.middleware import CurrentMessage
from sqlalchemy import func, select

from events import routes
from events.messages import message_id_for
from rsc.errors import is_transient
from store import candidate_changes
from store.db import Store
from store.erasure import erase_candidate
from store.inbox import InboxEntry
from store.linkedin_sync import Resource
from store.tombstones import Subject
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.fakes import FakePublisher
from tests.helpers import statements_starting, wait_for_advisory_waiter
from workers.runtime.group_commit import Submitted
from workers.status_push import ats_records
from workers.status_push.ats_records import (
    CONSUMER,
    CandidateEvent,
    CandidateOutcome,
    MatchNotSent,
    handle_application_event,
    send_to_match,
    store_candidate_events,
)


def versions(candidate_id: str, count: int = 4, tenant: str = "acme") -> list[CandidateEvent]:
    """The candidate as created, then ``count - 1`` renames, one second apart."""
    return [
        ats.candidate(candidate_id, modified=n, first_name=f"Ada {n}").model_copy(update={"tenant": tenant})  # type: ignore[misc]
        for n in range(count)
    ]


def group_of(events: list[CandidateEvent]) -> list[Submitted[CandidateEvent]]:
    return [Submitted(event) for event in events]


def stored_name(store: Store, candidate_id: str, tenant: str = "acme") -> str | None:
    with UnitOfWork(tenant, store) as uow:
        candidate = uow.candidates.get(candidate_id)
        return None if candidate is None else candidate.first_name


def inbox_rows(store: Store, tenant: str) -> int:
    with UnitOfWork(tenant, store) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(InboxEntry).where(InboxEntry.consumer == CONSUMER)
            )
            or 0
        )


def matches_sent(publisher: FakePublisher) -> list[tuple[str, str, str]]:
    """(actor, event id, message id) of each message the publisher was asked to send."""
    sent = []
    for message in publisher.messages:
        body: dict[str, Any] = json.loads(message.body)
        sent.append((body["actor_name"], body["kwargs"]["event"]["id"], body["message_id"]))
    return sent


def store_and_send(
    group: list[Submitted[CandidateEvent]], store: Store, publisher: FakePublisher
) -> list[CandidateOutcome | BaseException]:
    """A group stored, then its matches sent, as the worker's group commit runs them."""
    return send_to_match(group, store_candidate_events(group, store), publisher)


def test_a_shuffled_group_with_repeats_and_two_tenants_ends_as_the_newest(store: Store) -> None:
    events = versions("C-1") + versions("C-2") + versions("C-1", tenant="globex")
    repeats = random.Random(3).sample(events, 3)
    mixed = events + repeats
    random.Random(8).shuffle(mixed)
    outcomes = store_candidate_events(group_of(mixed), store)
    # Each repeat is told as one, whichever copy came first.
    assert outcomes.count(CandidateOutcome.REPEATED) == len(repeats)
    assert all(isinstance(outcome, CandidateOutcome) for outcome in outcomes)
    for tenant, candidate_id in (("acme", "C-1"), ("acme", "C-2"), ("globex", "C-1")):
        # Out of order within the group: the newest snapshot stays, whatever came after it.
        assert stored_name(store, candidate_id, tenant) == "Ada 3"
    assert inbox_rows(store, "acme") == 8 and inbox_rows(store, "globex") == 4
    # Delivered again, the group stores nothing.
    assert store_candidate_events(group_of(mixed), store) == [CandidateOutcome.REPEATED] * len(mixed)


@pytest.fixture
def c_bad_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Storing a group that holds candidate C-BAD fails, as a defect in its writes would."""
    apply = ats_records.apply_candidate_snapshots

    def fails_for_a_bad(uow: UnitOfWork, snapshots: Any) -> Any:
        if any(snapshot.candidate_id == "C-BAD" for snapshot, _ in snapshots):
            raise RuntimeError("a defect in one event's writes")
        return apply(uow, snapshots)

    monkeypatch.setattr(ats_records, "apply_candidate_snapshots", fails_for_a_bad)


class CountingPublisher(FakePublisher):
    """A ``FakePublisher`` that counts its publishes."""

    def __init__(self, *, fail: bool = False) -> None:
        super().__init__(fail=fail)
        self.publishes = 0

    def publish_messages(self, messages: Any) -> None:
        self.publishes += 1
        super().publish_messages(messages)


def test_a_group_s_committed_events_go_on_to_the_match_in_one_publish_with_stable_message_ids(
    store: Store,
) -> None:
    first, second = versions("C-1", 1)[0], versions("C-2", 1)[0]
    publisher = CountingPublisher()
    outcomes = store_and_send(group_of([first, second, first]), store, publisher)
    assert outcomes == [CandidateOutcome.STORED, CandidateOutcome.STORED, CandidateOutcome.REPEATED]
    # A repeat sends its match again, with the same id.
    expected = [
        ("match_candidate", e.id, message_id_for(e, routes.PROFILE_MATCH)) for e in (first, second, first)
    ]
    assert sorted(matches_sent(publisher)) == sorted(expected)
    assert publisher.publishes == 1
    assert {m.queue for m in publisher.messages} == {"profile_match"}


def test_an_event_failing_in_a_group_sends_no_match_and_the_others_do(
    store: Store, c_bad_fails: None
) -> None:
    good, bad = versions("C-1", 1)[0], versions("C-BAD", 1)[0]
    publisher = CountingPublisher()
    outcomes = store_and_send(group_of([good, bad]), store, publisher)
    assert outcomes[0] == CandidateOutcome.STORED and isinstance(outcomes[1], RuntimeError)
    assert [m[1] for m in matches_sent(publisher)] == [good.id]


def test_an_older_snapshot_arriving_alone_changes_nothing(store: Store) -> None:
    newer, older = versions("C-1", 2)[1], versions("C-1", 2)[0]
    assert store_candidate_events(group_of([newer]), store) == [CandidateOutcome.STORED]
    assert store_candidate_events(group_of([older]), store) == [CandidateOutcome.OLDER]
    assert stored_name(store, "C-1") == "Ada 1"


def test_a_candidate_deleted_after_a_snapshot_stays_erased(store: Store) -> None:
    first, later = versions("C-1", 2)
    store_candidate_events(group_of([first]), store)
    with UnitOfWork("acme", store) as uow:
        erase_candidate(
            uow,
            "C-1",
            deleted_at=later.data.modified_at + timedelta(seconds=1),
            receipt_id="r-1",
            push_window=timedelta(0),
        )
        uow.commit()
    outcomes = store_candidate_events(group_of([later, versions("C-2", 1)[0]]), store)
    assert outcomes == [CandidateOutcome.ERASED, CandidateOutcome.STORED]
    assert stored_name(store, "C-1") is None


def test_a_renamed_candidate_marks_its_applications_for_linkedin_and_a_new_one_files_its_e_mail(
    store: Store,
) -> None:
    created, renamed = versions("C-1", 2)
    store_candidate_events(group_of([created]), store)
    with UnitOfWork("acme", store) as uow:
        assert [c.id for c in uow.candidates.by_email("c-1@example.com")] == ["C-1"]
    handle_application_event(ats.application("A-1", candidate_id="C-1"), UnitOfWork("acme", store))  # type: ignore[arg-type]
    with UnitOfWork("acme", store) as uow:
        before = uow.outbox.state(Resource.APPLICATION, "A-1")
        assert before is not None
        version = before.version
    store_candidate_events(group_of([renamed]), store)
    with UnitOfWork("acme", store) as uow:
        after = uow.outbox.state(Resource.APPLICATION, "A-1")
        assert after is not None and after.version > version
        assert [c.id for c in uow.candidates.by_email("C-1@example.com")] == ["C-1"]
    # A new e-mail address replaces the old one in the index; a second one is filed beside it.
    moved = ats.candidate("C-1", modified=9, emails=["ada@new.example", "a.l@new.example"])
    store_candidate_events(group_of([moved]), store)  # type: ignore[list-item]
    with UnitOfWork("acme", store) as uow:
        assert uow.candidates.by_email("c-1@example.com") == []
        assert [c.id for c in uow.candidates.by_email("ADA@new.example")] == ["C-1"]
        assert [c.id for c in uow.candidates.by_email("a.l@new.example")] == ["C-1"]


def test_one_event_failing_in_a_group_fails_alone_and_the_rest_are_stored(
    store: Store, c_bad_fails: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = versions("C-1", 2) + versions("C-BAD", 1) + versions("C-2", 1)
    outcomes = store_candidate_events(group_of(events), store)
    assert isinstance(outcomes[2], RuntimeError)
    assert outcomes[:2] + outcomes[3:] == [CandidateOutcome.STORED] * 3
    assert stored_name(store, "C-BAD") is None and stored_name(store, "C-1") == "Ada 1"
    # Mended, it is stored.
    monkeypatch.setattr(ats_records, "apply_candidate_snapshots", candidate_changes.apply_candidate_snapshots)
    assert store_candidate_events(group_of(events[2:3]), store) == [CandidateOutcome.STORED]


def test_matches_rabbitmq_does_not_confirm_fail_their_events_for_retries_that_send_them_again(
    store: Store,
) -> None:
    events = [versions("C-1", 1)[0], versions("C-2", 1)[0]]
    outcomes = store_and_send(group_of(events), store, FakePublisher(fail=True))
    assert all(isinstance(outcome, MatchNotSent) and is_transient(outcome) for outcome in outcomes)
    # The retries are repeats: nothing is stored twice, and the matches are sent.
    publisher = FakePublisher()
    for event in events:
        assert store_and_send(group_of([event]), store, publisher) == [CandidateOutcome.REPEATED]
    assert [m[1] for m in matches_sent(publisher)] == [e.id for e in events]
    assert stored_name(store, "C-1") == "Ada 0" and inbox_rows(store, "acme") == 2


def test_an_event_that_came_through_a_bulk_lane_sends_its_match_to_the_match_s_bulk_lane(
    store: Store,
) -> None:
    bulk, normal = versions("C-1", 1)[0], versions("C-2", 1)[0]

    def received_from(queue: str) -> contextvars.Context:
        context = contextvars.copy_context()
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=queue, actor_name="apply_candidate_event", args=(), kwargs={}, options={}
        )
        context.run(CurrentMessage._MESSAGE.set, message)
        return context

    group = [
        Submitted(bulk, received_from("status_push.bulk")),
        Submitted(normal, received_from("status_push")),
    ]
    publisher = FakePublisher()
    store_and_send(group, store, publisher)
    assert {(json.loads(m.body)["kwargs"]["event"]["id"], m.queue) for m in publisher.messages} == {
        (bulk.id, "profile_match.bulk"),
        (normal.id, "profile_match"),
    }


def bury(uow: UnitOfWork, candidate_id: str, event: CandidateEvent) -> None:
    """The candidate's tombstone, for a deletion one second after ``event``'s snapshot (its erasure's
    exclusive lock held until ``uow`` ends)."""
    uow.tombstones.lock(Subject.CANDIDATE, [candidate_id], exclusive=True)
    deleted_at = event.data.modified_at + timedelta(seconds=1)
    uow.tombstones.bury(Subject.CANDIDATE, [candidate_id], deleted_at=deleted_at, receipt_id="r-1")


def test_a_group_of_redelivered_new_and_erased_events_of_two_tenants_tells_each_what_it_did(
    store: Store,
) -> None:
    delivered = versions("C-1", 2)
    assert store_candidate_events(group_of(delivered), store) == [CandidateOutcome.STORED] * 2
    erased, kept = versions("C-2", 1)[0], versions("C-3", 1)[0]
    with UnitOfWork("acme", store) as uow:
        bury(uow, "C-2", erased)
        uow.commit()
    globex = versions("C-2", 1, tenant="globex")[0]
    # Given a group with a redelivery of each tenant's first event, a new event listed twice, and a
    # deleted candidate in the middle ...
    group = [delivered[1], kept, erased, globex, delivered[0], kept, globex, *versions("C-1", 3)[2:]]
    # ... each event is claimed once and tells what it did, in the order it was submitted.
    assert store_candidate_events(group_of(group), store) == [
        CandidateOutcome.REPEATED,
        CandidateOutcome.STORED,
        CandidateOutcome.ERASED,
        CandidateOutcome.STORED,
        CandidateOutcome.REPEATED,
        CandidateOutcome.REPEATED,
        CandidateOutcome.REPEATED,
        CandidateOutcome.STORED,
    ]
    assert stored_name(store, "C-2") is None and stored_name(store, "C-2", "globex") == "Ada 0"
    assert stored_name(store, "C-1") == "Ada 2" and stored_name(store, "C-3") == "Ada 0"
    assert inbox_rows(store, "acme") == 5 and inbox_rows(store, "globex") == 1


def test_a_tenant_s_group_claims_all_its_events_in_one_statement_on_postgresql(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite claims each event with a statement of its own (no round trip to save)")
    with statements_starting(store, "WITH claimed AS (INSERT INTO inbox") as claims:
        group = versions("C-1") + versions("C-2") + versions("C-1", tenant="globex")
        assert store_candidate_events(group_of(group), store) == [CandidateOutcome.STORED] * 12
    assert len(claims) == 2  # one for each tenant


def test_a_group_waiting_for_an_erasure_of_one_of_its_candidates_finds_its_tombstone(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite serialises writers already (every transaction begins IMMEDIATE)")
    group = [versions(candidate_id, 1)[0] for candidate_id in ("C-1", "C-2", "C-3")]
    outcomes: list[CandidateOutcome | BaseException] = []
    with UnitOfWork("acme", store) as erasure:
        bury(erasure, "C-2", group[1])
        writer = threading.Thread(
            target=lambda: outcomes.extend(store_candidate_events(group_of(group), store))
        )
        writer.start()
        # Given the group's claim waiting for the erased candidate's lock, when the erasure commits ...
        wait_for_advisory_waiter(store, writer)
        erasure.commit()
    writer.join(timeout=30)
    # ... the group's other candidates are stored and the erased one stays erased.
    assert outcomes == [CandidateOutcome.STORED, CandidateOutcome.ERASED, CandidateOutcome.STORED]
    assert stored_name(store, "C-2") is None and stored_name(store, "C-3") == "Ada 0"
