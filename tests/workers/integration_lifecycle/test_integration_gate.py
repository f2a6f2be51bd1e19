"""Work that would reach LinkedIn for a tenant that is pending or disabled is settled once with its
reason (acknowledged without running, recorded in ``skipped_messages``), never retried nor
dead-lettered; once the tenant is enabled the same work runs. Through the workers' real middleware
stack on Dramatiq's stub broker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from events.routes import GATED_ACTORS
from events.topology import Queue
from rsc.settings import get_settings
from store.db import Store, get_store
from store.skipped_messages import SkippedMessage
from store.tenants import Tenant, TenantStatus
from store.uow import OpsUnitOfWork
from tests.helpers import create_tenant
from workers.runtime.broker import middleware
from workers.runtime.integration_gate import REASONS

TENANT = "acme"


class GatedActors:
    """Stand-ins for a gated command actor and a gated event actor; they note every run."""

    def __init__(self, broker: StubBroker) -> None:
        self.runs: list[tuple[str, str]] = []

        def push_outbox(tenant: str) -> None:
            self.runs.append(("push_outbox", tenant))

        def export_profile(event: dict[str, Any]) -> None:
            self.runs.append(("export_profile", event["tenant"]))

        self.push_outbox = dramatiq.actor(
            actor_name="push_outbox", queue_name=Queue.STATUS_PUSH.value, broker=broker
        )(push_outbox)
        self.export_profile = dramatiq.actor(
            actor_name="export_profile", queue_name=Queue.PROFILE_EXPORT.value, broker=broker
        )(export_profile)


@pytest.fixture
def broker() -> Iterator[StubBroker]:
    stub = StubBroker(middleware=middleware(get_settings()))
    stub.emit_after("process_boot")
    yield stub
    stub.close()


def export_event(tenant: str, event_id: str) -> dict[str, Any]:
    return {
        "type": "linkedin.profile.export_requested.v1",
        "id": event_id,
        "source": "linkedin://rsc/push",
        "tenant": tenant,
        "data": {},
    }


def run_all(broker: StubBroker) -> None:
    worker = Worker(broker, worker_timeout=50)
    worker.start()
    try:
        for queue in (Queue.STATUS_PUSH.value, Queue.PROFILE_EXPORT.value):
            broker.join(queue, fail_fast=True)
        worker.join()
    finally:
        worker.stop()


def set_status(tenant: str, status: TenantStatus) -> None:
    with OpsUnitOfWork(get_store()) as ops:
        row = ops.session.get(Tenant, tenant)
        assert row is not None
        row.set_status(status, "changed by a test")
        ops.commit()


def skipped(store: Store) -> list[tuple[str, str, str | None, str, str]]:
    with store.session(None) as session:
        rows = session.scalars(select(SkippedMessage).order_by(SkippedMessage.id))
        return [(r.tenant_id, r.actor, r.event_id, r.queue, r.reason_code) for r in rows]


def test_the_gate_covers_every_actor_that_talks_to_linkedin_for_one_tenant() -> None:
    assert {"export_profile", "push_outbox", "poll_seat", "refresh_seats"} <= GATED_ACTORS
    # The historical backfill checks the tenant itself (a disabled tenant's run stops, a purge runs).
    assert "run_backfill" not in GATED_ACTORS


@pytest.mark.parametrize(
    ("status", "code"),
    [(TenantStatus.PENDING, "integration_not_enabled"), (TenantStatus.DISABLED, "integration_disabled")],
)
def test_work_for_a_tenant_that_is_not_enabled_is_settled_once_with_its_reason(
    store: Store, broker: StubBroker, status: TenantStatus, code: str
) -> None:
    create_tenant(TENANT, status=status)
    actors = GatedActors(broker)
    actors.push_outbox.send(tenant=TENANT)
    actors.export_profile.send(event=export_event(TENANT, "push-1"))
    actors.export_profile.send(event=export_event(TENANT, "push-2"))

    run_all(broker)

    assert actors.runs == []
    recorded = skipped(store)
    assert sorted(recorded) == sorted(
        [
            (TENANT, "push_outbox", None, Queue.STATUS_PUSH.value, code),
            (TENANT, "export_profile", "push-1", Queue.PROFILE_EXPORT.value, code),
            (TENANT, "export_profile", "push-2", Queue.PROFILE_EXPORT.value, code),
        ]
    )
    # Settled, not failed: nothing waits for a retry and nothing was dead-lettered.
    for queue in (Queue.STATUS_PUSH.value, Queue.PROFILE_EXPORT.value):
        assert broker.queues[queue].qsize() == 0
        assert broker.dead_letters_by_queue[queue] == []
    with store.session(None) as session:
        reasons = set(session.scalars(select(SkippedMessage.reason)))
    assert reasons == {REASONS[status][1]}


def test_once_the_tenant_is_enabled_the_same_work_runs(store: Store, broker: StubBroker) -> None:
    create_tenant(TENANT, status=TenantStatus.PENDING)
    actors = GatedActors(broker)
    actors.push_outbox.send(tenant=TENANT)
    run_all(broker)
    assert actors.runs == []

    set_status(TENANT, TenantStatus.ENABLED)
    actors.push_outbox.send(tenant=TENANT)
    actors.export_profile.send(event=export_event(TENANT, "push-3"))
    run_all(broker)
    assert sorted(actors.runs) == [("export_profile", TENANT), ("push_outbox", TENANT)]

    set_status(TENANT, TenantStatus.DISABLED)
    actors.push_outbox.send(tenant=TENANT)
    run_all(broker)
    assert len(actors.runs) == 2
    assert [r[4] for r in skipped(store)] == ["integration_not_enabled", "integration_disabled"]


def test_other_tenants_are_not_held_back_by_one_that_is_not_enabled(store: Store, broker: StubBroker) -> None:
    create_tenant(TENANT, status=TenantStatus.DISABLED)
    create_tenant("globex", org="urn:li:organization:77", client_id="globex-client")
    actors = GatedActors(broker)
    actors.push_outbox.send(tenant=TENANT)
    actors.push_outbox.send(tenant="globex")
    run_all(broker)
    assert actors.runs == [("push_outbox", "globex")]
    assert [(r[0], r[4]) for r in skipped(store)] == [(TENANT, "integration_disabled")]
