"""Profile export throughput against the bare ceiling, its latency, and batched against one-by-one confirms.

    python -m bench.export_throughput [--events 2000] [--processes 2] [--threads 8] [--database postgresql]
    python -m bench.export_throughput --profile 300 [--profile-out exports.pstats] [--database postgresql]

Measured in one run, on the same services and with the same worker processes and threads:
1. the ceiling: a bare Dramatiq actor committing one one-row transaction per message;
   then the export's floor, the same actor first GETting one export from the sandbox, alone and
   after the integration gate's tenant status read (``bench.ceiling``);
2. the export worker: ``linkedin.export.requested`` events for exports waiting in the sandbox, each
   fetched from LinkedIn (the sandbox, over HTTP) and imported (candidate, application, export record,
   inbox and outbox rows) in one transaction;
3. the export latency: with the workers running, new exports published one by one at half the rate
   of 2., each one's time from publish to the commit of its import (p50, p99);
4. the publisher: one batch with pipelined confirms against one confirm round trip per message.
Queues are filled first and the workers started afterwards; a rate is taken from the first to the
last committed message, so worker start-up is not counted.

``--profile N`` measures instead what one message costs a single worker thread in this process (the
project's broker, middleware and logging at INFO, lines to /dev/null): CPU, SQL statements and log
lines per message for N exports and N ceiling messages, then a cProfile of N more exports (sorted by
cumulative and by own time; ``--profile-out`` keeps the raw stats for ``python -m pstats``).

For a report: ``measure_ceiling``, ``measure_exports`` and ``measure_export_latency`` each take a
running ``bench_pipeline`` and return a ``Rate`` or ``Latency``.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from bench import ceiling
from bench.harness import (
    PYTHON,
    Latency,
    Rate,
    WorkerProfile,
    bench_pipeline,
    gather_statistics,
    measure_latency,
    profile_worker,
    publish_all,
    wait_for,
)
from bench.measurement import epoch
from events.messages import OutgoingMessage, actor_message
from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.ats import JobSnapshot
from schemas.linkedin import ExportRequest, ExportRequested
from store.db import get_store
from store.exports import ExportRecord
from store.tenants import Tenant, TenantStatus
from store.uow import OpsUnitOfWork, UnitOfWork
from tests.e2e.historical_data import History, seed_history
from tests.e2e.pipeline import Pipeline
from workers.profile_export.handlers import CONSUMER

ORG = "urn:li:organization:777"
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-secret"
#: Records of history (jobs, candidates, applications, notes) the bench tenant has before its exports.
HISTORY_RECORDS = 20_000


def _first_to_last(
    count: Callable[[], int], total: int, span: Callable[[], tuple[datetime, datetime]]
) -> tuple[float, float]:
    """When the first of ``total`` writes was, and seconds from it to the last, by the times the
    writes carry (polling a count often enough to time them would load the database it measures)."""
    wait_for(count, total, interval=0.5)
    first, last = span()
    return epoch(first), max(epoch(last) - epoch(first), 1e-9)


def measure_ceiling(
    pipeline: Pipeline,
    events: int,
    processes: int,
    threads: int,
    *,
    fetch: bool = False,
    gate: bool = False,
    first: int = 2_000_000,
) -> Rate:
    """The bare actor's rate; ``fetch``: the export's floor, each message first GETting an export;
    ``gate``: that floor with the integration gate's status read before the GET."""
    ceiling.create_table()
    if fetch:
        requests = prepare_exports(pipeline, events, first=first)
        queue, actor = ceiling.FETCH_QUEUE, ceiling.FETCH_ACTOR
        bodies = [{"id": uuid.uuid4().hex, "request_id": r.data.request_id} for r in requests]
        label = "bare Dramatiq actor, one GET of an export and one one-row commit (an export's floor)"
        if gate:
            bodies = [{**body, "tenant": "bench"} for body in bodies]
            label = "the export's floor with the integration gate's status read before the GET"
    else:
        queue, actor = ceiling.QUEUE, ceiling.ACTOR
        bodies = [{"id": uuid.uuid4().hex, "payload": "x" * 64} for _ in range(events)]
        label = "bare Dramatiq actor, one one-row commit"
    publisher = Publisher(settings=get_settings())
    publisher.publish_messages([actor_message(queue, actor, event=body) for body in bodies])
    name = f"ceiling-{actor}"
    pipeline.start(
        name,
        "-m",
        "dramatiq",
        "bench.ceiling",
        "--queues",
        queue,
        "--processes",
        str(processes),
        "--threads",
        str(threads),
        "--skip-logging",
        program=PYTHON,
        env={"RSC_BENCH_CLIENT_ID": CLIENT_ID, "RSC_BENCH_CLIENT_SECRET": CLIENT_SECRET},
    )
    since, seconds = _first_to_last(ceiling.count_rows, events, ceiling.written_span)
    pipeline.kill(name)
    publisher.close()
    return Rate(label, events - 1, seconds, since)


