"""Fixtures shared by every test: isolated settings, both stores, the real broker."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from rsc.settings import reset_settings
from store.db import Store, get_store, reset_stores
from store.migrate import upgrade
from store.schema import metadata
from tests.infra import TEST_SECRET_KEY, fresh_database, fresh_vhost, postgres_server, rabbitmq_server


def pytest_configure(config: pytest.Config) -> None:
    # pytest imports readline at start-up, and readline puts COLUMNS=80 and LINES=24 into the C-level
    # environment (not into os.environ), which pytest-xdist's workers inherit as os.environ: the
    # CLI's rich consoles, made when the CLI modules are imported, would then keep a width of 80 for
    # good and wrap the tables the CLI tests read. Dropped unless they were set before the start.
    for name in ("COLUMNS", "LINES"):
        if name not in os.environ:
            os.unsetenv(name)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``pytest -n N`` starts the longest tests first (tests/scheduling.py); other ``--dist`` modes as is."""
    if config.getvalue("dist") != "load":
        return None
    from tests.scheduling import LongestFirst

    return LongestFirst(config, log)


def reset_process_state() -> None:
    """Forget everything a process caches from its environment."""
    from events import publisher
    from workers.runtime import wiring as runtime

    reset_settings()
    reset_stores()
    runtime.reset_runtime()
    for p in publisher._PUBLISHERS.values():
        p.close()
    publisher._PUBLISHERS.clear()


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("RSC_DATABASE_URL", "RSC_BROKER_URL", "RSC_LINKEDIN_API_URL", "RSC_QUEUE_TYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RSC_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("RSC_DATABASE_URL", f"sqlite:///{tmp_path}/default.db")
    monkeypatch.setenv("RSC_BROKER_URL", "stub://")
    monkeypatch.setenv("RSC_LOG_FORMAT", "json")
    reset_process_state()
    yield
    reset_process_state()


@pytest.fixture(autouse=True)
def declared_sandbox_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """The LinkedIn rules this test breaks on purpose (``@pytest.mark.sandbox_violations(...)``), for
    the sandbox harness to allow when it checks what the sandbox recorded."""
    from tests.sandbox_harness import DECLARED

    rules = frozenset(
        rule for marker in request.node.iter_markers("sandbox_violations") for rule in marker.args
    )
    token = DECLARED.set(rules)
    yield
    DECLARED.reset(token)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this test session, migrated to head."""
    with postgres_server() as server, fresh_database(server) as url:
        upgrade(get_store(url))
        reset_stores()
        yield url


@pytest.fixture(scope="session")
def broker_url() -> Iterator[str]:
    """A RabbitMQ virtual host of this test session."""
    with rabbitmq_server() as server, fresh_vhost(server) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "rsc.db"
    upgrade(get_store(f"sqlite:///{path}"))
    reset_stores()
    return path


#: A table with at least this many rows left is emptied by TRUNCATE; a smaller one by DELETE.
TRUNCATE_FROM_ROWS = 5_000


def empty_all(url: str) -> None:
    """Empty every table a test wrote to, and restart the sequences, for the next test.

    TRUNCATE of all 40 tables costs 0.15-0.9 s (new files for every table and index) after every
    PostgreSQL test; most tests leave a few rows in a few tables, which DELETE removes in
    milliseconds. The tables are probed first (at most ``TRUNCATE_FROM_ROWS`` rows counted each);
    the ones left with many rows (the end-to-end tests') are truncated.
    """
    tables = metadata.sorted_tables
    probe = " UNION ALL ".join(
        f'SELECT {i}, (SELECT count(*) FROM (SELECT FROM "{table.name}" LIMIT {TRUNCATE_FROM_ROWS}) AS s)'
        for i, table in enumerate(tables)
    )
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            rows = {i: n for i, n in conn.execute(sa.text(f"SELECT * FROM ({probe}) AS p(i, n) WHERE n > 0"))}
            big = [f'"{tables[i].name}"' for i, n in rows.items() if n >= TRUNCATE_FROM_ROWS]
            if big:
                conn.execute(sa.text(f"TRUNCATE {', '.join(big)} CASCADE"))
            # Referencing tables before the tables they reference.
            for i in sorted(rows, reverse=True):
                if rows[i] < TRUNCATE_FROM_ROWS:
                    conn.execute(sa.text(f'DELETE FROM "{tables[i].name}"'))
            conn.execute(sa.text("SELECT setval(seqrelid, seqstart, false) FROM pg_sequence"))
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "store.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("RSC_DATABASE_URL", url)
    reset_process_state()
    return url


@pytest.fixture
def postgres_url(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("RSC_DATABASE_URL", pg_url)
    reset_process_state()
    yield pg_url
    reset_stores()
    empty_all(pg_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Store:
    """The same contract, run against both stores."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    return get_store(url)


@pytest.fixture
def rabbit(broker_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The session's RabbitMQ virtual host as RSC_BROKER_URL, with every feature queue emptied."""
    monkeypatch.setenv("RSC_BROKER_URL", broker_url)
    reset_process_state()
    purge_queues(broker_url)
    yield broker_url
    purge_queues(broker_url)


def purge_queues(url: str) -> None:
    import kombu
    from dramatiq.common import dq_name, xq_name

    from events.topology import Queue, lane_queues

    with kombu.Connection(url) as conn:
        channel = conn.channel()
        for queue in lane_queues([q.value for q in Queue]):
            for name in (queue, dq_name(queue), xq_name(queue)):
                try:
                    channel.queue_purge(name)
                except conn.channel_errors:
                    channel = conn.channel()  # the queue does not exist yet; the channel was closed
