"""Events as Dramatiq messages: the exact wire format Dramatiq workers decode."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import dramatiq

from events.routes import Route, command_route, follow_ups, routes_for
from events.topology import LANED_QUEUES, bulk_lane
from schemas.envelope import Event, Model

#: Namespace of message ids derived from an event's identity and route.
_MESSAGE_NAMESPACE = uuid.UUID("5f0e2b7c-3f5e-4a8e-9d56-6c1f3e0b9a41")


@dataclass(frozen=True)
class OutgoingMessage:
    queue: str
    message_id: str
    body: bytes


def message_id_for(event: Event, route: Route) -> str:
    """Stable per event and route: republishing the same event yields the same message id."""
    return str(uuid.uuid5(_MESSAGE_NAMESPACE, f"{event.tenant}|{event.source}|{event.id}|{route.actor}"))


def to_messages(event: Event, *, bulk: bool = False) -> list[OutgoingMessage]:
    """One Dramatiq message per route of the event's type, with id and timestamp set.

    Dramatiq fills ``message_id`` and ``message_timestamp`` at *decode* time when they are missing,
    which would give each redelivery a new id; setting them here keeps them stable. With ``bulk`` the
    messages go to the bulk lanes of their queues (``events.topology.bulk_lane``): the body names the
    lane too, so the worker's retries wait in the lane's delay queue and come back to the lane. The
    message id is the same in either lane, so the inbox recognises an event sent to both.
    """
    return _event_messages(event, routes_for(event.type), bulk=bulk)


def follow_up_messages(event: Event, after: Route, *, bulk: bool = False) -> list[OutgoingMessage]:
    """The messages that ``after``'s actor sends on once it stored ``event``: one per route chained
    after it (``Route.after``), with the same stable message id the publisher would have given it.
    ``bulk``: the event came through a bulk lane, and its follow-ups take their queues' bulk lanes,
    so a tenant's import does not crowd the next feature's normal lane either."""
    return _event_messages(event, follow_ups(after, event.type), bulk=bulk)


def _event_messages(event: Event, routes: tuple[Route, ...], *, bulk: bool = False) -> list[OutgoingMessage]:
    if not routes:
        return []
    payload = {"event": event.model_dump(mode="json")}
    now_ms = int(time.time() * 1000)
    messages = []
    for route in routes:
        queue = bulk_lane(route.queue.value) if bulk and route.queue in LANED_QUEUES else route.queue.value
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=queue,
            actor_name=route.actor,
            args=(),
            kwargs=payload,
            options={},
            message_id=message_id_for(event, route),
            message_timestamp=now_ms,
        )
        messages.append(OutgoingMessage(queue, message.message_id, message.encode()))
    return messages


def command_message(command: Model) -> OutgoingMessage:
    """An internal command for the actor its route names; each command gets a new message id."""
    route = command_route(command)
    return actor_message(route.queue.value, route.actor, **command.model_dump(mode="json", exclude_none=True))


def actor_message(queue: str, actor: str, **kwargs: object) -> OutgoingMessage:
    """A message for ``actor`` on ``queue`` with these keyword arguments, untyped: for tools and
    benchmarks that address an actor directly. The pipeline sends typed commands (``command_message``)."""
    message: dramatiq.Message[None] = dramatiq.Message(
        queue_name=queue,
        actor_name=actor,
        args=(),
        kwargs=kwargs,
        options={},
        message_id=str(uuid.uuid4()),
        message_timestamp=int(time.time() * 1000),
    )
    return OutgoingMessage(queue, message.message_id, message.encode())
