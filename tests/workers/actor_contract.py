"""What every feature's ``actors`` module owes its routes (``events.routes``): each actor is declared on
the project's broker under its route's name and queue, and refuses at the door what its route does not
accept, before the handler runs. The features' ``test_actors.py`` run these checks on their own actors."""

from __future__ import annotations

from typing import Any

import dramatiq
import pytest

from events.routes import CommandRoute, Route
from rsc.errors import is_transient, reason_of
from schemas.catalog import InvalidEvent
from tests import ats_events as ats
from workers.runtime.declare import broker

#: An event no actor of a feature other than status push accepts.
FOREIGN_EVENT = ats.job("J-1")


def assert_declared(actor: dramatiq.Actor[..., None], route: Route | CommandRoute) -> None:
    assert actor.actor_name == route.actor
    assert actor.queue_name == route.queue.value
    assert broker.get_actor(route.actor) is actor


def assert_refuses_foreign_event(actor: dramatiq.Actor[..., None]) -> None:
    """An event of a type the route does not accept is refused for good, and says why."""
    with pytest.raises(InvalidEvent, match=r"unknown event type 'ats\.job\.published\.v1'") as refused:
        actor.fn(event=FOREIGN_EVENT.model_dump(mode="json"))
    assert not is_transient(refused.value)


def assert_refuses_bad_command(actor: dramatiq.Actor[..., None], **kwargs: Any) -> None:
    """Arguments the route's command does not validate are refused for good, as an invalid event."""
    with pytest.raises(InvalidEvent) as refused:
        actor.fn(**kwargs)
    assert not is_transient(refused.value)
    with pytest.raises(InvalidEvent, match="keyword arguments only"):
        actor.fn("positional")


def assert_refuses_unknown_tenant(actor: dramatiq.Actor[..., None], **kwargs: Any) -> None:
    with pytest.raises(Exception) as refused:
        actor.fn(**kwargs)
    assert reason_of(refused.value, attempts=1)[0] == "unknown_tenant"
