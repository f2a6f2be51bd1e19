"""The historical backfill of one tenant: records a second, the worker's peak memory, the rate used.

    python -m bench.backfill --records 1000000 [--database postgresql|sqlite] [--limit lifted|real]
        [--clock-scale N] [--seconds S]

A history of ``records`` records (1 % jobs, 40 % candidates, 50 % applications with one or two
stages, the rest notes: ``tests.e2e.historical_data``) is written straight into a fresh store, then
``rsc backfill start`` sends it to the sandbox through one ``historical_backfill`` worker (one
process, the Procfile's threads), as separate processes on PostgreSQL (or SQLite) and RabbitMQ.

- ``--limit lifted``: neither the sandbox nor the client enforces a rate limit; the bench reports
  what the pipeline can do.
- ``--limit real``: the sandbox enforces LinkedIn's limits on a clock ``--clock-scale`` times faster
  (the client is told the same scale). The backfill may spend the bulk share of the records a
  minute (``RSC_LINKEDIN_BULK_SHARE``); the bench reports the share of that rate it used while
  sending candidates (the phase bound by records a minute: 100 records a call; applications and
  notes are bound by calls), over the whole (scaled) minutes the phase lasted from its first batch,
  and the 429s LinkedIn answered (the target is none). The phase must last a minute at least: give
  it ``records`` and a clock scale where it does.

It stops when the run is done, or after ``--seconds`` (rates then cover the part done). Peak memory
is the largest VmHWM (peak resident set) of the worker's processes, read from /proc.

``measure_backfill`` returns the numbers as a dict, for ``bench.report``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from bench.measurement import LIFTED_BUDGETS
from rsc.settings import get_settings, reset_settings
from store.backfill import BackfillCursor, BackfillRun, BackfillState
from store.db import get_store, reset_stores
from store.migrate import upgrade
from store.tenants import TenantStatus
from store.uow import UnitOfWork
from tests.e2e.historical_data import History, seed_history
from tests.e2e.pipeline import Pipeline
from tests.helpers import create_tenant
from tests.infra import fresh_database, fresh_vhost, postgres_server, rabbitmq_server

TENANT = "bench"
ORG = "urn:li:organization:9300"
CLIENT_ID, SECRET = "bench-client", "bench-secret"
#: Threads of the worker, as the Procfile runs it.
THREADS = 4
#: Seconds between two samples of the progress and the worker's memory.
SAMPLE_S = 0.5


@contextlib.contextmanager
def _pipeline(database: str, sandbox_args: list[str], **env: str) -> Iterator[Pipeline]:
    """A fresh database (or SQLite file) and vhost, a sandbox; this process uses the same store."""
    with TemporaryDirectory(prefix="rsc-bench-backfill-") as tmp, contextlib.ExitStack() as stack:
        broker = stack.enter_context(fresh_vhost(stack.enter_context(rabbitmq_server())))
        if database == "postgresql":
            url = stack.enter_context(fresh_database(stack.enter_context(postgres_server())))
        else:
            url = f"sqlite:///{tmp}/bench.db"
        pipeline = Pipeline(Path(tmp), url, broker, shared_server=True, **env)
        names = ("RSC_DATABASE_URL", "RSC_BROKER_URL", "RSC_SECRET_KEY", "RSC_LINKEDIN_API_URL", *env)
        saved = {name: os.environ.get(name) for name in names}
        os.environ.update(
            RSC_DATABASE_URL=url,
            RSC_BROKER_URL=broker,
            RSC_SECRET_KEY=pipeline.env["RSC_SECRET_KEY"],
            RSC_LINKEDIN_API_URL=pipeline.sandbox_url,
            **env,
        )
        reset_settings()
        reset_stores()
        upgrade(get_store(url))
        try:
            pipeline.start_sandbox(*sandbox_args)
            yield pipeline
        finally:
            pipeline.stop()
            reset_stores()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            reset_settings()


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
    return found


def _peak_rss_kib(pid: int) -> int:
    """The largest VmHWM (peak resident set, KiB) of ``pid`` and its descendants."""
    peak = 0
    for member in _descendants(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak


def _cursors() -> tuple[str | None, list[BackfillCursor]]:
    with UnitOfWork(TENANT, get_store()) as uow:
        run: BackfillRun | None = uow.backfills.current()
        if run is None:
            return None, []
        cursors = uow.backfills.cursors(run)
        uow.session.expunge_all()
        return run.state, cursors


def _run_span(cursors: list[BackfillCursor]) -> float | None:
    """Seconds from the first phase's start to the last phase's end, by the times the run stored."""
    starts = [c.started_at for c in cursors if c.started_at is not None]
    ends = [c.finished_at for c in cursors if c.finished_at is not None]
    if not starts or not ends:
        return None
    return max((max(ends) - min(starts)).total_seconds(), 1e-6)


def _written(pipeline: Pipeline) -> tuple[int, int, int]:
    """(records LinkedIn took, calls that wrote them, 429s) for the tenant's app."""
    counters = pipeline.control("GET", "/counters")
    records = calls = 0
    for row in counters["calls"]:
        if row["app"] == CLIENT_ID and row["method"] in ("PUT", "POST") and 200 <= row["status"] < 300:
            records += row["records"]
            calls += row["calls"]
    return records, calls, int(counters["throttled"].get(CLIENT_ID, 0))


