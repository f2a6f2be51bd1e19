"""The tenants of ``bench.isolation`` and what they publish: A's floods, B's trickle, and what each of
A's floods lands on.

A is a fresh tenant for each of its floods (A1 alone, A2 beside B, A3 alone again) and for its
backfill (A4), so every flood lands on a tenant of the same size: flooding again as one tenant would
land each flood on a tenant the ones before made N candidates larger, and A's drain rate beside B
would mix B's share with that growth.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import func, select

from events.publisher import Publisher
from schemas.catalog import parse_event
from schemas.envelope import Event
from store.candidates import Candidate
from store.db import get_store
from tests.e2e.pipeline import Pipeline

#: A's tenants: one per flood, in the order they flood (alone, beside B, alone again), and its backfill's.
FLOODS_BEFORE, FLOODS_BESIDE, FLOODS_AFTER = "tenant-a1", "tenant-a2", "tenant-a3"
BACKFILLS, QUIET = "tenant-a4", "tenant-b"
#: Tenant B publishes one event this often (seconds).
B_INTERVAL_S = 0.25
#: A's flood is published in batches of this many events (one publisher call each).
PUBLISH_BATCH = 1000


@dataclass(frozen=True)
class FloodStart:
    """What one of A's floods landed on, counted right before it was published."""

    tenant: str
    #: Candidates its tenant held (its warm-up), and the store held, every tenant's.
    tenant_candidates: int
    store_candidates: int


def candidate(tenant: str, candidate_id: str) -> Event:
    stamp = "2026-05-01T00:00:00Z"
    return parse_event(
        {
            "type": "ats.candidate.created.v1",
            "id": f"evt-{candidate_id}",
            "source": f"ats://{tenant}",
            "tenant": tenant,
            "data": {
                "candidate_id": candidate_id,
                "first_name": "Ada",
                "last_name": "Lovelace",
                "emails": [f"{candidate_id.lower()}@example.org"],
                "current_company": "Acme",
                "current_title": "Engineer",
                "created_at": stamp,
                "modified_at": stamp,
            },
        }
    )


class Trickle:
    """Tenant B: one event every ``B_INTERVAL_S`` from a thread, until stopped; each one's publish time."""

    def __init__(self, publisher: Publisher, prefix: str) -> None:
        self.publisher, self.prefix = publisher, prefix
        self.published: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        start = time.monotonic()
        while not self._stop.is_set():
            event = candidate(QUIET, f"{self.prefix}-{n}")
            at = time.time()
            self.publisher.publish(event)
            self.published[event.id] = at
            n += 1
            self._stop.wait(max(0.0, start + n * B_INTERVAL_S - time.monotonic()))

    def start(self) -> Trickle:
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return self.published


def publish_flood(publisher: Publisher, tenant: str, count: int) -> set[str]:
    """``count`` new candidates of ``tenant`` published at once; their event ids."""
    events = [candidate(tenant, f"A-{n}") for n in range(count)]
    for first in range(0, count, PUBLISH_BATCH):
        publisher.publish_many(events[first : first + PUBLISH_BATCH])
    return {event.id for event in events}


def flood_start(tenant: str) -> FloodStart:
    """The store vacuumed and analyzed (as autovacuum would, in time), so a flood meets neither the
    dead rows nor the stale statistics of the one before; then what ``tenant``'s flood lands on."""
    with get_store().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        count = select(func.count()).select_from(Candidate)
        in_tenant = connection.scalar(count.where(Candidate.tenant_id == tenant))
        return FloodStart(tenant, int(in_tenant or 0), int(connection.scalar(count) or 0))


def onboard(pipeline: Pipeline, tenants: tuple[str, ...]) -> None:
    """Each tenant in the store and its LinkedIn application in the sandbox."""
    from tests.helpers import create_tenant

    for n, tenant in enumerate(tenants):
        org, client = f"urn:li:organization:{9100 + n}", f"{tenant}-client"
        create_tenant(tenant, org=org, client_id=client, client_secret=f"{tenant}-secret")
        pipeline.control(
            "POST",
            "/apps",
            json={"clientId": client, "clientSecret": f"{tenant}-secret", "organization": org},
        )
