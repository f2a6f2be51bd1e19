"""LinkedIn calls per status change when one application changes status in bursts.

    python -m bench.status_push [--seconds 60] [--bursts 10] [--pause 4]

The whole pipeline runs as separate processes (sandbox, scheduler, a status_push worker) on
PostgreSQL and RabbitMQ, with the scheduler's and the outbox's default timing. One application
receives ``ats.application.status_changed`` events:

1. sustained: 10 changes a second for ``seconds`` seconds;
2. isolated bursts: 10 changes within one second, then ``pause`` seconds of quiet, ``bursts`` times.

For each, every change is published, the bench waits until LinkedIn holds the application's whole
stage history, and counts the calls the pipeline made to LinkedIn for it (the record PUT and the
stage PUTs). It also reports how long after the last change LinkedIn had the final stage.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from events.publisher import Publisher
from schemas.catalog import parse_event
from schemas.envelope import Event
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import onboard

ORG = "urn:li:organization:902"
T0 = datetime(2026, 5, 1, tzinfo=UTC)
CHANGES_PER_SECOND = 10


class Application:
    def __init__(self, application_id: str) -> None:
        self.id = application_id
        self.step = 0

    def next_event(self) -> Event:
        at = (T0 + timedelta(milliseconds=self.step)).isoformat()
        status = f"Status {self.step}"
        kind = "created" if self.step == 0 else "status_changed"
        event = parse_event(
            {
                "type": f"ats.application.{kind}.v1",
                "id": f"{self.id}:{self.step}",
                "source": "ats://bench",
                "tenant": "bench",
                "data": {
                    "application_id": self.id,
                    "candidate_id": "C-1",
                    "job_id": "J-1",
                    "status": status,
                    "created_at": T0.isoformat(),
                    "modified_at": at,
                    "revision": self.step,
                    "transition": {
                        "transition_id": f"{self.id}-{self.step}",
                        "status": status,
                        "changed_at": at,
                    },
                },
            }
        )
        self.step += 1
        return event


def _writes(pipeline: Pipeline) -> int:
    counters = pipeline.control("GET", "/counters")
    return sum(
        row["calls"]
        for row in counters["calls"]
        if row["resource"] in ("atsApplications", "atsApplications/stages") and row["method"] == "PUT"
    )


def _stages(pipeline: Pipeline, application_id: str) -> int:
    record: Any = pipeline.http.get(
        f"{pipeline.sandbox_url}/_sandbox/orgs/{ORG}/applications/{application_id}"
    )
    return len(record.json()["stages"]) if record.status_code == 200 else 0


def _run(pipeline: Pipeline, publisher: Publisher, name: str, schedule: list[float]) -> dict[str, float]:
    """Publish one change at each offset of ``schedule`` (seconds); the calls it cost."""
    application = Application(name)
    publisher.publish(application.next_event())
    while _stages(pipeline, name) < 1:
        time.sleep(0.1)
    before = _writes(pipeline)
    start = time.monotonic()
    for offset in schedule:
        time.sleep(max(0.0, start + offset - time.monotonic()))
        publisher.publish(application.next_event())
    last_change = time.monotonic()
    while _stages(pipeline, name) < application.step:
        time.sleep(0.05)
    visible_after = time.monotonic() - last_change
    time.sleep(3)  # nothing else is pending: later calls would be counted too
    calls = _writes(pipeline) - before
    return {
        "changes": len(schedule),
        "calls": calls,
        "per_change": calls / len(schedule),
        "lag": visible_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--bursts", type=int, default=10)
    parser.add_argument("--pause", type=float, default=4.0)
    args = parser.parse_args()

    from bench.harness import bench_pipeline

    with bench_pipeline(RSC_SCHEDULER_TICK_S="1") as pipeline:
        onboard(pipeline, "bench", org=ORG)
        pipeline.start_scheduler()
        pipeline.start_workers("worker", "status_push", processes=1, threads=8)
        publisher = Publisher()
        for kind, data in (
            (
                "job.published",
                {"job_id": "J-1", "title": "Engineer", "description": "Builds", "state": "published"},
            ),
            (
                "candidate.created",
                {"candidate_id": "C-1", "first_name": "Ada", "emails": ["ada@example.com"]},
            ),
        ):
            stamp = {"created_at": T0.isoformat(), "modified_at": T0.isoformat()}
            location = (
                {"location": {"city": "Berlin", "country_code": "DE"}} if kind.startswith("job") else {}
            )
            publisher.publish(
                parse_event(
                    {
                        "type": f"ats.{kind}.v1",
                        "id": kind,
                        "source": "ats://bench",
                        "tenant": "bench",
                        "data": {**data, **stamp, **location},
                    }
                )
            )
        sustained = [i / CHANGES_PER_SECOND for i in range(args.seconds * CHANGES_PER_SECOND)]
        bursts = [
            b * (1 + args.pause) + i / CHANGES_PER_SECOND
            for b in range(args.bursts)
            for i in range(CHANGES_PER_SECOND)
        ]
        results = {
            "sustained 10/s": _run(pipeline, publisher, "A-sustained", sustained),
            f"bursts of 10 in 1 s, {args.pause:g} s apart": _run(pipeline, publisher, "A-bursts", bursts),
        }
    for label, result in results.items():
        print(
            f"{label}: {result['changes']:.0f} changes, {result['calls']:.0f} LinkedIn calls, "
            f"{result['per_change']:.3f} calls per change, final stage on LinkedIn {result['lag']:.1f} s "
            "after the last change"
        )


if __name__ == "__main__":
    main()
