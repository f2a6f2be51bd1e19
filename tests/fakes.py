"""Stand-ins for what tests keep out of the way, shared by every test that needs one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from email import message_from_bytes
from typing import Any

from events.messages import OutgoingMessage
from events.publisher import PublishError
from schemas.envelope import Event


class FakePublisher:
    """Stands in for RabbitMQ's publisher (``events.publisher.EventPublisher``): keeps the events and
    the messages it was asked to publish. With ``fail`` it refuses them all, as a publisher does when
    RabbitMQ does not confirm them."""

    def __init__(self, *, fail: bool = False) -> None:
        self.events: list[Event] = []
        self.messages: list[OutgoingMessage] = []
        self.fail = fail

    def publish_many(self, events: Iterable[Event]) -> int:
        batch = list(events)
        self._refuse_if_failing(len(batch))
        self.events.extend(batch)
        return len(batch)

    def publish_messages(self, messages: Sequence[OutgoingMessage]) -> None:
        self._refuse_if_failing(len(messages))
        self.messages.extend(messages)

    def bodies(self) -> list[dict[str, Any]]:
        """The published messages' bodies, decoded."""
        return [json.loads(m.body) for m in self.messages]

    def _refuse_if_failing(self, count: int) -> None:
        if self.fail:
            raise PublishError(f"{count} of {count} messages not confirmed by RabbitMQ")


class Inbox:
    """An SMTP server's handler: accepts every message, except RCPT TO addresses listed in ``busy``
    (answered 451 once)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.busy: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.busy:
            self.busy.discard(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return sorted(m["To"] for m in self.messages)
