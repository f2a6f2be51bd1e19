"""Tenant isolation on a feature queue: one tenant's unmarked flood beside another tenant's trickle.

    python -m bench.isolation [--flood 20000] [--threads 8] [--b-seconds 20] [--split] [--bulk-threads N]
        [--backfill N]

One ``status_push`` worker group (1 process x 8 threads, as the Procfile runs it) on a fresh
PostgreSQL database and RabbitMQ vhost; with ``--split``, two groups of 1 process x 8 threads, one for
the queue's normal lane and one for its bulk lane (``rsc worker --lanes normal|bulk``). Tenant A
publishes ``ats.candidate.created`` events all at once, unmarked (the publisher's burst budget sends
what is over it to the bulk lane); tenant B publishes one every 0.25 s. The phases, in one run:

1. **B alone**: B's publish-to-stored latency (the inbox row's ``processed_at``, written in the
   transaction that stores the candidate) for ``--b-seconds``;
2. **A alone, before**: A's flood, its drain rate from the first candidate stored to the last;
3. **A's flood beside B**: A floods again and B publishes from right after A's publish returned
   until A's flood is stored: B's latency during the flood and A's drain rate;
4. **A alone, after**: A floods a third time, alone;
5. with ``--backfill N``, **A's backfill beside B**: N records of A's history written into the store
   and sent to the sandbox by ``rsc backfill start`` while B publishes (for 120 s, or until the run
   is done): B's latency during the backfill.

A's rate beside B is compared with the mean of its two rates alone, the floods on either side of it,
so what drifts during a run (the store, every tenant's, growing by a flood each time; the machine's
other load) weighs on both sides alike. Each flood comes from a fresh tenant, onboarded and warmed up
alike (A1, A2, A3), so each lands on a tenant holding only its warm-up; the store is vacuumed and
analyzed before each, and the result keeps what each started from (``bench.isolation_tenants``). The
backfill is a tenant's of its own (A4), its history only.

Targets (docs/architecture.md, "Fair sharing"): B's p99 during the flood at most twice its p99
alone and under 100 ms; A drains beside B at 90 % or more of its rate alone.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from bench.isolation_tenants import (
    B_INTERVAL_S,
    BACKFILLS,
    FLOODS_AFTER,
    FLOODS_BEFORE,
    FLOODS_BESIDE,
    QUIET,
    FloodStart,
    Trickle,
    candidate,
    flood_start,
    onboard,
    publish_flood,
)
from bench.measurement import Measurement, inbox_times, rate_between, wait_counted
from deploy.sources import worker_groups
from events.publisher import Publisher
from rsc.settings import WorkerLanes, get_settings
from store.db import get_store
from tests.e2e.pipeline import Pipeline

#: The inbox consumers measured, each the name of its feature queue: the candidate's store
#: (``workers.status_push.ats_records``) and its match, which follows the store
#: (``workers.profile_matching.matching``).
CONSUMERS = ("status_push", "profile_match")


@dataclass
class QueueIsolation:
    """The measurements on one feature queue: B's latency and A's rate, alone and together."""

    queue: str
    b_alone: Measurement
    #: A's floods alone, on either side of its flood beside B.
    a_before: Measurement
    a_beside: Measurement
    a_after: Measurement
    b_beside: Measurement
    #: B's latency while A's historical backfill runs (none when not measured).
    b_backfill: Measurement | None = None

    @property
    def b_p99_ratio(self) -> float:
        return self.b_beside.p99_ms / self.b_alone.p99_ms

    @property
    def a_alone_per_second(self) -> float:
        """A's rate alone: the mean of its floods alone before and after its flood beside B."""
        return (self.a_before.per_second + self.a_after.per_second) / 2

    @property
    def a_rate_ratio(self) -> float:
        return self.a_beside.per_second / self.a_alone_per_second


@dataclass
class Isolation:
    flood: int
    threads: int
    split: bool
    #: Threads of each bulk-lane group (``split``); the normal lanes' groups have ``threads``.
    bulk_threads: int
    queues: list[QueueIsolation]
    #: What each of A's floods started from, in their order: alone, beside B, alone again.
    flood_starts: list[FloodStart]
    #: Records of A's backfill (0: not measured) and how many it sent while B was measured.
    backfill: int = 0
    backfill_sent: int = 0


