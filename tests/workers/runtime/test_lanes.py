"""A worker thread knows which lane its message came through."""

from __future__ import annotations

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

from workers.runtime.lanes import in_bulk_lane


@pytest.mark.parametrize(
    ("queue", "bulk"),
    [
        ("status_push", False),
        ("status_push.DQ", False),
        ("status_push.bulk", True),
        ("status_push.bulk.DQ", True),
    ],
)
def test_a_message_from_a_bulk_lane_or_its_delay_queue_is_in_the_bulk_lane(queue: str, bulk: bool) -> None:
    broker = StubBroker()
    middleware = CurrentMessage()
    message: dramatiq.Message[None] = dramatiq.Message(
        queue_name=queue, actor_name="apply_candidate_event", args=(), kwargs={}, options={}
    )
    middleware.before_process_message(broker, message)
    try:
        assert in_bulk_lane() is bulk
    finally:
        middleware.after_process_message(broker, message)
    assert in_bulk_lane() is False
