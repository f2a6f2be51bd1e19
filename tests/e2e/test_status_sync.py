"""The ATS -> LinkedIn sync end to end: jobs, candidates and applications with 10 status changes
each, published shuffled with 10% duplicates, through RabbitMQ, worker processes, PostgreSQL and the
scheduler to the sandbox process. At the end LinkedIn holds exactly the ATS's final state with every
stage history complete and in order (20 jobs, 200 candidates, 500 applications: 5,500 events); and
again, twice that size (11,000 events), with a fifth of LinkedIn's answers 5xx or 429 and its real
10,000 records a minute on a 40 s minute, never exceeded. The run without faults shares every path
with the one with them, which is the larger: half its size saves the suite 40 s of a pipeline slot.

A tenant's calls go one after another (reference §4), about one an application for its stages, so
this test's time grows with the applications and the faults' Retry-After waits: 1,000 applications
take about 2 minutes with the faults. The limit at saturation (the pipeline offering more than
10,000 records a minute) is measured by ``bench.linkedin_rate`` and tested on the limiter itself
(``tests/linkedin/test_ratelimit.py``)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from events.publisher import Publisher
from rsc.settings import get_settings
from store.db import get_store
from store.inbox import InboxEntry
from store.uow import UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import dead_letters, onboard
from tests.e2e.status_scenario import AtsHistory, build_history, differences
from tests.helpers import ORG, queue_depth
from tests.waiting import eventually
from workers.status_push.ats_records import CONSUMER


def history_of(*, seed: int, applications: int = 1000) -> AtsHistory:
    """40 jobs, 400 candidates and 1,000 applications (11,000 events), or the same per application."""
    return build_history(
        jobs=applications // 25, candidates=applications * 2 // 5, applications=applications, seed=seed
    )


def run(tmp_path: Path, postgres_url: str, rabbit: str, *, clock_scale: float) -> Iterator[Pipeline]:
    pipeline = Pipeline(tmp_path, postgres_url, rabbit, RSC_LINKEDIN_CLOCK_SCALE=str(clock_scale))
    try:
        pipeline.start_sandbox("--clock-scale", str(clock_scale))
        pipeline.start_ingress()
        pipeline.start_scheduler()
        onboard(pipeline, "acme", org=ORG)
        pipeline.start_workers("worker", "status_push", processes=2, threads=8)
        yield pipeline
        pipeline.assert_no_undeclared_violations()
    finally:
        pipeline.stop()


def publish_and_wait(pipeline: Pipeline, rabbit: str, history: AtsHistory) -> dict[str, list[dict[str, Any]]]:
    started = time.monotonic()
    Publisher(rabbit, settings=get_settings()).publish_many(history.events)
    unique = len(history.events) - history.duplicates
    eventually(lambda: _consumed() == unique, timeout=1500, interval=2, what=f"{unique} events consumed")
    eventually(lambda: _in_sync(rabbit), timeout=1500, interval=2, what="the outbox to drain")
    remote = {
        r: pipeline.control("GET", f"/orgs/{ORG}/{r}")[r] for r in ("jobs", "candidates", "applications")
    }
    print(f"scenario done in {time.monotonic() - started:.0f}s")
    return remote


def _consumed() -> int:
    with UnitOfWork("acme", get_store()) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(InboxEntry).where(InboxEntry.consumer == CONSUMER)
            )
            or 0
        )


def _in_sync(rabbit: str) -> bool:
    with UnitOfWork("acme", get_store()) as uow:
        dirty = uow.outbox.dirty_count()
    return dirty == 0 and queue_depth(rabbit, "status_push") == 0


def _statuses(counters: dict[str, Any]) -> Counter[int]:
    statuses: Counter[int] = Counter()
    for row in counters["calls"]:
        if row["app"] == "acme-client":
            statuses[row["status"]] += row["calls"]
    return statuses


@pytest.mark.timeout(1800)
def test_linkedin_ends_with_the_ats_final_state_and_every_stage_history(
    tmp_path: Path, postgres_url: str, rabbit: str
) -> None:
    history = history_of(seed=1, applications=500)
    for pipeline in run(tmp_path, postgres_url, rabbit, clock_scale=30):
        remote = publish_and_wait(pipeline, rabbit, history)
        problems = differences(history, remote)
        assert problems == [], problems[:10]
        assert len(remote["applications"]) == 500
        assert sum(len(a["stages"]) for a in remote["applications"]) == 500 * 11
        assert dead_letters() == {}
        statuses = _statuses(pipeline.control("GET", "/counters"))
        assert {s for s in statuses if s >= 400} == set(), statuses


@pytest.mark.timeout(1800)
def test_with_a_fifth_of_answers_failing_and_the_real_limit_nothing_is_lost_and_the_limit_holds(
    tmp_path: Path, postgres_url: str, rabbit: str
) -> None:
    history = history_of(seed=2)
    for pipeline in run(tmp_path, postgres_url, rabbit, clock_scale=1.5):
        pipeline.control(
            "PUT",
            "/faults",
            # A fifth of the answers fail: 15 % with a 5xx and 5 % with a 429 whose one-second
            # Retry-After holds the tenant's next call (its calls go one after another): at 10 % the
            # 429s alone cost about 150 of the test's 190 seconds.
            json={"error_rate": 0.15, "throttle_rate": 0.05, "throttle_retry_after_s": 1},
        )
        remote = publish_and_wait(pipeline, rabbit, history)
        problems = differences(history, remote)
        assert problems == [], problems[:10]
        assert sum(len(a["stages"]) for a in remote["applications"]) == 1000 * 11
        assert dead_letters() == {}
        counters = pipeline.control("GET", "/counters")
        statuses = _statuses(counters)
        # The faults were there, LinkedIn never refused a request as invalid, and its limit was
        # never reached: no 429 of its own, never more than 10,000 records in one of its minutes.
        assert statuses[500] + statuses[503] > 100 and statuses[429] > 30, statuses
        assert {s for s in statuses if 400 <= s < 500 and s != 429} == set(), statuses
        assert counters["throttled"].get("acme-client", 0) == 0
        assert 0 < counters["max_records_per_window"]["acme-client"] <= 10_000
        print(f"most records in one LinkedIn minute: {counters['max_records_per_window']['acme-client']}")
        print(f"LinkedIn's answers by status: {dict(sorted(statuses.items()))}")
