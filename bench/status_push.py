"""Status push: throughput and latency against the bare ceiling, and LinkedIn calls per status change.

    python -m bench.status_push --throughput [--events 2000] [--processes 2] [--threads 8]
    python -m bench.status_push [--seconds 60] [--bursts 10] [--pause 4]
    python -m bench.status_push --profile 300 [--profile-out status.pstats]

``--throughput`` measures in one run, with the same worker processes and threads: the ceiling (a
bare Dramatiq actor committing one one-row transaction per message, ``bench.export_throughput``);
``ats.application.status_changed`` events for 200 applications (10 each, in order) stored by the
``status_push`` workers, from the first commit to the last; how long after that LinkedIn held every
stage (the scheduler's outbox sweeps push them, batched); and, with the workers running, the
publish-to-commit latency of more changes published one by one at half the measured rate. For a
report: ``measure_status_push`` returns (``Rate`` stored, seconds until all on LinkedIn),
``measure_status_latency`` a ``Latency``; both take a running ``bench_pipeline``.

``--profile N``: what one status change costs a single worker thread in this process (CPU, SQL
statements and log lines per message), then a cProfile of N more.

Without ``--throughput``, calls per change when one application changes status in bursts:

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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bench.harness import (
    Latency,
    Rate,
    WorkerProfile,
    bench_pipeline,
    inbox_times,
    measure_latency,
    profile_worker,
    publish_all,
    wait_for,
)
from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.catalog import parse_event
from schemas.envelope import Event
from store.applications import ApplicationStage
from store.db import get_store
from store.inbox import InboxEntry
from store.uow import UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import onboard
from workers.status_push.ats_records import CONSUMER

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


THROUGHPUT_TENANT = "bench-status"
THROUGHPUT_ORG = "urn:li:organization:903"


def _status_event(application_id: str, step: int) -> Event:
    at = (T0 + timedelta(milliseconds=step)).isoformat()
    return parse_event(
        {
            "type": f"ats.application.{'created' if step == 0 else 'status_changed'}.v1",
            "id": f"{application_id}:{step}",
            "source": "ats://bench",
            "tenant": THROUGHPUT_TENANT,
            "data": {
                "application_id": application_id,
                "candidate_id": "C-1",
                "job_id": "J-1",
                "status": f"Status {step}",
                "created_at": T0.isoformat(),
                "modified_at": at,
                "revision": step,
                "transition": {
                    "transition_id": f"{application_id}-{step}",
                    "status": f"Status {step}",
                    "changed_at": at,
                },
            },
        }
    )


def _setup_events(applications: list[str]) -> list[Event]:
    stamp = {"created_at": T0.isoformat(), "modified_at": T0.isoformat()}
    common = {"source": "ats://bench", "tenant": THROUGHPUT_TENANT}
    job = {"job_id": "J-1", "title": "Engineer", "description": "Builds", "state": "published"}
    return [
        parse_event(
            {
                "type": "ats.job.published.v1",
                "id": "job",
                **common,
                "data": {**job, **stamp, "location": {"city": "Berlin", "country_code": "DE"}},
            }
        ),
        parse_event(
            {
                "type": "ats.candidate.created.v1",
                "id": "candidate",
                **common,
                "data": {"candidate_id": "C-1", "first_name": "Ada", "emails": ["ada@example.com"], **stamp},
            }
        ),
        *(_status_event(a, 0) for a in applications),
    ]


def _stages_synced() -> int:
    with UnitOfWork(THROUGHPUT_TENANT, get_store()) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(ApplicationStage)
                .where(ApplicationStage.synced_at.is_not(None))
            )
            or 0
        )


def measure_status_push(
    pipeline: Pipeline, events: int, processes: int, threads: int, *, per_application: int = 10
) -> tuple[Rate, float]:
    """``events`` status changes (``per_application`` to each application, in order) stored by the
    ``status_push`` workers: the rate from the first commit to the last, and the seconds from the
    last commit until LinkedIn held every stage (the outbox sweeps, with the scheduler running)."""
    onboard(pipeline, THROUGHPUT_TENANT, org=THROUGHPUT_ORG)
    applications = [f"A-{n:05d}" for n in range(max(1, events // per_application))]
    publisher = Publisher(settings=get_settings())
    pipeline.start_scheduler()
    pipeline.start_workers("status", "status_push", processes=processes, threads=threads)
    setup = _setup_events(applications)
    publisher.publish_many(setup)
    wait_for(_stages_synced, len(applications), interval=0.5)
    pipeline.kill("status")
    changes = [_status_event(a, step) for step in range(1, per_application + 1) for a in applications]
    publisher.publish_many(changes)
    ids = {event.id for event in changes}

    def stored() -> int:
        return sum(1 for key in inbox_times(THROUGHPUT_TENANT, CONSUMER) if key in ids)

    pipeline.start_workers("status", "status_push", processes=processes, threads=threads)
    wait_for(stored, len(changes), interval=0.5)
    times = sorted(at for key, at in inbox_times(THROUGHPUT_TENANT, CONSUMER).items() if key in ids)
    synced = wait_for(_stages_synced, len(applications) * (per_application + 1), interval=0.2)
    publisher.close()
    rate = Rate("status push worker (stored, outbox marked)", len(times) - 1, max(times[-1] - times[0], 1e-9))
    epoch_minus_monotonic = time.time() - time.monotonic()
    return rate, max(0.0, synced + epoch_minus_monotonic - times[-1])


def measure_status_latency(pipeline: Pipeline, events: int, per_second: float) -> Latency:
    """More status changes published one by one at ``per_second`` to the running workers of
    ``measure_status_push``: publish-to-commit times."""
    applications = [f"L-{n:05d}" for n in range(max(1, events // 10))]
    publisher = Publisher(settings=get_settings())
    setup = [_status_event(a, 0) for a in applications]
    publisher.publish_many(setup)
    # The applications are stored before timing starts: their backlog is not the changes' latency.
    ids = {event.id for event in setup}
    wait_for(lambda: len(ids & inbox_times(THROUGHPUT_TENANT, CONSUMER).keys()), len(ids), interval=0.1)
    changes = [_status_event(a, step) for step in range(1, 11) for a in applications]
    latency = measure_latency(
        f"status change at {per_second:.0f}/s",
        publisher,
        changes,
        per_second,
        tenant=THROUGHPUT_TENANT,
        consumer=CONSUMER,
    )
    publisher.close()
    return latency


def _stored_changes() -> int:
    with UnitOfWork(THROUGHPUT_TENANT, get_store()) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(InboxEntry).where(InboxEntry.consumer == CONSUMER)
            )
            or 0
        )


def profile_status_changes(pipeline: Pipeline, events: int, *, out: str | None = None) -> list[WorkerProfile]:
    """CPU, statements and log lines per status change, one worker thread in this process (as
    ``bench.export_throughput --profile``), then a cProfile of ``events`` more."""
    from bench.export_throughput import use_pipeline_broker

    use_pipeline_broker()
    onboard(pipeline, THROUGHPUT_TENANT, org=THROUGHPUT_ORG)
    applications = [f"P-{n:05d}" for n in range(max(1, events // 10))]

    def changes(steps: range) -> Callable[[], int]:
        return publish_all([_status_event(a, step) for step in steps for a in applications])

    profile_worker("warm-up", "status_push", publish_all(_setup_events(applications)), _stored_changes)
    measured = profile_worker("status change", "status_push", changes(range(1, 11)), _stored_changes)
    profiled = profile_worker(
        "status change (profiled)", "status_push", changes(range(11, 21)), _stored_changes, profile=True
    )
    profiled.print_profile(lines=40, out=out)
    return [measured, profiled]


def throughput(events: int, processes: int, threads: int) -> None:
    from bench.export_throughput import measure_ceiling

    with bench_pipeline(RSC_LOG_LEVEL="WARNING") as pipeline:
        floor = measure_ceiling(pipeline, events, processes, threads)
        stored, to_linkedin = measure_status_push(pipeline, events, processes, threads)
        latency = measure_status_latency(pipeline, events // 2, stored.per_second / 2)
    print(f"## Status push, postgresql, {processes} processes x {threads} threads\n")
    print("| measurement | events | seconds | events/s | ratio |")
    print("|---|---:|---:|---:|---:|")
    print(f"| {floor.label} | {floor.events} | {floor.seconds:.2f} | {floor.per_second:.0f} | 1.00 |")
    print(
        f"| {stored.label} | {stored.events} | {stored.seconds:.2f} | {stored.per_second:.0f} | "
        f"{stored.ratio_to(floor):.2f} of the ceiling |"
    )
    print(f"\nEvery stage on LinkedIn {to_linkedin:.1f} s after the last change was stored.")
    print(
        f"Latency, publish to commit, {len(latency.seconds)} changes published at {latency.offered:.0f}/s "
        f"(half the measured rate): p50 {latency.p50_ms:.0f} ms, p99 {latency.p99_ms:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--bursts", type=int, default=10)
    parser.add_argument("--pause", type=float, default=4.0)
    parser.add_argument("--throughput", action="store_true")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--profile", type=int, metavar="N", help="profile N status changes in one thread")
    parser.add_argument("--profile-out", help="where --profile keeps its raw cProfile stats")
    args = parser.parse_args()
    if args.profile:
        with bench_pipeline() as pipeline:
            profiles = profile_status_changes(pipeline, args.profile, out=args.profile_out)
        for profile in profiles:
            print(profile.summary())
        return
    if args.throughput:
        throughput(args.events, args.processes, args.threads)
        return

    with bench_pipeline(RSC_SCHEDULER_TICK_S="1") as pipeline:
        onboard(pipeline, "bench", org=ORG)
        pipeline.start_scheduler()
        pipeline.start_workers("worker", "status_push", processes=1, threads=8)
        publisher = Publisher(settings=get_settings())
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