def measure_backfill(
    records: int,
    database: str = "postgresql",
    limit: str = "lifted",
    *,
    clock_scale: float = 60.0,
    seconds: float | None = None,
) -> dict[str, Any]:
    """Backfill ``records`` records; the numbers (see the module docstring) as a dict."""
    if limit not in ("lifted", "real"):
        raise ValueError(f"limit is 'lifted' or 'real', not {limit!r}")
    if limit == "real":
        sandbox_args = ["--clock-scale", f"{clock_scale:g}"]
        env = {"RSC_LINKEDIN_CLOCK_SCALE": f"{clock_scale:g}"}
    else:
        # Lifted on both sides: the sandbox enforces nothing and the client's budgets are out of reach.
        sandbox_args = ["--no-rate-limits"]
        env = dict(LIFTED_BUDGETS)
    history = History.of(records)
    with _pipeline(database, sandbox_args, **env) as pipeline:
        create_tenant(TENANT, org=ORG, client_id=CLIENT_ID, client_secret=SECRET, status=TenantStatus.ENABLED)
        pipeline.control(
            "POST", "/apps", json={"clientId": CLIENT_ID, "clientSecret": SECRET, "organization": ORG}
        )
        started = time.monotonic()
        seed_history(get_store(), TENANT, history)
        seeded_s = time.monotonic() - started
        pipeline.start_scheduler()  # asks for a runner again after a backoff
        pipeline.start_workers("backfill", "historical_backfill", processes=1, threads=THREADS)
        worker = pipeline.processes["backfill"].pid
        start = pipeline.rsc("backfill", "start", "--tenant", TENANT)
        if start.returncode != 0:
            raise RuntimeError(f"rsc backfill start failed: {start.stdout}{start.stderr}")
        started = time.monotonic()
        deadline = started + seconds if seconds is not None else None
        peak_kib, state = 0, None
        cursors: list[BackfillCursor] = []
        #: (seconds since the start, candidates done) while the candidate phase runs.
        samples: list[tuple[float, int]] = []
        while deadline is None or time.monotonic() < deadline:
            peak_kib = max(peak_kib, _peak_rss_kib(worker))
            state, cursors = _cursors()
            samples.extend(_candidate_sample(time.monotonic() - started, cursors))
            if state not in ("running", None):
                break
            time.sleep(SAMPLE_S)
        elapsed = time.monotonic() - started
        if state == BackfillState.DONE:
            # The run's own times: a small run can be over before `rsc backfill start` has returned.
            elapsed = _run_span(cursors) or elapsed
        peak_kib = max(peak_kib, _peak_rss_kib(worker))
        linkedin_records, calls, throttled = _written(pipeline)
    done = sum(c.done for c in cursors)
    settings = get_settings()
    allowed = settings.linkedin_records_per_minute * settings.linkedin_bulk_share * clock_scale / 60
    result: dict[str, Any] = {
        "records": records,
        "database": database,
        "limit": limit,
        "clock_scale": clock_scale if limit == "real" else None,
        "state": state,
        "done": done,
        "seconds": round(elapsed, 3),
        "seed_seconds": round(seeded_s, 1),
        "records_per_s": round(done / elapsed, 1),
        "linkedin_records": linkedin_records,
        "linkedin_calls": calls,
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "http_429": throttled,
        "by_phase": {},
    }
    for cursor in cursors:
        span = None
        if cursor.started_at is not None:
            ended = cursor.finished_at if cursor.finished else None
            if ended is not None:
                span = (ended - cursor.started_at).total_seconds()
        result["by_phase"][cursor.resource] = {
            "done": cursor.done,
            "seconds": round(span, 1) if span is not None else None,
            "records_per_s": round(cursor.done / span, 1) if span else None,
        }
    if limit == "real":
        result["allowed_records_per_s"] = round(allowed, 1)
        window_s = 60 / clock_scale * (1 + settings.linkedin_rate_margin)
        result.update(_steady_share(samples, allowed, window_s=window_s))
    return result