def _prepare_tenant(pipeline: Pipeline) -> None:
    """The tenant, its published job and its customer app in the sandbox (once per pipeline)."""
    with OpsUnitOfWork(get_store()) as ops:
        if ops.tenants.get("bench") is not None:
            return
        tenant = Tenant(id="bench", org_urn=ORG, client_id=CLIENT_ID)
        tenant.set_client_secret(ops.keyring, CLIENT_SECRET)
        tenant.set_status(TenantStatus.ENABLED, "benchmark tenant, enabled from the start")
        ops.tenants.add(tenant)
        ops.commit()
    now = datetime.now(UTC)
    with UnitOfWork("bench", get_store()) as uow:
        uow.jobs.apply(
            JobSnapshot(job_id="J-1", title="Engineer", state="published", created_at=now, modified_at=now)
        )
        uow.commit()
    # A tenant in use: its history in the store and the planner's statistics gathered, as autovacuum
    # keeps them in production. On an empty store without statistics PostgreSQL plans by default
    # selectivities, and a plan cached while a table is small is kept while the run grows it.
    seed_history(get_store(), "bench", History.of(HISTORY_RECORDS), outbox=False)
    gather_statistics()
    pipeline.control(
        "POST",
        "/apps",
        json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "organization": ORG},
    )


def prepare_exports(pipeline: Pipeline, events: int, first: int = 0) -> list[ExportRequested]:
    """``events`` exports of new members waiting in the sandbox, and the events announcing them."""
    _prepare_tenant(pipeline)
    now = datetime.now(UTC)
    out = []
    for i in range(first, first + events):
        member = {
            "member": f"urn:li:person:b{i:06d}",
            "firstName": f"F{i}",
            "lastName": f"L{i}",
            "location": "Paris, France",
            "currentPositions": [{"companyName": "Acme", "title": "Engineer"}],
        }
        created = pipeline.control(
            "POST",
            "/exports",
            json={
                "clientId": CLIENT_ID,
                "externalJobPostingId": "J-1",
                "candidate": member,
                "push": False,
            },
        )
        request_id = created["requestId"]
        out.append(
            ExportRequested(
                type="linkedin.export.requested.v1",
                id=f"push-{request_id}",
                source="linkedin://rsc/push",
                tenant="bench",
                data=ExportRequest(request_id=request_id, push_id=f"push-{request_id}", notified_at=now),
            )
        )
    return out


def count_exports() -> int:
    from sqlalchemy import func, select

    with UnitOfWork("bench", get_store()) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(ExportRecord)) or 0)


def _export_span() -> tuple[datetime, datetime]:
    from sqlalchemy import func, select

    processed = ExportRecord.processed_at
    with UnitOfWork("bench", get_store()) as uow:
        first, last = uow.session.execute(select(func.min(processed), func.max(processed))).one()
        return first, last


def measure_exports(pipeline: Pipeline, events: int, processes: int, threads: int) -> Rate:
    requests = prepare_exports(pipeline, events)
    publisher = Publisher(settings=get_settings())
    publisher.publish_many(requests)
    publisher.close()
    pipeline.start_workers("exports", "profile_export", processes=processes, threads=threads)
    since, seconds = _first_to_last(count_exports, events, _export_span)
    pipeline.kill("exports")
    return Rate("profile export worker", events - 1, seconds, since)


def measure_export_latency(
    pipeline: Pipeline, events: int, per_second: float, processes: int, threads: int
) -> Latency:
    """Exports published one by one at ``per_second`` to running workers: publish-to-commit times."""
    requests = prepare_exports(pipeline, events + 20, first=1_000_000)
    publisher = Publisher(settings=get_settings())
    pipeline.start_workers("exports-latency", "profile_export", processes=processes, threads=threads)
    # Warm the workers up (connections, tokens, a rate-limit lease) before timing anything.
    measure_latency("warm-up", publisher, requests[:20], 20, tenant="bench", consumer=CONSUMER)
    latency = measure_latency(
        f"profile export at {per_second:.0f}/s",
        publisher,
        requests[20:],
        per_second,
        tenant="bench",
        consumer=CONSUMER,
    )
    pipeline.kill("exports-latency")
    publisher.close()
    return latency


def _publish_ceiling(messages: int) -> Callable[[], int]:
    def publish() -> int:
        publisher = Publisher(settings=get_settings())
        publisher.publish_messages(
            [
                actor_message(
                    ceiling.QUEUE, ceiling.ACTOR, event={"id": uuid.uuid4().hex, "payload": "x" * 64}
                )
                for _ in range(messages)
            ]
        )
        publisher.close()
        return messages

    return publish


