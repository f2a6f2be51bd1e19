"""Two schedulers against PostgreSQL: one leads, the other stands by and leads within 10 s of the
leader's SIGKILL, without asking twice for work that is held."""

from __future__ import annotations

import time
from pathlib import Path

from store.backfill import BackfillKind
from store.db import get_store
from store.scheduler_leases import holder_of
from store.uow import UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.helpers import create_tenant, drain, queue_depth
from tests.infra import free_port
from tests.waiting import eventually

#: The lease and standby poll the failover has to live with (the settings' defaults).
LEASE_S, POLL_S = "5", "2"


def leader_pid(url: str) -> int | None:
    with get_store(url).session(None) as session:
        held = holder_of(session)
    return int(held[0].split("-")[-2]) if held is not None else None


def test_the_standby_scheduler_leads_within_ten_seconds_of_the_leaders_sigkill_and_asks_nothing_twice(
    tmp_path: Path, postgres_url: str, rabbit: str
) -> None:
    create_tenant("acme")
    with UnitOfWork(
        "acme", get_store()
    ) as uow:  # a backfill run nobody works on: the leader asks for a runner
        uow.backfills.start(BackfillKind.SYNC, ["job"], reason="test")
        uow.commit()
    drain(rabbit, "historical_backfill")
    pipeline = Pipeline(
        tmp_path, postgres_url, rabbit, RSC_SCHEDULER_LEASE_S=LEASE_S, RSC_SCHEDULER_STANDBY_POLL_S=POLL_S
    )
    try:
        first = pipeline.start("scheduler-a", "scheduler", env={"RSC_METRICS_PORT": str(free_port())})
        eventually(lambda: leader_pid(postgres_url) == first.pid, timeout=30, what="the first to lead")
        second = pipeline.start("scheduler-b", "scheduler", env={"RSC_METRICS_PORT": str(free_port())})
        standby_log = pipeline.logs / "scheduler-b.log"
        eventually(lambda: "scheduler started" in standby_log.read_text(), timeout=30, what="the standby")
        eventually(
            lambda: queue_depth(rabbit, "historical_backfill") == 1, timeout=30, what="a runner request"
        )
        time.sleep(float(POLL_S) * 2)  # the standby polls a few times meanwhile
        assert leader_pid(postgres_url) == first.pid
        assert "scheduler leads" not in standby_log.read_text()

        pipeline.kill("scheduler-a")
        killed_at = time.monotonic()
        eventually(lambda: leader_pid(postgres_url) == second.pid, timeout=15, what="the standby to lead")
        took = time.monotonic() - killed_at
        assert took < 10, f"the standby took {took:.1f}s to lead"
        eventually(lambda: "scheduler leads" in standby_log.read_text(), timeout=5, what="its log line")
        time.sleep(3)  # a few ticks of the new leader
        # The runner request the first leader queued holds: the new leader does not ask again.
        assert queue_depth(rabbit, "historical_backfill") == 1
    finally:
        pipeline.stop()
