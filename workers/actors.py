"""The actors: decode, validate into a typed event, call the handler. Nothing else lives here.

Run with ``rsc worker --queues <queue>`` (or ``dramatiq workers.actors --queues <queue>``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import dramatiq
from pydantic import ValidationError

from schemas.ats import JobClosed, JobCreated, JobPublished, JobUpdated
from schemas.catalog import InvalidEvent, describe_validation_error, parse_event
from schemas.commands import OutboxFlush
from schemas.envelope import Event, Model
from schemas.linkedin import ExportRequested
from store.uow import UnitOfWork
from workers.ats_records import JobEvent, handle_job_event
from workers.broker import broker
from workers.outbox_sweep import sweep_outbox
from workers.profile_export import handle_export_requested
from workers.runtime import linkedin_for
from workers.topology import Queue

E = TypeVar("E", bound=Event)

__all__ = ["apply_job_event", "broker", "export_profile", "push_outbox"]


def decode(args: tuple[Any, ...], kwargs: dict[str, Any], accepts: tuple[type[E], ...]) -> E:
    if args or set(kwargs) != {"event"}:
        raise InvalidEvent("malformed message: expected exactly one keyword argument 'event'")
    event = parse_event(kwargs["event"])
    if not isinstance(event, accepts):
        raise InvalidEvent(f"unknown event type {event.type!r} for this actor")
    return event


def event_actor(
    *, queue: Queue, name: str, accepts: tuple[type[Event], ...], **options: Any
) -> Callable[[Callable[[Any], object]], dramatiq.Actor[..., None]]:
    """Declare an actor that receives a typed event of one of the ``accepts`` types."""

    def register(handler: Callable[[Any], object]) -> dramatiq.Actor[..., None]:
        def consume(*args: Any, **kwargs: Any) -> None:
            handler(decode(args, kwargs, accepts))

        consume.__name__ = consume.__qualname__ = name
        consume.__doc__ = handler.__doc__
        actor: dramatiq.Actor[..., None] = dramatiq.actor(actor_name=name, queue_name=queue.value, **options)(
            consume
        )
        return actor

    return register


C = TypeVar("C", bound=Model)


def command_actor(
    *, queue: Queue, name: str, command: type[C], **options: Any
) -> Callable[[Callable[[C], object]], dramatiq.Actor[..., None]]:
    """Declare an actor for an internal command (keyword arguments validated by ``command``)."""

    def register(handler: Callable[[C], object]) -> dramatiq.Actor[..., None]:
        def consume(*args: Any, **kwargs: Any) -> None:
            if args:
                raise InvalidEvent("malformed message: commands take keyword arguments only")
            try:
                parsed = command.model_validate(kwargs)
            except ValidationError as exc:
                raise InvalidEvent(describe_validation_error(exc)) from None
            handler(parsed)

        consume.__name__ = consume.__qualname__ = name
        consume.__doc__ = handler.__doc__
        actor: dramatiq.Actor[..., None] = dramatiq.actor(actor_name=name, queue_name=queue.value, **options)(
            consume
        )
        return actor

    return register


@event_actor(queue=Queue.PROFILE_EXPORT, name="export_profile", accepts=(ExportRequested,))
def export_profile(event: ExportRequested) -> None:
    """A recruiter exported a LinkedIn member to a job."""
    handle_export_requested(event, uow=UnitOfWork(event.tenant), linkedin=linkedin_for(event.tenant))


@event_actor(
    queue=Queue.STATUS_PUSH,
    name="apply_job_event",
    accepts=(JobCreated, JobUpdated, JobPublished, JobClosed),
)
def apply_job_event(event: JobEvent) -> None:
    """A job was created, changed, published or closed in the ATS."""
    handle_job_event(event, uow=UnitOfWork(event.tenant))


@command_actor(queue=Queue.STATUS_PUSH, name="push_outbox", command=OutboxFlush)
def push_outbox(command: OutboxFlush) -> None:
    """Push a tenant's records LinkedIn has not seen yet (requested by the scheduler)."""
    sweep_outbox(UnitOfWork(command.tenant), linkedin_for(command.tenant))