def _stored(tenant: str, keys: set[str], consumer: str) -> dict[str, float]:
    done = inbox_times(tenant, consumer)
    return {key: done[key] for key in keys if key in done}


def _wait_handled(tenant: str, keys: set[str], what: str) -> None:
    """Until each consumer measured has handled every one of ``keys`` (events of one phase). While it
    waits it only counts, so the bench's own polling does not slow B's publishes (its thread shares
    this process) or the database while B is measured; the rows are read once, at the end."""
    for consumer in CONSUMERS:
        wait_counted(tenant, consumer, keys, timeout=3600, interval=0.5, what=f"{what} ({consumer})")


def _wait_stored(tenant: str, keys: set[str], what: str) -> dict[str, dict[str, float]]:
    """When each of ``keys`` was handled, by each consumer measured, once all of them were."""
    _wait_handled(tenant, keys, what)
    done = {consumer: _stored(tenant, keys, consumer) for consumer in CONSUMERS}
    for consumer, at in done.items():
        if len(at) != len(keys):
            raise RuntimeError(f"{what} ({consumer}): {len(at)} of {len(keys)} counted events were read back")
    return done


def _b_latency(label: str, published: dict[str, float]) -> dict[str, Measurement]:
    done = _wait_stored(QUIET, set(published), f"{label}: B's events")
    span = max(published.values()) - min(published.values())
    return {
        consumer: Measurement(
            label, len(published), span, [max(0.0, at[key] - published[key]) for key in published]
        )
        for consumer, at in done.items()
    }


def _a_rate(label: str, tenant: str, keys: set[str]) -> dict[str, Measurement]:
    done = _wait_stored(tenant, keys, f"{label}: A's flood")
    rates = {consumer: rate_between(at.values()) for consumer, at in done.items()}
    return {consumer: Measurement(label, *rate, unit="candidates") for consumer, rate in rates.items()}


def _start_groups(pipeline: Pipeline, threads: int, split: bool, bulk_threads: int) -> list[str]:
    """Each measured queue's worker groups: one of both lanes, or one per lane (``split``)."""
    names = []
    for queue in CONSUMERS:
        for lanes in ("normal", "bulk") if split else ("all",):
            names.append(f"isolation-{queue}-{lanes}")
            size = bulk_threads if lanes == "bulk" else threads
            pipeline.start_workers(names[-1], queue, processes=1, threads=size, lanes=lanes)
    return names


def _backfill_beside_b(
    pipeline: Pipeline, publisher: Publisher, records: int, seconds: float
) -> tuple[dict[str, Measurement], int]:
    """A's historical backfill of ``records`` records (the history of a tenant of its own, written
    straight into the store, then ``rsc backfill start``) while B publishes, for ``seconds`` or until
    the run is done: B's latency then, and the records the run sent meanwhile."""
    from store.uow import UnitOfWork
    from tests.e2e.historical_data import History, seed_history

    def run_done() -> tuple[bool, int]:
        with UnitOfWork(BACKFILLS, get_store()) as uow:
            run = uow.backfills.current()
            return (run is not None and run.state != "running", uow.backfills.done_records(run) if run else 0)

    seed_history(get_store(), BACKFILLS, History.of(records))
    pipeline.start_workers("isolation-backfill", "historical_backfill", processes=1, threads=4)
    started = pipeline.rsc("backfill", "start", "--tenant", BACKFILLS)
    if started.returncode != 0:
        raise RuntimeError(f"rsc backfill start failed: {started.stdout}{started.stderr}")
    trickle = Trickle(publisher, "B3").start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not run_done()[0]:
        time.sleep(0.5)
    published = trickle.stop()
    sent = run_done()[1]
    pipeline.kill("isolation-backfill")
    return _b_latency("tenant B during A's backfill", published), sent


def _flood_alone(publisher: Publisher, tenant: str, flood: int, label: str) -> dict[str, Measurement]:
    return _a_rate(label, tenant, publish_flood(publisher, tenant, flood))


def shipped_bulk_threads() -> int:
    """Threads of the bulk-lane groups the Procfile (and ``deploy/``) ships for the measured queues."""
    return max(g.threads for g in worker_groups() if g.queue in CONSUMERS and g.lanes is WorkerLanes.BULK)


