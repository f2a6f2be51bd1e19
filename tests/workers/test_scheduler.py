"""The scheduler requests an outbox sweep for exactly the tenants with due records, with the
garbage collector held off while it ticks."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from datetime import timedelta

import pytest

from events.messages import OutgoingMessage
from events.publisher import Publisher, PublishError
from rsc.settings import get_settings
from store.base import utcnow
from store.db import get_store
from store.linkedin_sync import Resource, SyncState
from store.tenants import TenantStatus
from store.uow import UnitOfWork
from tests.fakes import FakePublisher
from tests.helpers import create_tenant, drain
from workers.scheduler import Scheduler


def test_a_tick_asks_for_one_sweep_per_tenant_with_due_records(
    sqlite_url: str, rabbit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_OUTBOX_GRACE_S", "0")
    for tenant in ("acme", "globex", "initech", "hooli"):
        create_tenant(tenant, client_id=f"{tenant}-client")
    create_tenant("umbrella", client_id="umbrella-client", status=TenantStatus.PENDING)
    with UnitOfWork("umbrella", get_store()) as uow:  # not enabled yet: nothing of it is pushed
        uow.outbox.mark_changed(Resource.CANDIDATE, "C-1")
        uow.commit()
    for tenant in ("acme", "globex"):
        with UnitOfWork(tenant, get_store()) as uow:
            uow.outbox.mark_changed(Resource.CANDIDATE, "C-1")
            uow.outbox.mark_changed(Resource.CANDIDATE, "C-2")
            uow.commit()
    with UnitOfWork("initech", get_store()) as uow:  # in sync: nothing to do
        uow.outbox.mark_changed(Resource.CANDIDATE, "C-1")
        uow.outbox.settle(Resource.CANDIDATE, {"C-1": 1})
        uow.commit()
    with UnitOfWork("hooli", get_store()) as uow:  # held by a push in flight
        uow.outbox.mark_changed(Resource.CANDIDATE, "C-1")
        uow.commit()
    with get_store().session("hooli") as session:
        state = session.get(SyncState, ("hooli", "candidate", "C-1"))
        assert state is not None
        state.lease_until = utcnow() + timedelta(seconds=30)
        session.commit()

    # Enabled tenants get their purge notice polls too.
    Scheduler(Publisher(rabbit, settings=get_settings()), get_store(), get_settings()).tick()
    messages = drain(rabbit, "status_push")
    assert sorted(body["kwargs"]["tenant"] for body, _ in messages) == ["acme", "globex"]
    assert {body["actor_name"] for body, _ in messages} == {"push_outbox"}


class RecordingPublisher(FakePublisher):
    """Notes whether the garbage collector ran while the tick published, then refuses."""

    def __init__(self) -> None:
        super().__init__(fail=True)
        self.collecting: list[bool] = []

    def publish_messages(self, messages: Sequence[OutgoingMessage]) -> None:
        self.collecting.append(gc.isenabled())
        super().publish_messages(messages)


def test_a_tick_holds_collections_off_and_resumes_them_even_when_publishing_fails(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_OUTBOX_GRACE_S", "0")
    create_tenant("acme", client_id="acme-client")
    with UnitOfWork("acme", get_store()) as uow:
        uow.outbox.mark_changed(Resource.CANDIDATE, "C-1")
        uow.commit()
    publisher = RecordingPublisher()

    with pytest.raises(PublishError):
        Scheduler(publisher, get_store(), get_settings()).tick()

    assert publisher.collecting == [False]
    assert gc.isenabled()