def use_pipeline_broker() -> None:
    """Install a broker on this pipeline's vhost in this process and declare the actors on it.

    ``bench.ceiling`` installed one when it was imported, before the pipeline's settings existed.
    """
    import dramatiq

    import workers.runtime.broker

    workers.runtime.broker.broker = workers.runtime.broker.create_broker()
    dramatiq.set_broker(workers.runtime.broker.broker)
    workers.runtime.broker.broker.declare_actor(ceiling.commit_one_row)
    import workers.actors  # declares the actors on it


def profile_exports(pipeline: Pipeline, events: int, *, out: str | None = None) -> list[WorkerProfile]:
    """CPU, statements and log lines per message of the export worker and of the ceiling, one worker
    thread in this process; then a cProfile of ``events`` more exports (printed, and kept in ``out``)."""
    use_pipeline_broker()
    ceiling.create_table()
    first = 2_000_000
    warm = prepare_exports(pipeline, 20, first=first)
    profile_worker("warm-up", "profile_export", publish_all(warm), count_exports)
    profile_worker("warm-up", ceiling.QUEUE, _publish_ceiling(20), ceiling.count_rows)
    results = [
        profile_worker(
            "bare Dramatiq actor, one one-row commit",
            ceiling.QUEUE,
            _publish_ceiling(events),
            ceiling.count_rows,
        ),
        profile_worker(
            "profile export",
            "profile_export",
            publish_all(prepare_exports(pipeline, events, first=first + 20)),
            count_exports,
        ),
    ]
    profiled = profile_worker(
        "profile export (profiled)",
        "profile_export",
        publish_all(prepare_exports(pipeline, events, first=first + 20 + events)),
        count_exports,
        profile=True,
    )
    profiled.print_profile(lines=60, out=out)
    return [*results, profiled]


def measure_publisher(messages: int) -> tuple[Rate, Rate]:
    publisher = Publisher(settings=get_settings())
    batch = [OutgoingMessage("bench_publish", uuid.uuid4().hex, b'{"n":1}') for _ in range(messages)]
    started = time.monotonic()
    publisher.publish_messages(batch)
    batched = Rate("publish, one batch, pipelined confirms", messages, time.monotonic() - started)
    single_count = max(messages // 5, 200)
    started = time.monotonic()
    for message in batch[:single_count]:
        publisher.publish_messages([message])
    single = Rate("publish, one confirm round trip per message", single_count, time.monotonic() - started)
    publisher.close()
    return batched, single


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--latency-events", type=int, default=1000)
    parser.add_argument("--profile", type=int, metavar="N", help="profile N exports in one thread instead")
    parser.add_argument("--profile-out", help="where --profile keeps its raw cProfile stats")
    args = parser.parse_args()
    if args.profile:
        with bench_pipeline(args.database) as pipeline:
            results = profile_exports(pipeline, args.profile, out=args.profile_out)
        for result in results:
            print(result.summary())
        return
    env = {"RSC_LOG_LEVEL": "WARNING"}
    with bench_pipeline(args.database, **env) as pipeline:
        ceiling_rate = measure_ceiling(pipeline, args.events, args.processes, args.threads)
        floor = measure_ceiling(pipeline, args.events, args.processes, args.threads, fetch=True)
        gated = measure_ceiling(
            pipeline, args.events, args.processes, args.threads, fetch=True, gate=True, first=3_000_000
        )
        exports = measure_exports(pipeline, args.events, args.processes, args.threads)
        latency = measure_export_latency(
            pipeline, args.latency_events, exports.per_second / 2, args.processes, args.threads
        )
        batched, single = measure_publisher(max(args.events * 5, 5000))
    print(f"## Profile export, {args.database}, {args.processes} processes x {args.threads} threads\n")
    print("| measurement | events | seconds | events/s | ratio |")
    print("|---|---:|---:|---:|---:|")
    for rate in (ceiling_rate, floor, gated, exports):
        ratio = "1.00" if rate is ceiling_rate else f"{rate.ratio_to(ceiling_rate):.2f} of the ceiling"
        print(f"| {rate.label} | {rate.events} | {rate.seconds:.2f} | {rate.per_second:.0f} | {ratio} |")
    print(
        f"\nLatency, publish to commit, {len(latency.seconds)} exports published at {latency.offered:.0f}/s "
        f"(half the measured rate): p50 {latency.p50_ms:.0f} ms, p99 {latency.p99_ms:.0f} ms\n"
    )
    print("| measurement | events | seconds | events/s | ratio |")
    print("|---|---:|---:|---:|---:|")
    print(f"| {single.label} | {single.events} | {single.seconds:.2f} | {single.per_second:.0f} | 1.00 |")
    print(
        f"| {batched.label} | {batched.events} | {batched.seconds:.2f} | {batched.per_second:.0f} | "
        f"{batched.ratio_to(single):.1f}x one-by-one |"
    )


if __name__ == "__main__":
    main()
