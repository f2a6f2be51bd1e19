"""Where the tests find PostgreSQL and RabbitMQ, and how each test session gets its own.

Order of preference, for each service: a URL from the environment (``RSC_TEST_DATABASE_URL``,
``RSC_TEST_BROKER_URL``); else a testcontainers container when a Docker engine answers; else the
local service on its default port. Each test session then works in its own PostgreSQL database and
its own RabbitMQ virtual host (made with ``rabbitmqctl`` when it is available), so two sessions on
one machine never see each other's rows or messages. Each pytest-xdist worker (``make test`` runs 4)
is a session of its own: it makes its own database and virtual host (and, with Docker, its own
containers).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import sqlalchemy as sa

LOCAL_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LOCAL_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A URL to a PostgreSQL server whose user may create databases."""
    if url := os.environ.get("RSC_TEST_DATABASE_URL"):
        yield url
        return
    if not os.environ.get("RSC_TEST_NO_DOCKER") and docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver="psycopg") as pg:
            yield pg.get_connection_url()
        return
    yield LOCAL_DATABASE_URL


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named database on the server, yield its URL, drop it afterwards."""
    name = f"rsc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    parts = urlsplit(server_url)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextlib.contextmanager
def rabbitmq_server() -> Iterator[str]:
    if url := os.environ.get("RSC_TEST_BROKER_URL"):
        yield url
        return
    if not os.environ.get("RSC_TEST_NO_DOCKER") and docker_available():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-management") as rmq:
            params = rmq.get_connection_params()
            yield f"amqp://{rmq.username}:{rmq.password}@{params.host}:{params.port}/%2F"
        return
    yield LOCAL_BROKER_URL


def _rabbitmqctl(*args: str) -> bool:
    tool = shutil.which("rabbitmqctl")
    if tool is None:
        return False
    result = subprocess.run([tool, *args], capture_output=True, timeout=60, check=False)
    return result.returncode == 0


@contextlib.contextmanager
def fresh_vhost(server_url: str) -> Iterator[str]:
    """A virtual host of its own when the server is local and rabbitmqctl works; else the URL as is."""
    parts = urlsplit(server_url)
    host = parts.hostname or ""
    if host not in ("127.0.0.1", "localhost") or not _rabbitmqctl(
        "add_vhost", vhost := f"rsc-test-{uuid.uuid4().hex[:10]}"
    ):
        yield server_url
        return
    user = parts.username or "guest"
    _rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
    try:
        yield urlunsplit(parts._replace(path="/" + quote(vhost, safe="")))
    finally:
        _rabbitmqctl("delete_vhost", vhost)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: A fixed Fernet key for tests (never used outside them).
TEST_SECRET_KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMDAwMDA="