def _candidate_sample(at: float, cursors: list[BackfillCursor]) -> list[tuple[float, int]]:
    phase = next((c for c in cursors if c.resource == "candidate"), None)
    if phase is None or phase.started_at is None or phase.finished:
        return []
    return [(at, phase.done)]


def _steady_share(samples: list[tuple[float, int]], allowed: float, *, window_s: float) -> dict[str, Any]:
    """The share of the allowed rate used over whole minutes (as the limiter counts them) of the
    candidate phase, from its first batch: the limit is a sliding minute, so a span that is not a
    whole number of minutes would count a minute's burst against part of a minute."""
    started = next((i for i, (_, done) in enumerate(samples) if done > 0), None)
    if started is None:
        return {"share_of_allowed_rate": None, "share_measured_over_s": None}
    t0, done0 = samples[max(0, started - 1)]
    minutes = int((samples[-1][0] - t0) // window_s)
    if minutes < 1:
        return {"share_of_allowed_rate": None, "share_measured_over_s": None}
    end = t0 + minutes * window_s
    before = [s for s in samples if s[0] <= end][-1]
    after = next((s for s in samples if s[0] >= end), before)
    # Done at ``end``, between the samples around it.
    span = after[0] - before[0]
    done_at_end = before[1] + ((after[1] - before[1]) * (end - before[0]) / span if span else 0)
    rate = (done_at_end - done0) / (end - t0)
    return {
        "share_of_allowed_rate": round(rate / allowed, 3),
        "share_measured_over_s": round(end - t0, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--limit", choices=("lifted", "real"), default="lifted")
    parser.add_argument("--clock-scale", type=float, default=60.0)
    parser.add_argument("--seconds", type=float, default=None, help="stop measuring after this long")
    args = parser.parse_args()
    result = measure_backfill(
        args.records, args.database, args.limit, clock_scale=args.clock_scale, seconds=args.seconds
    )
    print(
        f"{result['done']:,} of {result['records']:,} records in {result['seconds']} s "
        f"({result['records_per_s']} records/s; run {result['state']}), {result['linkedin_records']:,} "
        f"LinkedIn records in {result['linkedin_calls']:,} calls, worker peak RSS "
        f"{result['peak_rss_mib']} MiB, {result['http_429']} 429s (history written in "
        f"{result['seed_seconds']} s)"
    )
    for phase, numbers in result["by_phase"].items():
        print(f"  {phase}: {numbers['done']:,} records, {numbers['seconds']} s, {numbers['records_per_s']}/s")
    if args.limit == "real":
        print(
            f"allowed bulk rate {result['allowed_records_per_s']} records/s; candidates sent at "
            f"{result['share_of_allowed_rate']} of it over {result['share_measured_over_s']} s"
        )


if __name__ == "__main__":
    main()
