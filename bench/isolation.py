"""Tenant isolation on a feature queue: one tenant's unmarked flood beside another tenant's trickle.

    python -m bench.isolation [--flood 20000] [--threads 8] [--b-seconds 20] [--split] [--backfill N]

One ``status_push`` worker group (1 process x 8 threads, as the Procfile runs it) on a fresh
PostgreSQL database and RabbitMQ vhost; with ``--split``, two groups of 1 process x 8 threads, one for
the queue's normal lane and one for its bulk lane (``rsc worker --lanes normal|bulk``). Tenant A
publishes ``ats.candidate.created`` events all at once, unmarked (the publisher's burst budget sends
what is over it to the bulk lane); tenant B publishes one every 0.25 s. Three phases, in one run:

1. **B alone**: B's publish-to-stored latency (the inbox row's ``processed_at``, written in the
   transaction that stores the candidate) for ``--b-seconds``;
2. **A alone**: A's flood, its drain rate from the first candidate stored to the last;
3. **A's flood beside B**: A floods again (new candidates) and B publishes from right after A's
   publish returned until A's flood is stored: B's latency during the flood and A's drain rate;
4. with ``--backfill N``, **A's backfill beside B**: N records of A's history written into the store
   and sent to the sandbox by ``rsc backfill start`` while B publishes (for 120 s, or until the run
   is done): B's latency during the backfill.

Targets (docs/architecture.md, "Fair sharing"): B's p99 during the flood at most twice its p99
alone and under 100 ms; A drains beside B at 90 % or more of its rate alone.
"""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass

from bench.measurement import Measurement, inbox_times, rate_between, wait_for
from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.catalog import parse_event
from schemas.envelope import Event
from tests.e2e.pipeline import Pipeline

FLOODER, QUIET = "tenant-a", "tenant-b"
#: The inbox consumers measured, each the name of its feature queue: the candidate's store
#: (``workers.status_push.ats_records``) and its match, which follows the store
#: (``workers.profile_matching.matching``).
CONSUMERS = ("status_push", "profile_match")
#: Tenant B publishes one event this often (seconds).
B_INTERVAL_S = 0.25
#: A's flood is published in batches of this many events (one publisher call each).
PUBLISH_BATCH = 1000


@dataclass
class QueueIsolation:
    """The four measurements on one feature queue: B's latency and A's rate, alone and together."""

    queue: str
    b_alone: Measurement
    a_alone: Measurement
    a_beside: Measurement
    b_beside: Measurement
    #: B's latency while A's historical backfill runs (none when not measured).
    b_backfill: Measurement | None = None

    @property
    def b_p99_ratio(self) -> float:
        return self.b_beside.p99_ms / self.b_alone.p99_ms

    @property
    def a_rate_ratio(self) -> float:
        return self.a_beside.per_second / self.a_alone.per_second


@dataclass
class Isolation:
    flood: int
    threads: int
    split: bool
    queues: list[QueueIsolation]
    #: Records of A's backfill (0: not measured) and how many it sent while B was measured.
    backfill: int = 0
    backfill_sent: int = 0


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


def _stored(tenant: str, keys: set[str], consumer: str) -> dict[str, float]:
    done = inbox_times(tenant, consumer)
    return {key: done[key] for key in keys if key in done}


def _wait_stored(tenant: str, keys: set[str], what: str) -> dict[str, dict[str, float]]:
    """When each of ``keys`` was handled, by each consumer measured, once all of them were."""
    for consumer in CONSUMERS:
        wait_for(
            lambda c=consumer: len(_stored(tenant, keys, c)),  # type: ignore[misc]
            len(keys),
            timeout=3600,
            interval=0.5,
            what=f"{what} ({consumer})",
        )
    return {consumer: _stored(tenant, keys, consumer) for consumer in CONSUMERS}


def _b_latency(label: str, published: dict[str, float]) -> dict[str, Measurement]:
    done = _wait_stored(QUIET, set(published), f"{label}: B's events")
    span = max(published.values()) - min(published.values())
    return {
        consumer: Measurement(
            label, len(published), span, [max(0.0, at[key] - published[key]) for key in published]
        )
        for consumer, at in done.items()
    }


def _flood(publisher: Publisher, prefix: str, count: int) -> set[str]:
    events = [candidate(FLOODER, f"{prefix}-{n}") for n in range(count)]
    for first in range(0, count, PUBLISH_BATCH):
        publisher.publish_many(events[first : first + PUBLISH_BATCH])
    return {event.id for event in events}


def _a_rate(label: str, keys: set[str]) -> dict[str, Measurement]:
    done = _wait_stored(FLOODER, keys, f"{label}: A's flood")
    rates = {consumer: rate_between(at.values()) for consumer, at in done.items()}
    return {consumer: Measurement(label, *rate, unit="candidates") for consumer, rate in rates.items()}


def _start_groups(pipeline: Pipeline, threads: int, split: bool) -> list[str]:
    """Each measured queue's worker groups: one of both lanes, or one per lane (``split``)."""
    names = []
    for queue in CONSUMERS:
        for lanes in ("normal", "bulk") if split else ("all",):
            names.append(f"isolation-{queue}-{lanes}")
            pipeline.start_workers(names[-1], queue, processes=1, threads=threads, lanes=lanes)
    return names


