"""Tenant isolation on a feature queue: one tenant's unmarked flood beside another tenant's trickle.

    python -m bench.isolation [--flood 20000] [--threads 8] [--b-seconds 20]

One ``status_push`` worker group (1 process x 8 threads, as the Procfile runs it) on a fresh
PostgreSQL database and RabbitMQ vhost. Tenant A publishes ``ats.candidate.created`` events all at
once, unmarked (the publisher's burst budget sends what is over it to the bulk lane); tenant B
publishes one every 0.25 s. Three phases, in one run:

1. **B alone**: B's publish-to-stored latency (the inbox row's ``processed_at``, written in the
   transaction that stores the candidate) for ``--b-seconds``;
2. **A alone**: A's flood, its drain rate from the first candidate stored to the last;
3. **A's flood beside B**: A floods again (new candidates) and B publishes from right after A's
   publish returned until A's flood is stored: B's latency during the flood and A's drain rate.

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
#: The inbox consumer of the candidate's store (``workers.status_push.ats_records``).
CONSUMER = "status_push"
#: Tenant B publishes one event this often (seconds).
B_INTERVAL_S = 0.25
#: A's flood is published in batches of this many events (one publisher call each).
PUBLISH_BATCH = 1000


@dataclass
class Isolation:
    flood: int
    threads: int
    b_alone: Measurement
    a_alone: Measurement
    a_beside: Measurement
    b_beside: Measurement

    @property
    def b_p99_ratio(self) -> float:
        return self.b_beside.p99_ms / self.b_alone.p99_ms

    @property
    def a_rate_ratio(self) -> float:
        return self.a_beside.per_second / self.a_alone.per_second


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


def _stored(tenant: str, keys: set[str]) -> dict[str, float]:
    done = inbox_times(tenant, CONSUMER)
    return {key: done[key] for key in keys if key in done}


def _wait_stored(tenant: str, keys: set[str], what: str) -> dict[str, float]:
    wait_for(lambda: len(_stored(tenant, keys)), len(keys), timeout=3600, interval=0.5, what=what)
    return _stored(tenant, keys)


def _b_latency(label: str, published: dict[str, float]) -> Measurement:
    done = _wait_stored(QUIET, set(published), f"{label}: B's events")
    latencies = [max(0.0, done[key] - at) for key, at in published.items()]
    return Measurement(label, len(latencies), max(published.values()) - min(published.values()), latencies)


def _flood(publisher: Publisher, prefix: str, count: int) -> set[str]:
    events = [candidate(FLOODER, f"{prefix}-{n}") for n in range(count)]
    for first in range(0, count, PUBLISH_BATCH):
        publisher.publish_many(events[first : first + PUBLISH_BATCH])
    return {event.id for event in events}


def _a_rate(label: str, keys: set[str]) -> Measurement:
    events, seconds = rate_between(_wait_stored(FLOODER, keys, f"{label}: A's flood").values())
    return Measurement(label, events, seconds, unit="candidates")


def measure_isolation(
    pipeline: Pipeline, flood: int, *, threads: int = 8, b_seconds: float = 20.0
) -> Isolation:
    """The three phases on ``pipeline``'s services (its workers are started here)."""
    from tests.helpers import create_tenant

    for n, tenant in enumerate((FLOODER, QUIET)):
        create_tenant(tenant, org=f"urn:li:organization:{9100 + n}", client_id=f"{tenant}-client")
    pipeline.start_workers("isolation", "status_push", processes=1, threads=threads)
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
    finally:
        a_publisher.close()
        b_publisher.close()
        pipeline.kill("isolation")
    return Isolation(flood, threads, b_alone, a_alone, a_beside, b_beside)


def run(flood: int, *, threads: int = 8, b_seconds: float = 20.0) -> Isolation:
    """The measurement on a fresh PostgreSQL database and RabbitMQ vhost."""
    from bench.harness import bench_pipeline

    with bench_pipeline("postgresql", RSC_LOG_LEVEL="WARNING") as pipeline:
        return measure_isolation(pipeline, flood, threads=threads, b_seconds=b_seconds)


def lines(result: Isolation) -> list[str]:
    """The report's section (markdown)."""
    met_b = result.b_p99_ratio <= 2 and result.b_beside.p99_ms < 100
    met_a = result.a_rate_ratio >= 0.9
    rows = [
        (result.b_alone, f"{result.b_alone.p50_ms:.1f}", f"{result.b_alone.p99_ms:.1f}", ""),
        (result.b_beside, f"{result.b_beside.p50_ms:.1f}", f"{result.b_beside.p99_ms:.1f}", ""),
        (result.a_alone, "", "", f"{result.a_alone.per_second:,.0f}"),
        (result.a_beside, "", "", f"{result.a_beside.per_second:,.0f}"),
    ]
    return [
        "## Tenant isolation (`bench.isolation`, PostgreSQL)",
        "",
        f"One `status_push` worker group (1 process x {result.threads} threads). Tenant A publishes "
        f"{result.flood:,} `ats.candidate.created` at once, unmarked; tenant B one every "
        f"{B_INTERVAL_S:g} s. Latency: publish to the candidate stored.",
        "",
        "| phase | events | B p50 ms | B p99 ms | A stored/s |",
        "|---|---|---|---|---|",
        *(f"| {m.label} | {m.events:,} | {p50} | {p99} | {rate} |" for m, p50, p99, rate in rows),
        "",
        f"- B's p99 during the flood is {result.b_p99_ratio:.2f}x its p99 alone "
        f"(target at most 2x and under 100 ms: {'met' if met_b else 'not met'}).",
        f"- A drains beside B at {result.a_rate_ratio:.0%} of its rate alone "
        f"(target at least 90 %: {'met' if met_a else 'not met'}).",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--flood", type=int, default=20_000, help="events of tenant A's flood")
    parser.add_argument("--threads", type=int, default=8, help="threads of the status_push worker group")
    parser.add_argument("--b-seconds", type=float, default=20.0, help="seconds of tenant B alone")
    args = parser.parse_args()
    print("\n".join(lines(run(args.flood, threads=args.threads, b_seconds=args.b_seconds))))


if __name__ == "__main__":
    main()