def measure_isolation(
    pipeline: Pipeline,
    flood: int,
    *,
    threads: int = 8,
    b_seconds: float = 20.0,
    split: bool = False,
    bulk_threads: int | None = None,
    backfill: int = 0,
    backfill_seconds: float = 120.0,
) -> Isolation:
    """The phases on ``pipeline``'s services (its workers are started here)."""
    floods = (FLOODS_BEFORE, FLOODS_BESIDE, FLOODS_AFTER)
    onboard(pipeline, (*floods, QUIET, BACKFILLS))
    bulk = bulk_threads or (shipped_bulk_threads() if split else threads)
    groups = _start_groups(pipeline, threads, split, bulk)
    a_publisher, b_publisher = Publisher(settings=get_settings()), Publisher(settings=get_settings())
    try:
        # Warm-up: connections, prepared statements and the tenants' caches in every thread. A's
        # tenants then stay quiet until their floods: each floods with its burst budget full.
        for tenant, publisher in [*((a, a_publisher) for a in floods), (QUIET, b_publisher)]:
            warm = [candidate(tenant, f"W-{n}") for n in range(2 * threads)]
            publisher.publish_many(warm)
            _wait_stored(tenant, {e.id for e in warm}, "warm-up")
        trickle = Trickle(b_publisher, "B1").start()
        time.sleep(b_seconds)
        b_alone = _b_latency("tenant B alone", trickle.stop())
        starts = [flood_start(FLOODS_BEFORE)]
        a_before = _flood_alone(a_publisher, FLOODS_BEFORE, flood, "tenant A's flood alone, before (A1)")
        starts.append(flood_start(FLOODS_BESIDE))
        keys = publish_flood(a_publisher, FLOODS_BESIDE, flood)
        trickle = Trickle(b_publisher, "B2").start()
        _wait_handled(FLOODS_BESIDE, keys, "tenant A's flood beside B (A2)")
        b_published = trickle.stop()
        a_beside = _a_rate("tenant A's flood beside B (A2)", FLOODS_BESIDE, keys)
        b_beside = _b_latency("tenant B during A's flood", b_published)
        starts.append(flood_start(FLOODS_AFTER))
        a_after = _flood_alone(a_publisher, FLOODS_AFTER, flood, "tenant A's flood alone, after (A3)")
        b_backfill: dict[str, Measurement | None] = dict.fromkeys(CONSUMERS)
        sent = 0
        if backfill:
            during, sent = _backfill_beside_b(pipeline, b_publisher, backfill, backfill_seconds)
            b_backfill.update(during)
    finally:
        a_publisher.close()
        b_publisher.close()
        for name in groups:
            pipeline.kill(name)
    measured = [
        QueueIsolation(
            queue,
            b_alone[queue],
            a_before[queue],
            a_beside[queue],
            a_after[queue],
            b_beside[queue],
            b_backfill[queue],
        )
        for queue in CONSUMERS
    ]
    return Isolation(flood, threads, split, bulk, measured, starts, backfill, sent)


def run(
    flood: int,
    *,
    threads: int = 8,
    b_seconds: float = 20.0,
    split: bool = False,
    bulk_threads: int | None = None,
    backfill: int = 0,
    backfill_seconds: float = 120.0,
    **env: str,
) -> Isolation:
    """The measurement on a fresh PostgreSQL database and RabbitMQ vhost; ``env``: more settings of
    the pipeline's processes."""
    from bench.harness import bench_pipeline

    with bench_pipeline("postgresql", RSC_LOG_LEVEL="WARNING", **env) as pipeline:
        return measure_isolation(
            pipeline,
            flood,
            threads=threads,
            b_seconds=b_seconds,
            split=split,
            bulk_threads=bulk_threads,
            backfill=backfill,
            backfill_seconds=backfill_seconds,
        )


