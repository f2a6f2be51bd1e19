"""A bulk lane's dead letters: in their feature queue's ``Q.XQ``, listed by ``rsc dlq`` with the
recorded reason, and replayed back to the lane they died in."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import dramatiq

from events.dead_letters.letters import Selection
from events.dead_letters.queue import browse_dead_letters, replay_body, replay_dead_letters, replay_queue
from events.messages import OutgoingMessage
from events.topology import Queue, bulk_lane
from rsc.settings import get_settings
from store.db import get_store
from store.uow import OpsUnitOfWork
from tests.events.dead_letters.conftest import FLAKY_ATTEMPTS, DeadLetterWorld, wait_for_dead_letters
from tests.helpers import queue_depth
from tests.waiting import eventually


def send_to_lane(world: DeadLetterWorld, actor: str, queue: Queue) -> str:
    message_id = str(uuid.uuid4())
    lane = bulk_lane(queue.value)
    event = {"id": f"evt-{message_id[:8]}", "source": "test://dlq", "type": "test.thing.v1", "tenant": "acme"}
    message: dramatiq.Message[Any] = dramatiq.Message(
        queue_name=lane,
        actor_name=actor,
        args=(),
        kwargs={"event": event},
        options={},
        message_id=message_id,
        message_timestamp=int(time.time() * 1000),
    )
    world.publisher.publish_messages([OutgoingMessage(lane, message_id, message.encode())])
    return message_id


def test_a_bulk_lane_s_dead_letters_are_listed_and_replayed_back_to_the_lane(
    world: DeadLetterWorld, rabbit: str
) -> None:
    flaky = send_to_lane(world, "dlq_flaky", Queue.PROFILE_EXPORT)
    refused = send_to_lane(world, "dlq_unknown_tenant", Queue.STATUS_PUSH)
    # The retries of the flaky one waited in the lane's delay queue and came back to the lane.
    wait_for_dead_letters({Queue.PROFILE_EXPORT: 1, Queue.STATUS_PUSH: 1})
    assert world.calls_of(flaky) == FLAKY_ATTEMPTS
    assert queue_depth(rabbit, "profile_export.bulk.XQ") == 0

    by_id = {
        letter.message_id: letter
        for letter in browse_dead_letters(settings=get_settings(), store=get_store()).letters
    }
    assert set(by_id) == {flaky, refused}
    assert (by_id[flaky].queue, by_id[flaky].reason_code) == (Queue.PROFILE_EXPORT, "transient_error")
    assert (by_id[refused].queue, by_id[refused].reason_code) == (Queue.STATUS_PUSH, "unknown_tenant")
    assert replay_queue(by_id[refused]) == "status_push.bulk"
    assert json.loads(replay_body(by_id[refused]))["queue_name"] == "status_push.bulk"
    with OpsUnitOfWork(get_store()) as ops:
        row = ops.dead_letters.get(refused)
        assert row is not None and row.queue == "status_push"  # filtered by its feature queue

    world.healed.update({"dlq_flaky", "dlq_unknown_tenant"})
    result = replay_dead_letters(
        Selection(queues=(Queue.STATUS_PUSH, Queue.PROFILE_EXPORT)),
        settings=get_settings(),
        store=get_store(),
    )

    assert sorted(letter.message_id for letter in result.replayed) == sorted([flaky, refused])
    eventually(lambda: world.calls_of(refused) == 2, what="the replayed message to run in its lane")
    eventually(lambda: world.calls_of(flaky) == FLAKY_ATTEMPTS + 1, what="the flaky one to run again")
    wait_for_dead_letters({Queue.PROFILE_EXPORT: 0, Queue.STATUS_PUSH: 0})
