"""The InMail sync actors: declared from their routes, refusing foreign events, storing a polled InMail."""

from __future__ import annotations

from events import routes
from store.db import get_store
from store.uow import UnitOfWork
from tests.helpers import create_tenant
from tests.workers.actor_contract import (
    assert_declared,
    assert_refuses_foreign_event,
    assert_refuses_unknown_tenant,
)
from tests.workers.support import TENANT, inmail
from workers.inmail_sync.actors import sync_inmail, sync_mail_stub

ADA = "urn:li:person:ada"


def test_the_inmail_actors_are_declared_from_their_routes() -> None:
    assert_declared(sync_inmail, routes.INMAIL)
    assert_declared(sync_mail_stub, routes.MAIL_STUB)


def test_an_event_of_another_route_is_refused_before_anything_is_stored(sqlite_url: str) -> None:
    create_tenant(TENANT)
    assert_refuses_foreign_event(sync_inmail)
    assert_refuses_foreign_event(sync_mail_stub)


def test_a_polled_inmail_is_stored_once_for_its_member(sqlite_url: str) -> None:
    create_tenant(TENANT)
    message = inmail("m-1", ADA).model_dump(mode="json")
    sync_inmail.fn(event=message)
    sync_inmail.fn(event=message)  # a redelivery
    with UnitOfWork(TENANT, get_store()) as uow:
        assert [r.body for r in uow.inmails.of_member(ADA)] == ["message m-1"]


def test_an_inmail_for_an_unknown_tenant_is_refused(sqlite_url: str) -> None:
    assert_refuses_unknown_tenant(sync_inmail, event=inmail("m-1", ADA).model_dump(mode="json"))
