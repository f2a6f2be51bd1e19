"""The actor path, fuzzed on Dramatiq's stub broker with the workers' middleware: a poison message is
dead-lettered at once with its reason recorded in ``dead_letters`` (on both stores), while valid
events sent in the same run are each handled once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import dramatiq
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from schemas.catalog import EVENT_CLASSES
from schemas.envelope import Event
from store.db import Store, get_store
from store.uow import OpsUnitOfWork
from tests.fuzz.strategies import any_valid_event, fuzz_settings, garbage, invalid_events, not_objects
from tests.schemas.test_schemas import job_event
from workers.actors import decode

#: Reason codes a message that does not decode into an event is dead-lettered with.
DECODING_REASONS = {"schema_violation", "unknown_event_type", "malformed_message"}
QUEUE = "status_push"

#: A valid event, for the explicit examples.
JOB: dict[str, Any] = job_event()


@dataclass(frozen=True)
class Delivery:
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    poison: bool


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


valid_deliveries = any_valid_event.map(lambda event: Delivery((), {"event": event}, poison=False))
poison_deliveries = st.one_of(
    invalid_events.map(lambda event: Delivery((), {"event": event}, poison=True)),
    garbage.map(lambda raw: Delivery((), {"event": _text(raw)}, poison=True)).filter(
        lambda d: not _is_valid_json_event(d.kwargs["event"])
    ),
    not_objects.filter(lambda v: not isinstance(v, str)).map(lambda v: Delivery((), {"event": v}, True)),
    any_valid_event.map(lambda event: Delivery((event,), {}, poison=True)),
    any_valid_event.map(lambda event: Delivery((), {"event": event, "extra": 1}, poison=True)),
    st.just(Delivery((), {}, poison=True)),
)


def _is_valid_json_event(text: str) -> bool:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and value.get("type") in EVENT_CLASSES


@pytest.fixture
def stub_broker(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[dramatiq.Broker]:
    monkeypatch.setenv("RSC_MAX_RETRIES", "1")
    monkeypatch.setenv("RSC_MIN_BACKOFF_MS", "1")
    monkeypatch.setenv("RSC_MAX_BACKOFF_MS", "2")
    from tests.conftest import reset_process_state
    from workers.runtime.broker import create_broker

    reset_process_state()
    broker = create_broker()
    yield broker
    broker.close()


def test_poison_messages_are_dead_lettered_with_their_reason_and_valid_ones_handled(
    stub_broker: dramatiq.Broker,
) -> None:
    handled: list[Event] = []

    def consume(*args: Any, **kwargs: Any) -> None:
        handled.append(decode(args, kwargs, tuple(EVENT_CLASSES.values())))

    consume.__name__ = "fuzz_any_event"
    actor = dramatiq.actor(actor_name="fuzz_any_event", queue_name=QUEUE, broker=stub_broker)(consume)
    worker = dramatiq.Worker(stub_broker, worker_timeout=50)
    worker.start()

    @fuzz_settings(examples=12)
    @given(batch=st.lists(valid_deliveries | poison_deliveries, min_size=1, max_size=8))
    @example(batch=[Delivery((), {"event": "[" * 100_000}, poison=True)])
    @example(batch=[Delivery((), {"event": {**JOB, "tenant": "t" * 65}}, poison=True)])
    @example(batch=[Delivery((), {"event": {**JOB, "id": "evt\x00", "type": "ats.job.teleported.v1"}}, True)])
    @example(batch=[Delivery((), {"event": {**JOB, "\x00": 1}}, poison=True)])
    def run(batch: list[Delivery]) -> None:
        handled.clear()
        sent = [actor.send_with_options(args=d.args, kwargs=d.kwargs) for d in batch]
        stub_broker.join(QUEUE, fail_fast=False)  # type: ignore[call-arg]
        worker.join()
        with OpsUnitOfWork(get_store()) as ops:
            recorded = {
                m.message_id: (d.reason_code, d.reason, d.attempts) if d else None
                for m in sent
                for d in [ops.dead_letters.get(m.message_id)]
            }
        valid = 0
        for delivery, message in zip(batch, sent, strict=True):
            dead = recorded[message.message_id]
            if delivery.poison:
                assert dead is not None, f"poison message not recorded: {delivery!r:.300}"
                reason_code, reason, attempts = dead
                assert reason_code in DECODING_REASONS
                assert reason.strip()
                assert attempts == 1, "a poison message is not retried"
            else:
                assert dead is None, dead
                valid += 1
        assert len(handled) == valid, "each valid event is handled once"

    try:
        run()
    finally:
        worker.stop()
