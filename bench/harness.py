"""Running a benchmark on real services: a fresh database and vhost, processes, timing helpers."""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from rsc.settings import reset_settings
from store.db import reset_stores
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
        pipeline = Pipeline(Path(tmp), url, broker_url, **env)
        os.environ.update(
            RSC_DATABASE_URL=url, RSC_BROKER_URL=broker_url, RSC_SECRET_KEY=pipeline.env["RSC_SECRET_KEY"]
        )
        os.environ["RSC_LINKEDIN_API_URL"] = pipeline.sandbox_url
        reset_settings()
        reset_stores()
        upgrade(url)
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


def wait_for(count: Callable[[], int], target: int, *, timeout: float = 600, interval: float = 0.05) -> float:
    """Poll ``count`` until it reaches ``target``; the monotonic time it got there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count() >= target:
            return time.monotonic()
        time.sleep(interval)
    raise TimeoutError(f"only {count()} of {target} after {timeout}s")


@dataclass(frozen=True)
class Rate:
    label: str
    events: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds

    def ratio_to(self, ceiling: Rate) -> float:
        return self.per_second / ceiling.per_second


def median(values: list[float]) -> float:
    return statistics.median(values)
