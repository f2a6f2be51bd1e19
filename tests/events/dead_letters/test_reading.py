"""Reading a feature queue's ``Q.XQ`` with real RabbitMQ: only the selected queues, in order, decoded and
joined with the recorded errors; nothing taken is acknowledged, so a scan changes nothing. A broker
that is not RabbitMQ, or not up, is named with the fix."""

from __future__ import annotations

import pytest

from events.dead_letters.letters import DeadLetterQueueError, Selection
from events.dead_letters.reading import DeadLetterQueue, Delivery, connect, scan
from events.topology import Queue
from rsc.settings import get_settings, reset_settings
from store.db import get_store
from tests.events.dead_letters.conftest import EXPECTED, Sent, lengths


def test_a_stub_broker_or_one_that_is_down_is_named_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DeadLetterQueueError, match="RSC_BROKER_URL is stub://"), connect(get_settings()):
        pass
    monkeypatch.setenv("RSC_BROKER_URL", "amqp://guest:guest@127.0.0.1:1//")
    reset_settings()
    unreachable = r"cannot reach RabbitMQ at .*check RSC_BROKER_URL"
    with pytest.raises(DeadLetterQueueError, match=unreachable), connect(get_settings()):
        pass


def test_a_scan_reads_the_selected_queue_in_order_and_leaves_it_as_it_was(dead_letters: Sent) -> None:
    seen: list[Delivery] = []

    def keep(dlq: DeadLetterQueue, deliveries: list[Delivery]) -> None:
        assert dlq.queue is Queue.STATUS_PUSH
        seen.extend(deliveries)

    found = scan(Selection(queues=(Queue.STATUS_PUSH,)), keep, settings=get_settings(), store=get_store())
    assert {length.queue: length.messages for length in found if length.queue in EXPECTED} == EXPECTED
    # In the queue's order, which is the order they died in (the body that is no JSON dies at once).
    assert [delivery.letter.position for delivery in seen] == [0, 1]
    letters = {delivery.letter.message_id: delivery.letter for delivery in seen}
    assert set(letters) == {dead_letters.no_tenant, dead_letters.not_json}
    assert (letters[dead_letters.no_tenant].reason_code, letters[dead_letters.no_tenant].tenant) == (
        "unknown_tenant",
        "ghost",
    )
    assert (letters[dead_letters.not_json].reason_code, letters[dead_letters.not_json].message) == (
        "unrecorded",
        None,
    )
    assert lengths() == EXPECTED  # nothing was acknowledged


def test_a_scan_selecting_one_letter_passes_only_it(dead_letters: Sent) -> None:
    seen: list[str] = []
    selection = Selection(message_ids=frozenset({dead_letters.flaky}))
    scan(
        selection,
        lambda _, deliveries: seen.extend(d.letter.message_id for d in deliveries),
        settings=get_settings(),
        store=get_store(),
    )
    assert seen == [dead_letters.flaky]
