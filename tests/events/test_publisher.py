"""The publisher against the real RabbitMQ: confirms, message format, batching."""

from __future__ import annotations

from datetime import UTC, datetime

import dramatiq
import pytest

from events.publisher import Publisher, PublishError
from rsc.settings import Settings, get_settings
from schemas.catalog import parse_event
from tests.helpers import drain, queue_depth
from tests.schemas.test_schemas import job_event


def budget(events: int, per_second: float = 0.0) -> Settings:
    return get_settings().model_copy(update={"burst_events": events, "burst_events_per_s": per_second})


def test_a_batch_lands_in_its_queue_as_dramatiq_messages(rabbit: str) -> None:
    publisher = Publisher(rabbit, settings=budget(1000))
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

    Publisher(rabbit, settings=get_settings()).publish(parse_event(job_event()))
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
    publisher = Publisher("amqp://guest:guest@127.0.0.1:1/%2F", settings=get_settings())
    event = parse_event(job_event(time=datetime.now(UTC).isoformat()))
    with pytest.raises(PublishError, match="not confirmed"):
        publisher.publish(event)


def test_events_marked_bulk_go_to_the_bulk_lane_and_spend_no_budget(rabbit: str) -> None:
    publisher = Publisher(rabbit, settings=budget(1))
    publisher.publish_many([parse_event(job_event(id=f"bulk-{i}")) for i in range(3)], bulk=True)
    publisher.publish(parse_event(job_event(id="live")))
    assert [b["kwargs"]["event"]["id"] for b, _ in drain(rabbit, "status_push.bulk")] == [
        "bulk-0",
        "bulk-1",
        "bulk-2",
    ]
    ((live, _),) = drain(rabbit, "status_push")
    assert live["kwargs"]["event"]["id"] == "live" and live["queue_name"] == "status_push"
    publisher.close()


def test_an_unmarked_burst_spills_over_its_tenant_s_budget_and_other_tenants_keep_theirs(rabbit: str) -> None:
    publisher = Publisher(rabbit, settings=budget(5))
    flood = [parse_event(job_event(id=f"a-{i}", tenant="flooder")) for i in range(12)]
    assert publisher.publish_many(flood) == 12
    publisher.publish_many([parse_event(job_event(id=f"b-{i}", tenant="quiet")) for i in range(3)])
    normal = [b["kwargs"]["event"]["id"] for b, _ in drain(rabbit, "status_push")]
    bulk = [b["kwargs"]["event"]["id"] for b, _ in drain(rabbit, "status_push.bulk")]
    assert normal == ["a-0", "a-1", "a-2", "a-3", "a-4", "b-0", "b-1", "b-2"]
    assert bulk == [f"a-{i}" for i in range(5, 12)]
    publisher.close()
