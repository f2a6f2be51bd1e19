"""A message about a record that is dead-lettered shows in the record's ledger, with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest

from rsc.errors import PermanentError
from store.db import get_store
from store.sync_ledger import RecordType
from store.uow import UnitOfWork
from tests.helpers import create_tenant

QUEUE = "profile_export"


class JobNotPublished(PermanentError):
    reason_code = "job_not_published"


@pytest.fixture
def stub_broker(sqlite_url: str) -> Iterator[dramatiq.Broker]:
    from workers.runtime.broker import create_broker

    create_tenant("acme")
    broker = create_broker()
    yield broker
    broker.close()


def _refuse_export(**kwargs: Any) -> None:
    raise JobNotPublished("job 'J-1' is draft, not published; publish it, then replay this export")


def _dead_letter(broker: dramatiq.Broker, *events: dict[str, Any]) -> None:
    actor = dramatiq.actor(actor_name="refuse_export", queue_name=QUEUE, broker=broker)(_refuse_export)
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        for event in events:
            actor.send_with_options(kwargs={"event": event})
        broker.join(QUEUE, fail_fast=False)  # type: ignore[call-arg]
        worker.join()
    finally:
        worker.stop()


def test_a_dead_lettered_export_is_in_its_ledger_with_the_reason(stub_broker: dramatiq.Broker) -> None:
    event = {
        "type": "linkedin.export.requested.v1",
        "id": "push-1",
        "source": "linkedin://pushes",
        "tenant": "acme",
        "data": {"request_id": "R-1"},
    }
    # No ledger for a tenant that does not exist.
    _dead_letter(stub_broker, event, {**event, "tenant": "nobody"})
    with UnitOfWork("acme", get_store()) as uow:
        entries = uow.ledger.timeline(RecordType.EXPORT, "R-1")
        assert [(e.step, e.event_id, e.reason_code) for e in entries] == [
            ("dead_lettered", "push-1", "job_not_published")
        ]
        assert entries[0].detail is not None and entries[0].detail.startswith(
            "job 'J-1' is draft, not published"
        )
    with UnitOfWork("nobody", get_store()) as uow:
        assert uow.ledger.timeline(RecordType.EXPORT, "R-1") == []
