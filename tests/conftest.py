"""Fixtures shared by every test: isolated settings, both stores, the real broker."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from rsc.crypto import reset_key_cache
from rsc.settings import reset_settings
from store.db import Store, get_store, reset_stores
from store.migrate import upgrade
from store.schema import metadata
from tests.infra import TEST_SECRET_KEY, fresh_database, fresh_vhost, postgres_server, rabbitmq_server


def reset_process_state() -> None:
    """Forget everything a process caches from its environment."""
    from events import publisher
    from workers import runtime

    reset_settings()
    reset_key_cache()
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
        upgrade(url)
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
    upgrade(f"sqlite:///{path}")
    reset_stores()
    return path


def truncate_all(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
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
    truncate_all(pg_url)


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

    from workers.topology import Queue

    with kombu.Connection(url) as conn:
        channel = conn.channel()
        for queue in Queue:
            for name in (queue.value, dq_name(queue.value), xq_name(queue.value)):
                try:
                    channel.queue_purge(name)
                except conn.channel_errors:
                    channel = conn.channel()  # the queue does not exist yet; the channel was closed
