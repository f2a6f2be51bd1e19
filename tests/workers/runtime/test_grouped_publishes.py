"""Grouped publishes: the messages threads publish together go out in one publish; each thread
returns once its messages are confirmed, or raises when they are not."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from events.messages import OutgoingMessage
from events.publisher import PublishError
from tests.fakes import FakePublisher
from workers.runtime.grouped_publishes import GroupedPublishes


class SlowPublisher(FakePublisher):
    """Records each publish's messages; a publish takes ``pause_s``, so other threads arrive meanwhile."""

    def __init__(self, pause_s: float, *, fail: bool = False) -> None:
        super().__init__(fail=fail)
        self.pause_s = pause_s
        self.publishes: list[list[str]] = []

    def publish_messages(self, messages: Sequence[OutgoingMessage]) -> None:
        self.publishes.append([m.message_id for m in messages])
        time.sleep(self.pause_s)
        super().publish_messages(messages)


def message(n: int) -> OutgoingMessage:
    return OutgoingMessage("profile_match", f"m-{n}", b"{}")


def publish_from_threads(publishes: GroupedPublishes, count: int) -> dict[int, BaseException | None]:
    outcomes: dict[int, BaseException | None] = {}
    start = threading.Barrier(count)

    def worker(n: int) -> None:
        start.wait()
        try:
            publishes.publish_messages([message(n)])
            outcomes[n] = None
        except PublishError as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return outcomes


def test_a_lone_publish_goes_out_at_once_and_nothing_is_published_for_no_messages() -> None:
    publisher = SlowPublisher(0.0)
    publishes = GroupedPublishes(lambda: publisher)
    publishes.publish_messages([message(1), message(2)])
    publishes.publish_messages([])
    assert publisher.publishes == [["m-1", "m-2"]]


def test_messages_published_together_share_publishes_and_every_one_is_confirmed() -> None:
    publisher = SlowPublisher(0.05)  # while one publish waits for its confirms, the others gather
    outcomes = publish_from_threads(GroupedPublishes(lambda: publisher, max_batch=4), 12)
    assert outcomes == {n: None for n in range(12)}
    assert sorted(m.message_id for m in publisher.messages) == sorted(f"m-{n}" for n in range(12))
    assert len(publisher.publishes) < 12  # some shared a publish
    assert max(len(ids) for ids in publisher.publishes) <= 4


def test_an_unconfirmed_publish_fails_every_thread_whose_messages_were_in_it() -> None:
    publisher = SlowPublisher(0.05, fail=True)
    outcomes = publish_from_threads(GroupedPublishes(lambda: publisher), 6)
    assert all(isinstance(outcome, PublishError) for outcome in outcomes.values())
    assert len(outcomes) == 6 and publisher.messages == []


def test_events_are_published_by_the_publisher_itself() -> None:
    publisher = FakePublisher()
    with pytest.raises(PublishError):
        GroupedPublishes(lambda: FakePublisher(fail=True)).publish_many([])
    assert GroupedPublishes(lambda: publisher).publish_many([]) == 0