def lines(result: Isolation) -> list[str]:
    """The report's section (markdown)."""
    layout = (
        f"Two worker groups per queue, one per lane (1 process each): `--lanes normal` with "
        f"{result.threads} threads, `--lanes bulk` with {result.bulk_threads}."
        if result.split
        else f"One worker group per queue of 1 process x {result.threads} threads, both lanes."
    )
    out = [
        "## Tenant isolation (`bench.isolation`, PostgreSQL)",
        "",
        f"{layout} Tenant A publishes {result.flood:,} `ats.candidate.created` at once, unmarked; tenant "
        f"B one every {B_INTERVAL_S:g} s. Latency: publish to the candidate stored (`status_push`) and "
        "to its match (`profile_match`, which follows the store).",
        "",
        _flood_starts(result),
        "",
        "| queue | phase | events | B p50 ms | B p99 ms | A handled/s |",
        "|---|---|---|---|---|---|",
    ]
    for q in result.queues:
        out += [
            f"| {q.queue} | {q.b_alone.label} | {q.b_alone.events:,} | {q.b_alone.p50_ms:.1f} | "
            f"{q.b_alone.p99_ms:.1f} | |",
            f"| {q.queue} | {q.b_beside.label} | {q.b_beside.events:,} | {q.b_beside.p50_ms:.1f} | "
            f"{q.b_beside.p99_ms:.1f} | |",
            *(
                f"| {q.queue} | {a.label} | {a.events:,} | | | {a.per_second:,.0f} |"
                for a in (q.a_before, q.a_beside, q.a_after)
            ),
        ]
        if q.b_backfill is not None:
            out.append(
                f"| {q.queue} | {q.b_backfill.label} | {q.b_backfill.events:,} | {q.b_backfill.p50_ms:.1f} | "
                f"{q.b_backfill.p99_ms:.1f} | |"
            )
    out.append("")
    if result.backfill:
        out += [
            f"A's backfill: {result.backfill:,} records of a fourth tenant's history (A4) written into the "
            "store, then `rsc backfill start` (one `historical_backfill` group); while B was measured it "
            f"sent {result.backfill_sent:,} of them.",
            "",
        ]
    for q in result.queues:
        met_b = q.b_p99_ratio <= 2 and q.b_beside.p99_ms < 100
        met_a = q.a_rate_ratio >= 0.9
        out += [
            f"- {q.queue}: B's p99 during the flood is {q.b_p99_ratio:.2f}x its p99 alone "
            f"(target at most 2x and under 100 ms: {_met(met_b)}); A drains beside B "
            f"at {q.a_rate_ratio:.0%} of its rate alone, {q.a_alone_per_second:,.0f}/s the mean of "
            f"before and after (target at least 90 %: {_met(met_a)}).",
        ]
    return [*out, ""]


def _flood_starts(result: Isolation) -> str:
    """How A's floods compare: what each landed on."""
    tenants = ", ".join(f"{start.tenant_candidates:,}" for start in result.flood_starts)
    store = ", ".join(f"{start.store_candidates:,}" for start in result.flood_starts)
    return (
        "A floods three times, each time as a fresh tenant, onboarded and warmed up alike: A1 alone, A2 "
        "beside B, A3 alone again; A's rate beside B is A2's against the mean of A1's and A3's, so what "
        f"drifts during the run weighs on both sides. Candidates of the flooding tenant before each "
        f"flood: {tenants}; of the store, every tenant's: {store} (vacuumed and analyzed before each)."
    )


def _met(met: bool) -> str:
    return "met" if met else "not met"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--flood", type=int, default=20_000, help="events of tenant A's flood")
    parser.add_argument("--threads", type=int, default=8, help="threads of the status_push worker group")
    parser.add_argument("--b-seconds", type=float, default=20.0, help="seconds of tenant B alone")
    parser.add_argument("--split", action="store_true", help="a worker group per lane")
    parser.add_argument(
        "--bulk-threads",
        type=int,
        default=None,
        help="threads of each bulk-lane group with --split (default: the Procfile's, "
        f"{shipped_bulk_threads()}); without --split, --threads",
    )
    parser.add_argument("--backfill", type=int, default=0, help="records of A's backfill beside B (0: none)")
    args = parser.parse_args()
    result = run(
        args.flood,
        threads=args.threads,
        b_seconds=args.b_seconds,
        split=args.split,
        bulk_threads=args.bulk_threads,
        backfill=args.backfill,
    )
    print("\n".join(lines(result)))


if __name__ == "__main__":
    main()
