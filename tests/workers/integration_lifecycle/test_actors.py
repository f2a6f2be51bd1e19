"""The integration lifecycle actors: declared from their routes; a rotation not due changes nothing."""

from __future__ import annotations

from events import routes
from store.db import get_store
from store.uow import OpsUnitOfWork
from tests.helpers import create_tenant
from tests.workers.actor_contract import (
    assert_declared,
    assert_refuses_bad_command,
    assert_refuses_foreign_event,
    assert_refuses_unknown_tenant,
)
from workers.integration_lifecycle.actors import rotate_secret_actor, verify_integration_status


def test_the_lifecycle_actors_are_declared_from_their_routes() -> None:
    assert_declared(verify_integration_status, routes.INTEGRATION_STATUS)
    assert_declared(rotate_secret_actor, routes.ROTATE_SECRET)


def test_an_ats_event_is_no_integration_status(sqlite_url: str) -> None:
    create_tenant("acme")
    assert_refuses_foreign_event(verify_integration_status)
    assert_refuses_bad_command(rotate_secret_actor, tenant="acme", run=1)
    assert_refuses_unknown_tenant(rotate_secret_actor, tenant="nobody")


def test_a_rotation_of_a_tenant_not_due_one_keeps_its_secret(sqlite_url: str) -> None:
    create_tenant("acme")
    rotate_secret_actor.fn(tenant="acme")  # no LinkedIn is configured: a call would fail
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.tenants.get("acme")
        assert tenant is not None
        assert tenant.client_secret(ops.keyring) == "acme-secret"
