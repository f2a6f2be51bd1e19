"""A worker SIGKILLed in the middle of 500 exports: afterwards every export is in the store exactly once."""

from __future__ import annotations

from store.db import get_store
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import counts, dead_letters, export, onboard, publish_job
from tests.helpers import ORG
from tests.waiting import eventually

EXPORTS = 500


def test_sigkill_in_the_middle_of_500_exports_loses_and_duplicates_nothing(
    pipeline: Pipeline, rabbit: str
) -> None:
    client_id, _ = onboard(pipeline, "acme", org=ORG)
    pipeline.start_workers("worker", "profile_export", "status_push", processes=2, threads=8)
    publish_job(rabbit, "acme", "J-1")
    eventually(lambda: counts("acme") is not None and _job_stored(), what="the job")

    for i in range(EXPORTS):
        export(pipeline, client_id, "J-1", i)
        if i == 150:
            # Kill while messages are being processed (prefetched, unacked, mid-transaction).
            eventually(lambda: counts("acme")["exports"] >= 40, timeout=60, what="some exports processed")
            pipeline.kill("worker")
            pipeline.start_workers("worker", "profile_export", "status_push", processes=2, threads=8)

    eventually(lambda: counts("acme")["exports"] == EXPORTS, timeout=240, what=f"{EXPORTS} exports")
    # Give redelivered duplicates time to be (not) applied.
    eventually(
        lambda: _remote_linked(pipeline) == EXPORTS, timeout=120, what="LinkedIn to hold every candidate"
    )
    assert counts("acme") == {"candidates": EXPORTS, "applications": EXPORTS, "exports": EXPORTS}
    assert dead_letters() == {}


def _job_stored() -> bool:
    from store.uow import UnitOfWork

    with UnitOfWork("acme", get_store()) as uow:
        return uow.jobs.get("J-1") is not None


def _remote_linked(pipeline: Pipeline) -> int:
    records = pipeline.control("GET", f"/orgs/{ORG}/candidates")["candidates"]
    return sum(1 for r in records if r.get("manualMatchedMember"))
