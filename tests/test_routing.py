"""The routing table and the actors agree; every route's message decodes as Dramatiq expects."""

from __future__ import annotations

import dramatiq

from events.messages import message_id_for, to_messages
from events.routes import ROUTES
from schemas.catalog import EVENT_TYPES, parse_event
from tests.test_schemas import job_event


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
