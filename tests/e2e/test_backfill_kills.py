"""A 100,000-record historical backfill survives five SIGKILLs of its worker at random points.

Everything runs as separate processes on real services: the sandbox (its real rate limits, on a
clock 60 times faster), the ingress, the scheduler and the workers. The tenant is enabled the real
way (the sandbox pushes INTEGRATION_STATUS_CHANGE, the lifecycle worker verifies it and starts the
backfill). While the backfill runs, its worker is killed five times at random moments and started
again at once. At the end every record is in the sandbox exactly once, and the sandbox's write
counters show at most one batch sent again per kill.

The full form (``RSC_BACKFILL_FULL=1``) backfills 100,000 records and takes about half an hour on a
shared two-core machine; the default form, run in CI, backfills 20,000 records of the same mix with
the same five kills.

    RSC_BACKFILL_FULL=1 .venv/bin/pytest tests/e2e/test_backfill_kills.py -s
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from rsc.settings import get_settings
from store.db import get_store
from store.tenants import TenantStatus
from store.uow import OpsUnitOfWork, UnitOfWork
from tests.e2e.historical_data import History, seed_history
from tests.e2e.pipeline import Pipeline
from tests.helpers import create_tenant, v2_resource
from tests.waiting import eventually
from workers.historical_backfill.progress import progress

TENANT = "bigco"
ORG = "urn:li:organization:9100"
CLIENT_ID, SECRET = "bigco-client", "bigco-secret"
FULL = os.environ.get("RSC_BACKFILL_FULL") == "1"
#: 100,000 records (20,000 in the default form). Each application costs a stage call of its own and
#: each note a call on its parent (candidates and jobs go 100 a call), so they are kept few: the run
#: stays within minutes while every phase is crossed.
HISTORY = (
    History(jobs=1_000, candidates=93_000, applications=5_000, notes=1_000)
    if FULL
    else History(jobs=200, candidates=18_600, applications=1_000, notes=200)
)
KILLS = 5
#: What onboarding leaves in the sandbox besides the records (integration names, the callback URL).
ONBOARDING = ("integration", "configuration")
CLOCK_SCALE = "60"
#: Seconds a killed runner's hold on the run and on its batch in flight lasts (30 by default): each
#: kill leaves the run waiting for it, and the sandbox answers within milliseconds here.
WORK_LEASE_S = "10"


@pytest.fixture
def pipeline(tmp_path: Path, postgres_url: str, rabbit: str) -> Iterator[Pipeline]:
    running = Pipeline(
        tmp_path, postgres_url, rabbit, RSC_LINKEDIN_CLOCK_SCALE=CLOCK_SCALE, RSC_WORK_LEASE_S=WORK_LEASE_S
    )
    try:
        running.start_sandbox("--clock-scale", CLOCK_SCALE)
        running.start_ingress()
        running.start_scheduler()
        yield running
        running.assert_no_undeclared_violations()
    finally:
        running.stop()


def done_records() -> int:
    """Records the run is done with, from its cursors (cheap enough to poll while it runs)."""
    with UnitOfWork(TENANT, get_store()) as uow:
        run = uow.backfills.current()
        return uow.backfills.done_records(run) if run is not None else 0


def reached(target: int) -> bool:
    return done_records() >= target


def run_state() -> str | None:
    with UnitOfWork(TENANT, get_store()) as uow:
        run = uow.backfills.current()
        return run.state if run is not None else None


def sandbox_records(pipeline: Pipeline) -> dict[str, tuple[int, int]]:
    """(rows, distinct keys) per kind of record the sandbox holds for the organization."""
    with sqlite3.connect(f"file:{pipeline.workdir / 'sandbox.db'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT kind, COUNT(*), COUNT(DISTINCT parent || '/' || key) FROM records WHERE org = ?"
            " GROUP BY kind",
            (ORG,),
        ).fetchall()
    return {kind: (count, distinct) for kind, count, distinct in rows}


def written(pipeline: Pipeline) -> tuple[Counter[str], int]:
    """Records the sandbox took per resource (successful writes), and the calls it throttled."""
    counters = pipeline.control("GET", "/counters")
    records: Counter[str] = Counter()
    for row in counters["calls"]:
        if row["app"] == CLIENT_ID and row["method"] in ("PUT", "POST") and 200 <= row["status"] < 300:
            records[v2_resource(row["resource"])] += row["records"]
    return records, int(counters["throttled"].get(CLIENT_ID, 0))


#: Minutes on two free cores (each kill also leaves the run to its dead runner's lease for up to
#: ``WORK_LEASE_S``); a loaded machine takes longer.
@pytest.mark.timeout(2400)
def test_five_sigkills_during_a_backfill_leave_every_record_once(pipeline: Pipeline) -> None:
    seed = int(os.environ.get("RSC_TEST_SEED", time.time()))
    dice = random.Random(seed)
    print(f"kill points drawn with seed {seed}")
    create_tenant(TENANT, org=ORG, client_id=CLIENT_ID, client_secret=SECRET, status=TenantStatus.PENDING)
    seed_history(get_store(), TENANT, HISTORY)
    pipeline.control(
        "POST",
        "/apps",
        json={
            "clientId": CLIENT_ID,
            "clientSecret": SECRET,
            "organization": ORG,
            "callbackUrl": f"{pipeline.ingress_url}/webhooks/linkedin/{TENANT}",
            "enabled": False,  # the customer enables it below, after onboarding
        },
    )
    onboarded = pipeline.rsc("tenant", "onboard", TENANT)
    assert onboarded.returncode == 0, onboarded.stdout + onboarded.stderr
    pipeline.start_workers("lifecycle", "integration_lifecycle", threads=2)
    pipeline.start_workers("live", "status_push", threads=4)
    pipeline.start_workers("backfill", "historical_backfill", threads=2)

    # The customer enables the integration in Recruiter.
    pipeline.control(
        "POST", "/integration-status", json={"clientId": CLIENT_ID, "status": "ENABLED", "wait": True}
    )
    eventually(
        lambda: run_state() == "running", timeout=60, what="the verified enablement to start the backfill"
    )

    # Anywhere in the run, and once among the applications (whose batches carry their stages too).
    targets = [dice.randint(HISTORY.records // 50, HISTORY.records * 98 // 100) for _ in range(KILLS - 1)]
    applications_from = HISTORY.jobs + HISTORY.candidates
    targets = sorted([*targets, dice.randint(applications_from, applications_from + HISTORY.applications)])
    for target in targets:
        eventually(partial(reached, target), timeout=1200, interval=0.2, what=f"{target:,} records")
        time.sleep(dice.uniform(0, 0.5))  # anywhere in the batch that follows
        pipeline.kill("backfill")
        pipeline.start_workers("backfill", "historical_backfill", threads=2)
    eventually(lambda: run_state() == "done", timeout=1800, interval=1, what="the backfill to finish")

    held = sandbox_records(pipeline)
    expected = {
        "job": HISTORY.jobs,
        "candidate": HISTORY.candidates,
        "application": HISTORY.applications,
        "applicationStage": HISTORY.stages,
        "candidateNote": HISTORY.notes - HISTORY.notes // 2,
        "applicationNote": HISTORY.notes // 2,
    }
    synced = {kind: rows for kind, rows in held.items() if kind not in ONBOARDING}
    assert synced == {kind: (count, count) for kind, count in expected.items()}

    records, throttled = written(pipeline)
    unique = {
        "simpleJobPostings": HISTORY.jobs,
        "atsCandidates": HISTORY.candidates,
        "atsApplications": HISTORY.applications,
        "atsApplications/stages": HISTORY.stages,
        "atsCandidates/notes": expected["candidateNote"],
        "atsApplications/notes": expected["applicationNote"],
    }
    resent = {resource: records[resource] - count for resource, count in unique.items()}
    print(f"records sent again after {KILLS} kills: {resent}")
    assert all(extra >= 0 for extra in resent.values()), resent
    # One batch is at most 100 records (with up to two stages per application) and a kill hits one.
    primary = sum(extra for resource, extra in resent.items() if not resource.endswith("/stages"))
    assert primary <= KILLS * 100, resent
    assert resent["atsApplications/stages"] <= KILLS * 200, resent
    assert throttled == 0

    with UnitOfWork(TENANT, get_store()) as uow:
        assert uow.outbox.dirty_count() == 0
    with OpsUnitOfWork(get_store()) as ops:
        assert ops.dead_letters.list() == []
    final = progress(UnitOfWork(TENANT, get_store()), settings=get_settings())
    assert final is not None and final.done == HISTORY.records
    assert sum(p.sent for p in final.phases) == HISTORY.records
