"""A candidate's match follows its storage: the status push sends the event on to ``match_candidate``
once it has stored the candidate, so the match runs once, with no retry and no warning logged, and
a redelivered candidate event matches nothing twice. The project's actors and middleware on a stub
broker, SQLite store."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import dramatiq
import pytest
import structlog

from events.messages import OutgoingMessage, to_messages
from rsc.logs import configure_logging
from rsc.settings import get_settings
from schemas.commands import MembersChanged
from store.base import to_ms
from store.db import get_store
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.helpers import create_tenant
from workers.profile_matching.matching import CONSUMER as MATCHED
from workers.profile_matching.matching import handle_members_changed

MEMBER = "urn:li:person:ada"


class BrokerPublisher:
    """The publisher the status push sends matches with, onto the test's stub broker."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker
        self.sent: list[OutgoingMessage] = []

    def publish_messages(self, messages: Sequence[OutgoingMessage]) -> None:
        for message in messages:
            self.sent.append(message)
            self.broker.enqueue(dramatiq.Message.decode(message.body))


@pytest.fixture
def stub_broker(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dramatiq.Broker]:
    monkeypatch.setenv("RSC_MIN_BACKOFF_MS", "1")
    monkeypatch.setenv("RSC_MAX_BACKOFF_MS", "2")
    monkeypatch.setenv("RSC_LOG_LEVEL", "INFO")
    from tests.conftest import reset_process_state
    from workers.runtime.broker import create_broker

    reset_process_state()
    create_tenant("acme")
    broker = create_broker()
    from workers.profile_matching.actors import match_candidate
    from workers.status_push.actors import apply_candidate_event

    for actor in (apply_candidate_event, match_candidate):
        broker.declare_actor(actor)
    yield broker
    broker.close()
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


@pytest.fixture
def publisher(stub_broker: dramatiq.Broker, monkeypatch: pytest.MonkeyPatch) -> BrokerPublisher:
    publisher = BrokerPublisher(stub_broker)
    monkeypatch.setattr("workers.runtime.wiring.get_publisher", lambda _settings: publisher)
    return publisher


@pytest.fixture
def match_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each run of the match handler did: ``matched``, ``nothing`` or the exception it raised."""
    from workers.profile_matching import actors

    calls: list[str] = []
    handle = actors.handle_candidate_changed

    def counted(event: Any, uow: UnitOfWork) -> Any:
        try:
            result = handle(event, uow)
        except Exception as exc:
            calls.append(type(exc).__name__)
            raise
        calls.append("nothing" if result is None else "matched")
        return result

    monkeypatch.setattr(actors, "handle_candidate_changed", counted)
    return calls


def deliver(broker: dramatiq.Broker, messages: list[OutgoingMessage]) -> None:
    worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=2)
    worker.start()
    try:
        for message in messages:
            broker.enqueue(dramatiq.Message.decode(message.body))
        broker.join("status_push", fail_fast=True)  # type: ignore[call-arg]
        broker.join("profile_match", fail_fast=True)  # type: ignore[call-arg]
        worker.join()
    finally:
        worker.stop()


def problem_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    return [
        line
        for line in lines
        if line["level"] in ("warning", "error", "critical")
        # Dramatiq's note when a test starts a second worker on the same broker, not a message's.
        and not line["event"].startswith("You're adding a middleware of the same type twice")
    ]


def match_history(candidate_id: str) -> list[tuple[str, str | None]]:
    from workers.profile_matching.profile_view import profile_view

    with UnitOfWork("acme", get_store()) as uow:
        view = profile_view(uow, candidate_id)
        assert view is not None
        return [(h.action, h.person_urn) for h in view.history]


def test_the_publisher_sends_a_candidate_event_to_the_status_push_only() -> None:
    messages = to_messages(ats.candidate("C-1"))
    assert [(m.queue, json.loads(m.body)["actor_name"]) for m in messages] == [
        ("status_push", "apply_candidate_event")
    ]


def test_a_new_candidate_is_matched_once_after_it_is_stored_with_no_retry_and_nothing_logged_as_a_problem(
    stub_broker: dramatiq.Broker,
    publisher: BrokerPublisher,
    match_calls: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(get_settings(), process="worker")
    with UnitOfWork("acme", get_store()) as uow:
        uow.members.observe(
            MemberObservation(MEMBER, MemberSource.EXPORT, ats.T0, first_name="Ada", last_name="Lovelace",
                              emails=["c-1@example.com"])
        )  # fmt: skip
        uow.commit()
    handle_members_changed(MembersChanged(tenant="acme"), UnitOfWork("acme", get_store()))  # files its keys
    event = ats.candidate("C-1")
    deliver(stub_broker, to_messages(event))
    assert match_calls == ["matched"]  # at the first attempt: the candidate was there
    assert match_history("C-1") == [("auto_link", MEMBER)]
    assert problem_lines(capsys) == []
    assert [json.loads(m.body)["actor_name"] for m in publisher.sent] == ["match_candidate"]

    # Redelivered (a crash before the acknowledgement, a replay): the status push sends the match
    # again, in case the first delivery died before sending it, and the match changes nothing.
    deliver(stub_broker, to_messages(event))
    assert match_calls == ["matched", "nothing"]
    assert match_history("C-1") == [("auto_link", MEMBER)]
    with UnitOfWork("acme", get_store()) as uow:
        assert uow.inbox.seen(MATCHED, event.source, event.id)
    assert problem_lines(capsys) == []


def test_an_older_snapshot_after_a_newer_one_is_matched_against_the_newest_without_a_retry(
    stub_broker: dramatiq.Broker, publisher: BrokerPublisher, match_calls: list[str]
) -> None:
    newer, older = ats.candidate("C-1", modified=5), ats.candidate("C-1", modified=1)
    deliver(stub_broker, to_messages(newer))
    deliver(stub_broker, to_messages(older))
    assert match_calls == ["matched", "matched"]
    with UnitOfWork("acme", get_store()) as uow:
        candidate = uow.candidates.get("C-1")
        assert candidate is not None and candidate.source_modified_ms == to_ms(newer.data.modified_at)
