"""What the report says of the machine and the services it measured on: CPU, memory, load, versions."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import UTC, datetime
from pathlib import Path


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1 / 5 / 15 min)"


def machine_facts() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or platform.machine(),
    )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": f"{os.cpu_count()} ({cpu})",
        "memory": f"{memory_kib / 2**20:.1f} GiB",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "SQLite": sqlite3.sqlite_version,
    }


def service_versions(broker_url: str, database: str) -> dict[str, str]:
    import pika
    import sqlalchemy as sa

    from store.db import get_store

    facts = {}
    connection = pika.BlockingConnection(pika.URLParameters(broker_url))
    try:
        properties = connection._impl.server_properties  # the server's connection.start properties
        version = properties.get("version", b"?")
        facts["RabbitMQ"] = version.decode() if isinstance(version, bytes) else str(version)
    finally:
        connection.close()
    if database == "postgresql":
        with get_store().engine.connect() as conn:
            facts["PostgreSQL"] = str(conn.scalar(sa.text("SHOW server_version")))
    return facts
