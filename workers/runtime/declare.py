"""Declaring an actor from its route: decode the message, validate it into its typed event or
command, refuse an unknown tenant, call the handler. Nothing else happens in an actor."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import dramatiq
from pydantic import ValidationError

from events.routes import CommandRoute, Route
from schemas.catalog import InvalidEvent, check_size, describe_validation_error, parse_event
from schemas.envelope import Event, Model
from workers.runtime.broker import broker
from workers.runtime.wiring import runtime, tenant_app

__all__ = ["broker", "command_actor", "decode", "event_actor"]

E = TypeVar("E", bound=Event)
C = TypeVar("C", bound=Model)

Actor = dramatiq.Actor[..., None]


def _check_size(kwargs: dict[str, Any]) -> None:
    """A message over ``RSC_MAX_EVENT_BYTES`` (measured as its arguments' JSON) is never parsed."""
    size = len(json.dumps(kwargs, separators=(",", ":"), default=str))
    check_size(size, runtime().settings.max_event_bytes, "the message's event")


def decode(args: tuple[Any, ...], kwargs: dict[str, Any], accepts: tuple[type[E], ...]) -> E:
    if args or set(kwargs) != {"event"}:
        raise InvalidEvent("malformed message: expected exactly one keyword argument 'event'")
    event = parse_event(kwargs["event"])
    if not isinstance(event, accepts):
        raise InvalidEvent(f"unknown event type {event.type!r} for this actor")
    return event


def _declare(consume: Callable[..., None], name: str, queue: str, doc: str | None, **options: Any) -> Actor:
    consume.__name__ = consume.__qualname__ = name
    consume.__doc__ = doc
    actor: Actor = dramatiq.actor(actor_name=name, queue_name=queue, **options)(consume)
    return actor


def event_actor(route: Route, **options: Any) -> Callable[[Callable[[Any], object]], Actor]:
    """Declare the actor of ``route``: it receives a typed event of one of the route's types."""

    def register(handler: Callable[[Any], object]) -> Actor:
        def consume(*args: Any, **kwargs: Any) -> None:
            _check_size(kwargs)
            event = decode(args, kwargs, route.accepts)
            tenant_app(event.tenant)  # an unknown tenant is refused before anything is stored
            handler(event)

        return _declare(consume, route.actor, route.queue.value, handler.__doc__, **options)

    return register


def command_actor(route: CommandRoute, **options: Any) -> Callable[[Callable[[Any], object]], Actor]:
    """Declare the actor of ``route``: its keyword arguments are validated by the route's command."""

    def register(handler: Callable[[Any], object]) -> Actor:
        def consume(*args: Any, **kwargs: Any) -> None:
            if args:
                raise InvalidEvent("malformed message: commands take keyword arguments only")
            _check_size(kwargs)
            try:
                parsed = route.command.model_validate(kwargs)
            except ValidationError as exc:
                raise InvalidEvent(describe_validation_error(exc)) from None
            tenant = getattr(parsed, "tenant", None)
            if isinstance(tenant, str):
                tenant_app(tenant)
            handler(parsed)

        return _declare(consume, route.actor, route.queue.value, handler.__doc__, **options)

    return register
