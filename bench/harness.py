"""Running a benchmark on real services: a fresh database and vhost, processes, timing helpers.

A rate (``Rate``) is taken from the first committed effect to the last, with the queue filled before
the workers start. A latency (``Latency``) is the time from an event's publish to the commit of its
effect, read from the inbox row the handler writes in that transaction, with events published at a
steady rate (half the measured maximum, so it is not a queue's backlog).
"""

from __future__ import annotations

import contextlib
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from bench.measurement import inbox_times, percentile, publish_paced, wait_for
from events.publisher import Publisher
from events.topology import lane_queues
from rsc.settings import get_settings, reset_settings
from schemas.envelope import Event
from store.db import get_store, reset_stores
from store.migrate import upgrade
from tests.e2e.pipeline import Pipeline
from tests.infra import fresh_database, fresh_vhost, postgres_server, rabbitmq_server

PYTHON = sys.executable


@contextlib.contextmanager
def bench_pipeline(database: str = "postgresql", **env: str) -> Iterator[Pipeline]:
    """A sandbox (rate limits lifted) on a fresh PostgreSQL database or SQLite file and RabbitMQ vhost.

    The benchmark process itself uses the same database (RSC_DATABASE_URL is set in its environment).
    """
    import os

    with TemporaryDirectory(prefix="rsc-bench-") as tmp, contextlib.ExitStack() as stack:
        broker_url = stack.enter_context(fresh_vhost(stack.enter_context(rabbitmq_server())))
        if database == "postgresql":
            url = stack.enter_context(fresh_database(stack.enter_context(postgres_server())))
        else:
            url = f"sqlite:///{tmp}/bench.db"
        saved = {k: os.environ.get(k) for k in ("RSC_DATABASE_URL", "RSC_BROKER_URL", "RSC_SECRET_KEY")}
        pipeline = Pipeline(Path(tmp), url, broker_url, shared_server=True, **env)
        os.environ.update(
            RSC_DATABASE_URL=url, RSC_BROKER_URL=broker_url, RSC_SECRET_KEY=pipeline.env["RSC_SECRET_KEY"]
        )
        os.environ["RSC_LINKEDIN_API_URL"] = pipeline.sandbox_url
        reset_settings()
        reset_stores()
        upgrade(get_store(url))
        try:
            pipeline.start_sandbox("--no-rate-limits")
            yield pipeline
        finally:
            pipeline.stop()
            reset_stores()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            reset_settings()


def gather_statistics() -> None:
    """ANALYZE the store's database, as autovacuum (PostgreSQL) or a maintenance job (SQLite) would."""
    with get_store().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")


@dataclass(frozen=True)
class Rate:
    label: str
    events: int
    seconds: float
    #: When the first counted write committed (``time.time()``), where the measurement took it.
    since: float | None = None

    @property
    def span(self) -> tuple[float, float]:
        """From the first counted write to the last (``time.time()``)."""
        if self.since is None:
            raise ValueError(f"{self.label}: the measurement did not keep when its first write was")
        return self.since, self.since + self.seconds

    @property
    def per_second(self) -> float:
        return self.events / self.seconds

    def ratio_to(self, ceiling: Rate) -> float:
        return self.per_second / ceiling.per_second


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass(frozen=True)
class Latency:
    """Publish-to-effect latencies of events published at a steady ``offered`` rate (events/s)."""

    label: str
    offered: float
    seconds: list[float]

    @property
    def p50_ms(self) -> float:
        return percentile(self.seconds, 0.50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.seconds, 0.99) * 1000


def measure_latency(
    label: str,
    publisher: Publisher,
    events: Sequence[Event],
    per_second: float,
    *,
    tenant: str,
    consumer: str,
    timeout: float = 600,
) -> Latency:
    """Publish ``events`` at ``per_second`` to running workers; each one's publish-to-commit time."""

    def send(chunk: list[Event]) -> None:
        for event in chunk:
            publisher.publish(event)

    published = publish_paced(send, [(e.id, e) for e in events], per_second)

    def committed() -> int:
        done = inbox_times(tenant, consumer)  # once a poll: one read, not one per event
        return sum(1 for key in published if key in done)

    wait_for(
        committed,
        len(published),
        timeout=timeout,
        interval=0.5,
    )
    done = inbox_times(tenant, consumer)
    return Latency(label, per_second, [max(0.0, done[key] - at) for key, at in published.items()])


