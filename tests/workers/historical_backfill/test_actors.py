"""The historical backfill actor: declared from its route; a slice without a valid run is refused."""

from __future__ import annotations

from events import routes
from tests.helpers import create_tenant
from tests.workers.actor_contract import (
    assert_declared,
    assert_refuses_bad_command,
    assert_refuses_unknown_tenant,
)
from workers.historical_backfill.actors import run_backfill_actor


def test_the_backfill_actor_is_declared_from_its_route() -> None:
    assert_declared(run_backfill_actor, routes.RUN_BACKFILL)


def test_a_slice_of_run_zero_is_refused(sqlite_url: str) -> None:
    create_tenant("acme")
    assert_refuses_bad_command(run_backfill_actor, tenant="acme", run=0)


def test_a_slice_for_an_unknown_tenant_is_refused(sqlite_url: str) -> None:
    assert_refuses_unknown_tenant(run_backfill_actor, tenant="nobody", run=1)
