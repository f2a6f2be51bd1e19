"""What batch turns cost: batch calls of one app to one family one at a time across processes.

    python -m bench.batch_turns [--database sqlite|postgresql|both] [--calls 400] [--latency-ms 20]

Against a scripted LinkedIn in this process (no network), on a fresh store:

1. **uncontended**: one thread sends ``--calls`` one-record batch calls that LinkedIn answers at
   once, with turns and without (every call goes at once); the difference per call is what a turn
   costs. Back to back (a run: the lease is kept between calls), and isolated (50 ms apart, longer
   than a lease is kept: each call takes the lease in one transaction; a background thread gives
   it back in another);
2. **contended**: two ``LinkedInClients`` (two worker processes) with 4 threads each send batch calls
   of one app to one family that LinkedIn answers after ``--latency-ms``. With turns they go one
   after another, so the best possible is one call per latency; the bench reports the calls a
   second against that, the gap between one call's answer and the next call (the hand-over between
   threads and between processes), and how often the turn passed from one process to the other.
   Without turns they overlap, as LinkedIn does not want.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from tempfile import TemporaryDirectory

from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.transport import Request, Response
from rsc.settings import get_settings, reset_settings
from store.db import Store, get_store, reset_stores
from store.migrate import upgrade
from tests.infra import fresh_database, postgres_server

ORG = "urn:li:organization:1"
BODY = {"firstName": "Ada", "atsCreatedAt": 1, "atsLastModifiedAt": 1, "addresses": [], "phoneNumbers": []}


class ScriptedLinkedIn:
    """Answers every batch call after ``latency_s``; notes when each call arrived and was answered."""

    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s
        #: (arrived, answered, the sending process's name) of every call.
        self.spans: list[tuple[float, float, str]] = []
        self._lock = threading.Lock()

    def send(self, request: Request, *, timeout_s: float) -> Response:
        if request.path == "/oauth/v2/accessToken":
            return Response(200, {}, b'{"access_token": "t", "expires_in": 1800}')
        arrived = time.perf_counter()
        if self.latency_s:
            time.sleep(self.latency_s)
        keys = json.loads(request.content or b"{}")["entities"]
        answer = json.dumps({"results": {k: {"status": 204} for k in keys}, "errors": {}}).encode()
        with self._lock:
            self.spans.append((arrived, time.perf_counter(), threading.current_thread().name[:2]))
        return Response(200, {}, answer)

    def close(self) -> None:
        pass


class EveryCallAtOnce:
    """No turns: what the client did before them."""

    @contextmanager
    def turn(self, app_id: str, family: str) -> Iterator[EveryCallAtOnce]:
        yield self

    def ready(self) -> None:
        pass


def process(linkedin: ScriptedLinkedIn, store: Store, *, turns: bool) -> LinkedInClient:
    clients = LinkedInClients(get_settings(), transport=linkedin, store=lambda: store)
    if not turns:
        clients.sequencer = EveryCallAtOnce()  # type: ignore[assignment]
    return clients.for_app(AppCredentials("bench-client", "secret"), ORG)


def uncontended(store: Store, calls: int, *, turns: bool, apart_s: float = 0.0) -> float:
    """Microseconds per call, one thread, LinkedIn answering at once; calls ``apart_s`` apart."""
    client = process(ScriptedLinkedIn(0), store, turns=turns)
    client.candidates.upsert({"C-warm": BODY})
    spent = 0.0
    for i in range(calls):
        if apart_s:
            time.sleep(apart_s)
        started = time.perf_counter()
        client.candidates.upsert({f"C-{i}": BODY})
        spent += time.perf_counter() - started
    return spent / calls * 1e6


def contended(store: Store, calls: int, latency_s: float, *, turns: bool) -> dict[str, float]:
    """Two processes of 4 threads each; calls a second, overlap and hand-over gaps."""
    linkedin = ScriptedLinkedIn(latency_s)
    clients = [process(linkedin, store, turns=turns) for _ in range(2)]
    per_thread = calls // 8

    def send(client: LinkedInClient, thread: int) -> None:
        for i in range(per_thread):
            client.candidates.upsert({f"C-{thread}-{i}": BODY})

    threads = [
        threading.Thread(target=partial(send, clients[t % 2], t), name=f"p{t % 2}-{t}") for t in range(8)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    spans = sorted(linkedin.spans)
    overlaps = sum(1 for (_, end, _), (start, _, _) in itertools.pairwise(spans) if start < end)
    gaps = [max(0.0, start - end) * 1000 for (_, end, _), (start, _, _) in itertools.pairwise(spans)]
    switches = sum(1 for (_, _, a), (_, _, b) in itertools.pairwise(spans) if a != b)
    return {
        "switches": switches,
        "calls": len(spans),
        "per_second": len(spans) / elapsed,
        "best_per_second": 1 / latency_s,
        "overlapping": overlaps,
        "gap_ms_median": statistics.median(gaps),
        "gap_ms_p90": sorted(gaps)[int(0.9 * (len(gaps) - 1))],
    }


@contextlib.contextmanager
def fresh_store(database: str) -> Iterator[Store]:
    with contextlib.ExitStack() as stack:
        if database == "postgresql":
            url = stack.enter_context(fresh_database(stack.enter_context(postgres_server())))
        else:
            url = f"sqlite:///{stack.enter_context(TemporaryDirectory(prefix='rsc-bench-'))}/turns.db"
        reset_settings()
        reset_stores()
        upgrade(get_store(url))
        try:
            yield get_store(url)
        finally:
            reset_stores()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="LinkedIn's answer time, contended")
    args = parser.parse_args()
    import os

    os.environ.setdefault("RSC_LINKEDIN_API_URL", "http://li")
    for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        with fresh_store(database) as store:
            for label, apart_s in (("back to back", 0.0), ("isolated", 0.05)):
                calls = args.calls if not apart_s else args.calls // 4
                with_turns = uncontended(store, calls, turns=True, apart_s=apart_s)
                without = uncontended(store, calls, turns=False, apart_s=apart_s)
                print(
                    f"{database}: uncontended, {label}: {with_turns:.0f} us/call with turns, "
                    f"{without:.0f} without: a turn costs {with_turns - without:.0f} us"
                )
            for turns in (True, False):
                result = contended(store, args.calls, args.latency_ms / 1000, turns=turns)
                print(
                    f"{database}: contended, {'with' if turns else 'without'} turns: "
                    f"{result['calls']:.0f} calls, {result['per_second']:.1f}/s "
                    f"(one at a time at most {result['best_per_second']:.0f}/s), "
                    f"{result['overlapping']:.0f} overlapping, hand-over gap median "
                    f"{result['gap_ms_median']:.2f} ms, p90 {result['gap_ms_p90']:.2f} ms, "
                    f"{result['switches']:.0f} hand-overs between the processes"
                )


if __name__ == "__main__":
    main()
