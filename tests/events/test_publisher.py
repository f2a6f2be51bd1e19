"""The publisher against the real RabbitMQ: confirms, message format, batching."""

from __future__ import annotations

from datetime import UTC, datetime

import dramatiq
import pytest

from events.publisher import Publisher, PublishError
from schemas.catalog import parse_event
from tests.helpers import drain, queue_depth
from tests.schemas.test_schemas import job_event


def test_a_batch_lands_in_its_queue_as_dramatiq_messages(rabbit: str) -> None:
    publisher = Publisher(rabbit)
    events = [parse_event(job_event(id=f"evt-{i}")) for i in range(250)]
    assert publisher.publish_many(events) == 250
    messages = drain(rabbit, "status_push")
    assert len(messages) == 250
    body, amqp_message = messages[0]
    decoded: dramatiq.Message[None] = dramatiq.Message(**{**body, "args": tuple(body["args"])})
    assert decoded.actor_name == "apply_job_event"
    assert amqp_message.properties["delivery_mode"] == 2
    assert amqp_message.properties["message_id"] == body["message_id"]
    assert {b["kwargs"]["event"]["id"] for b, _ in messages} == {f"evt-{i}" for i in range(250)}
    publisher.close()


def test_queues_are_declared_as_the_workers_declare_them(rabbit: str) -> None:
    """The worker's broker redeclares the queues the publisher made: arguments must be identical."""
    from rsc.settings import get_settings
    from workers.runtime.broker import RscRabbitmqBroker

    Publisher(rabbit).publish(parse_event(job_event()))
    broker = RscRabbitmqBroker(settings=get_settings(), url=rabbit, confirm_delivery=True)
    try:
        broker.declare_queue("status_push")
        broker.enqueue(dramatiq.Message("status_push", "apply_job_event", (), {}, {}))
        assert queue_depth(rabbit, "status_push") == 2
        assert queue_depth(rabbit, "status_push.XQ") == 0
    finally:
        broker.close()


def test_an_unreachable_broker_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSC_PUBLISH_MAX_RETRIES", "2")
    from rsc.settings import reset_settings

    reset_settings()
    publisher = Publisher("amqp://guest:guest@127.0.0.1:1/%2F")
    event = parse_event(job_event(time=datetime.now(UTC).isoformat()))
    with pytest.raises(PublishError, match="not confirmed"):
        publisher.publish(event)