def _backfill_beside_b(
    pipeline: Pipeline, publisher: Publisher, records: int, seconds: float
) -> tuple[dict[str, Measurement], int]:
    """A's historical backfill of ``records`` records (its history written straight into the store,
    then ``rsc backfill start``) while B publishes, for ``seconds`` or until the run is done: B's
    latency then, and the records the run sent meanwhile."""
    from store.db import get_store
    from store.uow import UnitOfWork
    from tests.e2e.historical_data import History, seed_history

    def run_done() -> tuple[bool, int]:
        with UnitOfWork(FLOODER, get_store()) as uow:
            run = uow.backfills.current()
            return (run is not None and run.state != "running", uow.backfills.done_records(run) if run else 0)

    seed_history(get_store(), FLOODER, History.of(records))
    pipeline.start_workers("isolation-backfill", "historical_backfill", processes=1, threads=4)
    started = pipeline.rsc("backfill", "start", "--tenant", FLOODER)
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


def measure_isolation(
    pipeline: Pipeline,
    flood: int,
    *,
    threads: int = 8,
    b_seconds: float = 20.0,
    split: bool = False,
    backfill: int = 0,
    backfill_seconds: float = 120.0,
) -> Isolation:
    """The three phases on ``pipeline``'s services (its workers are started here)."""
    from tests.helpers import create_tenant

    for n, tenant in enumerate((FLOODER, QUIET)):
        org, client = f"urn:li:organization:{9100 + n}", f"{tenant}-client"
        create_tenant(tenant, org=org, client_id=client, client_secret=f"{tenant}-secret")
        pipeline.control(
            "POST",
            "/apps",
            json={"clientId": client, "clientSecret": f"{tenant}-secret", "organization": org},
        )
    groups = _start_groups(pipeline, threads, split)
    a_publisher, b_publisher = Publisher(settings=get_settings()), Publisher(settings=get_settings())
    try:
        # Warm-up: connections, prepared statements and the tenants' caches in every thread.
        for tenant, publisher in ((FLOODER, a_publisher), (QUIET, b_publisher)):
            warm = [candidate(tenant, f"W-{n}") for n in range(2 * threads)]
            publisher.publish_many(warm)
            _wait_stored(tenant, {e.id for e in warm}, "warm-up")
        trickle = Trickle(b_publisher, "B1").start()
        time.sleep(b_seconds)
        b_alone = _b_latency("tenant B alone", trickle.stop())
        time.sleep(1.0)  # A's budget refills: it floods as a tenant that was quiet
        a_alone = _a_rate("tenant A's flood alone", _flood(a_publisher, "A1", flood))
        time.sleep(1.0)
        keys = _flood(a_publisher, "A2", flood)
        trickle = Trickle(b_publisher, "B2").start()
        a_beside = _a_rate("tenant A's flood beside B", keys)
        b_beside = _b_latency("tenant B during A's flood", trickle.stop())
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
            queue, b_alone[queue], a_alone[queue], a_beside[queue], b_beside[queue], b_backfill[queue]
        )
        for queue in CONSUMERS
    ]
    return Isolation(flood, threads, split, measured, backfill, sent)


def run(
    flood: int,
    *,
    threads: int = 8,
    b_seconds: float = 20.0,
    split: bool = False,
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
            backfill=backfill,
            backfill_seconds=backfill_seconds,
        )


def lines(result: Isolation) -> list[str]:
    """The report's section (markdown)."""
    layout = (
        f"Two worker groups per queue of 1 process x {result.threads} threads, one per lane "
        "(`--lanes normal`, `--lanes bulk`)."
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
        "| queue | phase | events | B p50 ms | B p99 ms | A handled/s |",
        "|---|---|---|---|---|---|",
    ]
    for q in result.queues:
        out += [
            f"| {q.queue} | {q.b_alone.label} | {q.b_alone.events:,} | {q.b_alone.p50_ms:.1f} | "
            f"{q.b_alone.p99_ms:.1f} | |",
            f"| {q.queue} | {q.b_beside.label} | {q.b_beside.events:,} | {q.b_beside.p50_ms:.1f} | "
            f"{q.b_beside.p99_ms:.1f} | |",
            f"| {q.queue} | {q.a_alone.label} | {q.a_alone.events:,} | | | {q.a_alone.per_second:,.0f} |",
            f"| {q.queue} | {q.a_beside.label} | {q.a_beside.events:,} | | | {q.a_beside.per_second:,.0f} |",
        ]
        if q.b_backfill is not None:
            out.append(
                f"| {q.queue} | {q.b_backfill.label} | {q.b_backfill.events:,} | {q.b_backfill.p50_ms:.1f} | "
                f"{q.b_backfill.p99_ms:.1f} | |"
            )
    out.append("")
    if result.backfill:
        out += [
            f"A's backfill: {result.backfill:,} records written into the store, then `rsc backfill start` "
            f"(one `historical_backfill` group); while B was measured it sent {result.backfill_sent:,} "
            "records, that history and the candidates of A's floods.",
            "",
        ]
    for q in result.queues:
        met_b = q.b_p99_ratio <= 2 and q.b_beside.p99_ms < 100
        met_a = q.a_rate_ratio >= 0.9
        out += [
            f"- {q.queue}: B's p99 during the flood is {q.b_p99_ratio:.2f}x its p99 alone "
            f"(target at most 2x and under 100 ms: {_met(met_b)}); A drains beside B "
            f"at {q.a_rate_ratio:.0%} of its rate alone (target at least 90 %: {_met(met_a)}).",
        ]
    return [*out, ""]


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
    parser.add_argument("--backfill", type=int, default=0, help="records of A's backfill beside B (0: none)")
    args = parser.parse_args()
    result = run(
        args.flood, threads=args.threads, b_seconds=args.b_seconds, split=args.split, backfill=args.backfill
    )
    print("\n".join(lines(result)))


if __name__ == "__main__":
    main()
