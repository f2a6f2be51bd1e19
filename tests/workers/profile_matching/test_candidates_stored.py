"""The matches of a status push group's candidates, in one message (``match_candidates``): each event
matched as if it came alone, one event's failure sent on alone, a repeat changing nothing. Both stores."""

from __future__ import annotations

import contextvars
import json
from typing import Any

import dramatiq
import pytest
from dramatiq.middleware import CurrentMessage
from pydantic import ValidationError

from events.messages import message_id_for
from events.publisher import PublishError
from events.routes import PROFILE_MATCH
from schemas.commands import CandidatesStored, MembersChanged
from store.db import Store
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.fakes import FakePublisher
from workers.profile_matching import matching
from workers.profile_matching.matching import CONSUMER, handle_candidates_stored, handle_members_changed
from workers.profile_matching.profile_view import profile_view

MEMBERS = {"C-1": "urn:li:person:one", "C-2": "urn:li:person:two", "C-3": "urn:li:person:three"}


@pytest.fixture
def stored(store: Store) -> list[Any]:
    """Three stored candidates, each with a member that shares its e-mail address and name."""
    events = [ats.candidate(candidate_id) for candidate_id in MEMBERS]
    with UnitOfWork("acme", store) as uow:
        for event in events:
            uow.candidates.apply(event.data)
            uow.members.observe(
                MemberObservation(
                    MEMBERS[event.data.candidate_id], MemberSource.EXPORT, ats.T0,
                    first_name=event.data.first_name, last_name=event.data.last_name,
                    emails=[str(e) for e in event.data.emails],
                )
            )  # fmt: skip
        uow.commit()
    handle_members_changed(MembersChanged(tenant="acme"), UnitOfWork("acme", store))  # files their keys
    return events


def linked(store: Store, candidate_id: str) -> list[tuple[str, str | None]]:
    with UnitOfWork("acme", store) as uow:
        view = profile_view(uow, candidate_id)
        assert view is not None
        return [(h.action, h.person_urn) for h in view.history]


def matched_events(store: Store, events: list[Any]) -> list[bool]:
    with UnitOfWork("acme", store) as uow:
        return [uow.inbox.seen(CONSUMER, e.source, e.id) for e in events]


def test_every_candidate_of_the_message_is_matched_and_a_repeat_changes_nothing(
    store: Store, stored: list[Any]
) -> None:
    publisher = FakePublisher()
    command = CandidatesStored(tenant="acme", events=stored)
    assert handle_candidates_stored(command, store, publisher) == 0
    assert matched_events(store, stored) == [True, True, True]
    for candidate_id, member in MEMBERS.items():
        assert linked(store, candidate_id) == [("auto_link", member)]
    # Redelivered (or replayed from the dead letters): every event is a repeat.
    assert handle_candidates_stored(command, store, publisher) == 0
    for candidate_id, member in MEMBERS.items():
        assert linked(store, candidate_id) == [("auto_link", member)]
    assert publisher.messages == []


def received_from(queue: str) -> contextvars.Context:
    """A worker thread's context while it handles a message taken from ``queue``."""
    context = contextvars.copy_context()
    message: dramatiq.Message[None] = dramatiq.Message(
        queue_name=queue, actor_name="match_candidates", args=(), kwargs={}, options={}
    )
    context.run(CurrentMessage._MESSAGE.set, message)
    return context


@pytest.mark.parametrize("lane", ["profile_match", "profile_match.bulk"])
def test_an_event_whose_match_fails_is_sent_on_alone_in_the_same_lane_and_the_others_are_matched(
    store: Store,
    stored: list[Any],
    lane: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    handle = matching.handle_candidate_changed

    def fails_for_c2(event: Any, uow: UnitOfWork) -> Any:
        if event.data.candidate_id == "C-2":
            raise RuntimeError("a defect in one candidate's match")
        return handle(event, uow)

    monkeypatch.setattr(matching, "handle_candidate_changed", fails_for_c2)
    publisher = FakePublisher()
    command = CandidatesStored(tenant="acme", events=stored)
    assert received_from(lane).run(handle_candidates_stored, command, store, publisher) == 1
    assert matched_events(store, stored) == [True, False, True]
    # The failed event goes on as the status push would have sent it alone: its own message, with
    # its stable id, to the single-event actor, which retries it and dead-letters it with its reason.
    assert [(m.queue, m.message_id) for m in publisher.messages] == [
        (lane, message_id_for(stored[1], PROFILE_MATCH))
    ]
    body = json.loads(publisher.messages[0].body)
    assert (body["actor_name"], body["kwargs"]["event"]["id"]) == ("match_candidate", stored[1].id)
    # The warning names the event and the error, nothing personal.
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert "sent on alone" in err and stored[1].id in err and "RuntimeError" in err
    assert "Lovelace" not in err and "example.com" not in err


def test_when_the_failed_event_cannot_be_sent_on_the_message_fails_and_its_retry_matches_only_that_one(
    store: Store, stored: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = matching.handle_candidate_changed
    runs: list[str] = []

    def fails_once_for_c2(event: Any, uow: UnitOfWork) -> Any:
        runs.append(event.data.candidate_id)
        if event.data.candidate_id == "C-2" and runs.count("C-2") == 1:
            raise RuntimeError("a deadlock, say")
        return handle(event, uow)

    monkeypatch.setattr(matching, "handle_candidate_changed", fails_once_for_c2)
    command = CandidatesStored(tenant="acme", events=stored)
    with pytest.raises(PublishError):
        handle_candidates_stored(command, store, FakePublisher(fail=True))
    assert matched_events(store, stored) == [True, False, True]
    assert handle_candidates_stored(command, store, FakePublisher()) == 0
    assert matched_events(store, stored) == [True, True, True]
    assert linked(store, "C-2") == [("auto_link", MEMBERS["C-2"])]
    assert linked(store, "C-1") == [("auto_link", MEMBERS["C-1"])]  # matched once, repeated after


def test_a_message_with_another_tenant_s_event_or_none_is_refused() -> None:
    with pytest.raises(ValidationError, match="the command's tenant"):
        CandidatesStored(tenant="acme", events=[ats.candidate("C-1").model_copy(update={"tenant": "globex"})])
    with pytest.raises(ValidationError):
        CandidatesStored(tenant="acme", events=[])
    with pytest.raises(ValidationError):
        CandidatesStored.model_validate({"tenant": "acme", "events": [{"type": "ats.job.created.v1"}]})
