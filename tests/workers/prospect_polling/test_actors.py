"""The prospect polling actors: declared from their routes; a poll of a malformed seat is refused."""

from __future__ import annotations

from events import routes
from tests.helpers import create_tenant
from tests.workers.actor_contract import (
    assert_declared,
    assert_refuses_bad_command,
    assert_refuses_foreign_event,
    assert_refuses_unknown_tenant,
)
from workers.prospect_polling.actors import (
    apply_user_event,
    poll_contract_actor,
    poll_seat_actor,
    refresh_seats_actor,
)


def test_the_polling_actors_are_declared_from_their_routes() -> None:
    assert_declared(apply_user_event, routes.ATS_USER)
    assert_declared(poll_seat_actor, routes.POLL_SEAT)
    assert_declared(poll_contract_actor, routes.POLL_CONTRACT)
    assert_declared(refresh_seats_actor, routes.REFRESH_SEATS)


def test_what_the_routes_do_not_accept_is_refused(sqlite_url: str) -> None:
    create_tenant("acme")
    assert_refuses_foreign_event(apply_user_event)
    assert_refuses_bad_command(poll_seat_actor, tenant="acme", seat="seat-501")
    assert_refuses_bad_command(poll_contract_actor, tenant="acme", contract="urn:li:seat:1")
    assert_refuses_bad_command(refresh_seats_actor, tenant="acme", contracts=["contract 10"])


def test_a_poll_for_an_unknown_tenant_is_refused(sqlite_url: str) -> None:
    assert_refuses_unknown_tenant(poll_seat_actor, tenant="nobody", seat="urn:li:seat:501")