@dataclass
class WorkerProfile:
    """What processing ``messages`` cost one worker thread of this process (``profile_worker``)."""

    label: str
    messages: int
    #: CPU of the thread that ran the middleware and the actor, and of the whole process (the
    #: consumer thread's AMQP work included).
    thread_cpu_s: float
    process_cpu_s: float
    #: SQL statements the worker thread sent (an executemany is one).
    statements: int
    #: Log lines the worker thread emitted (at the configured level) and log calls it made at all.
    log_lines: int
    stats: pstats.Stats | None = None
    #: The statements by their first words (``profile`` only).
    statement_kinds: Counter[str] = field(default_factory=Counter)

    def per_message(self, value: float) -> float:
        return value / max(1, self.messages)

    def print_profile(self, *, lines: int, out: str | None = None) -> None:
        """The cProfile (by cumulative and by own time, ``lines`` each) and the statements by kind;
        ``out`` keeps the raw stats for ``python -m pstats``."""
        if self.stats is None:
            raise ValueError(f"{self.label} was not profiled")
        if out:
            self.stats.dump_stats(out)
        for order in ("cumulative", "tottime"):
            self.stats.sort_stats(order).print_stats(lines)
        for statement, n in self.statement_kinds.most_common():
            print(f"{n / self.messages:6.2f} per message  {statement}")

    def summary(self) -> str:
        return (
            f"{self.label}: {self.messages} messages, worker thread CPU "
            f"{self.per_message(self.thread_cpu_s) * 1000:.2f} ms/message, process CPU "
            f"{self.per_message(self.process_cpu_s) * 1000:.2f} ms/message, "
            f"{self.per_message(self.statements):.1f} SQL statements/message, "
            f"{self.per_message(self.log_lines):.1f} log lines/message"
        )


def publish_all(events: Sequence[Event]) -> Callable[[], int]:
    """A ``publish`` for ``profile_worker``: publish ``events`` in one batch, return how many."""

    def publish() -> int:
        publisher = Publisher(settings=get_settings())
        publisher.publish_many(list(events))
        publisher.close()
        return len(events)

    return publish


def profile_worker(
    label: str,
    queue: str,
    publish: Callable[[], int],
    count: Callable[[], int],
    *,
    profile: bool = False,
    log_level: str = "INFO",
) -> WorkerProfile:
    """Run one Dramatiq worker thread in this process on ``queue`` (both its lanes, as ``rsc worker``:
    a batch beyond the tenant's burst budget goes to the bulk lane) until ``count`` rises by what
    ``publish`` published, with the project's broker, middleware and logging (lines to /dev/null).

    ``profile``: a cProfile of the worker thread's ``process_message`` (middleware and actor; the
    acknowledgement happens on the consumer thread). Statements and log lines are counted on the
    worker thread only, so the polling of ``count`` does not add to them.
    """
    import cProfile
    import logging
    import os
    import threading

    import dramatiq
    from dramatiq.worker import Worker, WorkerThread
    from sqlalchemy import event

    from rsc.logs import configure_logging
    from store.db import get_store

    os.environ["RSC_LOG_LEVEL"] = log_level
    reset_settings()
    devnull = open(os.devnull, "w")  # noqa: SIM115 (closed below)
    saved_stderr, sys.stderr = sys.stderr, devnull
    try:
        configure_logging(get_settings(), process="bench")
    finally:
        sys.stderr = saved_stderr
    tally = {"statements": 0, "lines": 0}
    cpu = [0.0]

    def on_worker_thread() -> bool:
        return isinstance(threading.current_thread(), WorkerThread)

    kinds: Counter[str] = Counter()

    def count_statement(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if on_worker_thread():
            tally["statements"] += 1
            if profile:
                kinds[" ".join(statement.split())[:90]] += 1

    class CountLines(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            if on_worker_thread():
                tally["lines"] += 1
            return True

    # CPU time, not wall time: on a shared machine waiting is not what a message costs.
    profiler = cProfile.Profile(time.thread_time) if profile else None
    original = WorkerThread.process_message

    def process_message(self: WorkerThread, message: Any) -> None:
        started = time.thread_time()
        if profiler is not None:
            profiler.enable()
        try:
            original(self, message)
        finally:
            if profiler is not None:
                profiler.disable()
            cpu[0] += time.thread_time() - started

    engine = get_store().engine
    handler = logging.getLogger().handlers[0]
    line_counter = CountLines()
    handler.addFilter(line_counter)
    event.listen(engine, "before_cursor_execute", count_statement)
    WorkerThread.process_message = process_message  # type: ignore[method-assign]
    worker = Worker(dramatiq.get_broker(), queues=set(lane_queues([queue])), worker_threads=1)
    try:
        before = count()
        total = publish()
        worker.start()
        cpu_started = time.process_time()
        wait_for(count, before + total, interval=0.5)
        process_cpu = time.process_time() - cpu_started
    finally:
        worker.stop()
        WorkerThread.process_message = original  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", count_statement)
        handler.removeFilter(line_counter)
        devnull.close()
    stats = pstats.Stats(profiler) if profiler is not None else None
    return WorkerProfile(label, total, cpu[0], process_cpu, tally["statements"], tally["lines"], stats, kinds)
