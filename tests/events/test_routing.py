"""The routing table and the actors agree; every route's message decodes as Dramatiq expects."""

from __future__ import annotations

import dramatiq
import pytest

from events.messages import command_message, message_id_for, to_messages
from events.routes import COMMAND_ROUTES, EVENT_ROUTES, GATED_ACTORS, ROUTES
from schemas.catalog import EVENT_TYPES, parse_event
from schemas.commands import SeatPoll, SeatRefresh
from schemas.envelope import Model
from tests.schemas.test_schemas import job_event


def test_every_route_names_a_registered_actor_on_its_queue() -> None:
    import workers.actors  # noqa: F401  (registers the actors on the stub broker)

    broker = dramatiq.get_broker()
    for event_type, routes in ROUTES.items():
        assert event_type in EVENT_TYPES
        for route in routes:
            actor = broker.get_actor(route.actor)
            assert actor.queue_name == route.queue.value, event_type


def test_messages_carry_the_event_with_a_stable_id_and_a_timestamp() -> None:
    event = parse_event(job_event())
    (first,) = to_messages(event)
    (again,) = to_messages(event)
    assert first.message_id == again.message_id == message_id_for(event, ROUTES[event.type][0])
    decoded = dramatiq.Message.decode(first.body)
    assert decoded.queue_name == "status_push"
    assert decoded.actor_name == "apply_job_event"
    assert decoded.args == ()
    assert decoded.kwargs == {"event": event.model_dump(mode="json")}
    assert decoded.message_id == first.message_id
    assert decoded.message_timestamp > 0


def test_every_registered_actor_has_exactly_one_route_and_every_command_route_an_actor() -> None:
    import workers.actors  # noqa: F401  (registers the actors on the stub broker)

    broker = dramatiq.get_broker()
    declared = {route.actor: route.queue for route in EVENT_ROUTES} | {
        route.actor: route.queue for route in COMMAND_ROUTES.values()
    }
    assert len(declared) == len(EVENT_ROUTES) + len(COMMAND_ROUTES)
    project_actors = {name for name in broker.actors if name in declared}
    assert project_actors == set(declared)
    for name, queue in declared.items():
        assert broker.get_actor(name).queue_name == queue.value


def test_a_typed_command_goes_to_the_actor_and_queue_its_route_names() -> None:
    message = command_message(SeatRefresh(tenant="acme"))
    decoded = dramatiq.Message.decode(message.body)
    assert (decoded.queue_name, decoded.actor_name) == ("prospect_poll", "refresh_seats")
    assert decoded.kwargs == {"tenant": "acme"}  # an unset optional argument is left out
    retry = dramatiq.Message.decode(command_message(SeatPoll(tenant="acme", seat="urn:li:seat:7")).body)
    assert (retry.actor_name, retry.kwargs) == ("poll_seat", {"tenant": "acme", "seat": "urn:li:seat:7"})
    with pytest.raises(TypeError, match="not a command"):
        command_message(Model())


def test_the_gated_actors_are_the_routes_marked_gated() -> None:
    assert {
        "export_profile",
        "push_outbox",
        "poll_job_tasks",
        "poll_seat",
        "poll_contract",
        "refresh_seats",
        "poll_purge_notices",
    } == GATED_ACTORS
