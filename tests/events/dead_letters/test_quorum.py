"""Dead-letter queues on the quorum topology (``RSC_QUEUE_TYPE=quorum``), in a virtual host of their own.

RabbitMQ dead-letters a message itself once it was delivered more often than ``x-delivery-limit``
(a worker that crashes or stalls on it every time): no worker records why. And on a quorum queue
every browse counts as a delivery.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import dramatiq
import kombu
import pytest

from events.dead_letters.letters import UNRECORDED, Selection
from events.dead_letters.queue import browse_dead_letters, replay_dead_letters
from events.messages import OutgoingMessage
from events.publisher import Publisher
from events.topology import Queue
from rsc.settings import get_settings
from store.db import get_store
from tests.conftest import reset_process_state
from tests.infra import fresh_vhost
from tests.waiting import eventually

DELIVERY_LIMIT = 2


@pytest.fixture
def quorum_broker(broker_url: str, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with fresh_vhost(broker_url) as url:
        if url == broker_url:
            pytest.skip("needs a virtual host of its own (a local RabbitMQ with rabbitmqctl)")
        monkeypatch.setenv("RSC_BROKER_URL", url)
        monkeypatch.setenv("RSC_QUEUE_TYPE", "quorum")
        monkeypatch.setenv("RSC_DELIVERY_LIMIT", str(DELIVERY_LIMIT))
        reset_process_state()
        try:
            yield url
        finally:
            reset_process_state()


def publish(count: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    messages = []
    for message_id in ids:
        message: dramatiq.Message[Any] = dramatiq.Message(
            queue_name=Queue.PROFILE_EXPORT.value,
            actor_name="export_profile",
            args=(),
            kwargs={"event": {"id": f"evt-{message_id[:8]}", "tenant": "acme", "type": "test.crash.v1"}},
            options={},
            message_id=message_id,
            message_timestamp=int(time.time() * 1000),
        )
        messages.append(OutgoingMessage(Queue.PROFILE_EXPORT.value, message_id, message.encode()))
    publisher = Publisher(settings=get_settings())
    publisher.publish_messages(messages)
    publisher.close()
    return ids


def crash_on_every_delivery(queue: Queue) -> None:
    """What a worker that dies on a message does to it, until RabbitMQ gives up on the message."""
    with kombu.Connection(get_settings().broker_url) as conn:
        channel = conn.channel()
        for _ in range(100):
            message = channel.basic_get(queue.value, no_ack=False)
            if message is None:
                break
            channel.basic_reject(message.delivery_tag, requeue=True)
        channel.close()


def test_quorum_dead_letters_are_listed_in_order_and_every_browse_counts_as_a_delivery(
    quorum_broker: str,
) -> None:
    sent = publish(3)
    crash_on_every_delivery(Queue.PROFILE_EXPORT)
    eventually(
        lambda: browse_dead_letters(settings=get_settings(), store=get_store()).lengths[0].messages == 3,
        what="three dead letters",
    )

    browses = [
        browse_dead_letters(
            Selection(queues=(Queue.PROFILE_EXPORT,)), settings=get_settings(), store=get_store()
        )
        for _ in range(3)
    ]

    # Only profile_export was declared; every other queue reports no length.
    assert [length.messages for length in browses[0].lengths] == [3] + [None] * (len(Queue) - 1)
    orders = [[letter.message_id for letter in browse.letters] for browse in browses]
    assert orders[0] == orders[1] == orders[2]
    assert sorted(orders[0]) == sorted(sent)
    counts = [browse.letters[0].delivery_count for browse in browses]
    assert None not in counts
    assert counts[1] == counts[0] + 1 and counts[2] == counts[1] + 1  # type: ignore[operator]

    letter = browses[0].letters[0]
    assert letter.reason_code == UNRECORDED
    assert letter.record is None
    assert letter.deaths[0].reason == "delivery_limit"
    assert "x-death: delivery_limit in profile_export" in letter.reason


def test_replay_from_a_quorum_dead_letter_queue(quorum_broker: str) -> None:
    sent = publish(2)
    crash_on_every_delivery(Queue.PROFILE_EXPORT)
    eventually(
        lambda: browse_dead_letters(settings=get_settings(), store=get_store()).lengths[0].messages == 2,
        what="two dead letters",
    )
    first, second = (
        letter.message_id
        for letter in browse_dead_letters(settings=get_settings(), store=get_store()).letters
    )

    result = replay_dead_letters(
        Selection(message_ids=frozenset({first})), settings=get_settings(), store=get_store()
    )

    assert [letter.message_id for letter in result.replayed] == [first]
    assert [
        letter.message_id
        for letter in browse_dead_letters(settings=get_settings(), store=get_store()).letters
    ] == [second]
    with kombu.Connection(get_settings().broker_url) as conn:
        channel = conn.channel()
        message = channel.basic_get(Queue.PROFILE_EXPORT.value, no_ack=True)
        channel.close()
    assert message is not None
    body = json.loads(message.body)
    assert body["message_id"] == first
    assert "x-death" not in (message.properties.get("application_headers") or {})
    assert set(sent) == {first, second}
