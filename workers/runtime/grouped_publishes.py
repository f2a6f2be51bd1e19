"""Grouped publishes: the follow-up messages a worker process's threads send at the same moment go to
RabbitMQ in one publish, with one wait for its confirms.

A stored event's follow-up (``Route.after``) is sent by the thread that received the event, once the
event is committed. A publish costs more than its messages: a pooled connection borrowed, the retry
policy set up, a wait for the confirms. As with group commit (``workers.runtime.group_commit``), the
first thread to arrive publishes every thread's messages waiting at that moment, and the others
wait for the outcome, which is each one's own: returned once RabbitMQ confirmed the whole publish,
or raised (``PublishError``) to every thread whose messages were in it, so each event is retried
and sends its follow-up again. A thread that finds nobody waiting publishes alone, at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from events.messages import OutgoingMessage
from events.publisher import EventPublisher
from schemas.envelope import Event
from workers.runtime.group_commit import GroupCommit, Submitted


class GroupedPublishes:
    """An ``EventPublisher`` whose ``publish_messages`` of concurrent threads share one publish of
    ``publisher()`` (at most ``max_batch`` threads' messages); ``publish_many`` is ``publisher()``'s."""

    def __init__(self, publisher: Callable[[], EventPublisher], *, max_batch: int = 16) -> None:
        self._publisher = publisher
        self._group: GroupCommit[Sequence[OutgoingMessage], None] = GroupCommit(
            self._publish_group, max_batch=max_batch
        )

    def publish_messages(self, messages: Sequence[OutgoingMessage]) -> None:
        """Return once RabbitMQ confirmed ``messages`` (with those they were published with); raise
        otherwise."""
        if messages:
            self._group.submit(messages)

    def publish_many(self, events: Iterable[Event]) -> int:
        return self._publisher().publish_many(events)

    def _publish_group(self, group: Sequence[Submitted[Sequence[OutgoingMessage]]]) -> list[None]:
        # One failure is every item's: nothing of an unconfirmed publish may be assumed published.
        self._publisher().publish_messages([message for submitted in group for message in submitted.item])
        return [None] * len(group)
