"""Records a minute the client gets through against LinkedIn's limit when it has more to send.

    python -m bench.linkedin_rate [--clock-scale 10] [--minutes 6] [--processes 2] [--threads 4]
                                  [--traffic live|bulk]

The sandbox runs as its own process with its real limit (10,000 records a minute per customer app)
enforced on a scaled clock. ``processes`` x ``threads`` senders, each with its own LinkedIn client
but all spending from the one budget in PostgreSQL, PUT batches of 100 candidates as fast as they
are admitted. After one sandbox minute of warm-up, the records the sandbox accepted over the next
``minutes`` sandbox minutes give the rate; the sandbox's counters say whether it ever had to refuse
a call for the limit (``throttled``) and the most records it accepted in one of its minutes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from typing import Any

from rsc.settings import get_settings
from store.db import get_store

LIMIT = 10_000
APP, SECRET, ORG = "bench-client", "bench-secret", "urn:li:organization:901"


def _accepted(counters: dict[str, Any]) -> int:
    return sum(
        row["records"]
        for row in counters["calls"]
        # The candidates resource under either API shape's name.
        if row["app"] == APP and row["resource"] in ("atsCandidates", "candidates") and row["status"] == 200
    )


def _send(stop_at: float, traffic: str, worker: int, queue: Any) -> None:
    """One sender process: ``threads`` threads PUTting 100 candidates a call until ``stop_at``."""
    import threading

    from linkedin.auth import AppCredentials
    from linkedin.client import LinkedInClients
    from linkedin.errors import LinkedInUnavailable
    from linkedin.ratelimit import Traffic

    clients = LinkedInClients(get_settings(), get_store)
    client = clients.for_app(AppCredentials(APP, SECRET), ORG, Traffic(traffic))
    sent = [0]
    lock = threading.Lock()

    def loop(thread: int) -> None:
        batch = 0
        while time.time() < stop_at:
            records = {
                f"P{worker}-T{thread}-B{batch}-{i}": {
                    "firstName": "Bench",
                    "atsCreatedAt": 1_700_000_000_000,
                    "atsLastModifiedAt": 1_700_000_000_000,
                    "addresses": [],
                    "phoneNumbers": [],
                }
                for i in range(100)
            }
            batch += 1
            try:
                result = client.candidates.upsert(records)
            except LinkedInUnavailable:
                continue
            with lock:
                sent[0] += len(result.ok)

    threads = [threading.Thread(target=loop, args=(t,)) for t in range(int(os.environ["BENCH_THREADS"]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(sent[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clock-scale", type=float, default=10.0)
    parser.add_argument("--minutes", type=int, default=6, help="sandbox minutes measured after warm-up")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--traffic", choices=("live", "bulk"), default="live")
    args = parser.parse_args()

    from bench.harness import bench_pipeline

    with bench_pipeline(RSC_LINKEDIN_CLOCK_SCALE=str(args.clock_scale)) as pipeline:
        os.environ["RSC_LINKEDIN_CLOCK_SCALE"] = str(args.clock_scale)
        os.environ["BENCH_THREADS"] = str(args.threads)
        pipeline.control("PUT", "/limits", json={"records_per_minute": LIMIT, "enforce": True})
        pipeline.control("PUT", "/clock", json={"scale": args.clock_scale})
        pipeline.control("POST", "/apps", json={"clientId": APP, "clientSecret": SECRET, "organization": ORG})
        minute_s = 60 / args.clock_scale
        stop_at = time.time() + minute_s * (args.minutes + 1.5)
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        senders = [
            context.Process(target=_send, args=(stop_at, args.traffic, p, queue))
            for p in range(args.processes)
        ]
        for sender in senders:
            sender.start()
        # Start measuring at the first sandbox minute boundary after one minute of warm-up.
        time.sleep(minute_s)
        now = pipeline.control("GET", "/clock")["now"]
        time.sleep((60_000 - now % 60_000) / 1000 / args.clock_scale)
        start_clock, start_records = (
            pipeline.control("GET", "/clock")["now"],
            _accepted(pipeline.control("GET", "/counters")),
        )
        time.sleep(minute_s * args.minutes)
        counters = pipeline.control("GET", "/counters")
        end_clock, end_records = pipeline.control("GET", "/clock")["now"], _accepted(counters)
        for sender in senders:
            sender.join()
        sent = sum(queue.get() for _ in senders)

    minutes = (end_clock - start_clock) / 60_000
    rate = (end_records - start_records) / minutes
    print(
        f"clock scale {args.clock_scale:g} (a LinkedIn minute is {minute_s:.1f} s), traffic {args.traffic},"
    )
    print(f"{args.processes} processes x {args.threads} threads sharing one budget in PostgreSQL")
    print(f"measured {minutes:.2f} sandbox minutes: {end_records - start_records:,} records accepted")
    print(f"records a minute: {rate:,.0f} of {LIMIT:,} ({rate / LIMIT:.1%})")
    print(f"most records in one sandbox minute: {counters['max_records_per_window'].get(APP, 0):,}")
    print(f"calls the sandbox refused for its limit (429): {counters['throttled'].get(APP, 0)}")
    print(f"records the senders saw accepted in the whole run: {sent:,}")


if __name__ == "__main__":
    main()
