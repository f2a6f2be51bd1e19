"""The sandbox's SQLite file: one connection, WAL, schema created once at start-up."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS apps (
    client_id TEXT PRIMARY KEY,
    client_secret TEXT NOT NULL,
    app_urn TEXT NOT NULL UNIQUE,
    unique_foreign_id TEXT UNIQUE,
    organization TEXT,
    contracts TEXT NOT NULL DEFAULT '[]',
    callback_url TEXT,
    callback_check TEXT,
    profile TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_by_client ON tokens (client_id, expires_at);
-- A customer app's client secrets: at most two, both valid until one is deleted (§1.1).
-- `used` is set once a token was minted with the secret.
CREATE TABLE IF NOT EXISTS app_secrets (
    client_id TEXT NOT NULL,
    secret_id TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (client_id, secret_id)
);
-- Everything the integration syncs: jobs, candidates, applications and their sub-resources,
-- integrations and their configurations. `parent` is the owning record's id for sub-resources.
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    org TEXT NOT NULL,
    parent TEXT NOT NULL DEFAULT '',
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, org, parent, key)
);
CREATE TABLE IF NOT EXISTS deletions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    org TEXT NOT NULL,
    parent TEXT NOT NULL,
    key TEXT NOT NULL,
    cascaded_from TEXT,
    client_id TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deletions_by_org ON deletions (org, seq);
CREATE TABLE IF NOT EXISTS job_tasks (
    task_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    external_job_posting_id TEXT NOT NULL,
    job_posting TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    failure TEXT
);
CREATE TABLE IF NOT EXISTS members (
    member TEXT PRIMARY KEY,
    email TEXT,
    profile_url TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS members_by_email ON members (email);
CREATE INDEX IF NOT EXISTS members_by_profile_url ON members (profile_url);
CREATE TABLE IF NOT EXISTS seats (
    seat_id INTEGER PRIMARY KEY,
    contract TEXT NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS seats_by_contract ON seats (contract, seat_id);
CREATE TABLE IF NOT EXISTS conversation_events (
    id TEXT PRIMARY KEY,
    viewer TEXT NOT NULL,
    thread TEXT NOT NULL,
    created INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversation_events_by_viewer ON conversation_events (viewer, created);
CREATE TABLE IF NOT EXISTS mail_stubs (
    id TEXT PRIMARY KEY,
    contract TEXT NOT NULL,
    created INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mail_stubs_by_contract ON mail_stubs (contract, created);
CREATE TABLE IF NOT EXISTS prospect_notes (
    id TEXT PRIMARY KEY,
    contract TEXT NOT NULL,
    owner TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS prospect_notes_by_contract ON prospect_notes (contract, last_modified);
CREATE TABLE IF NOT EXISTS exports (
    request_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS status_changes (
    request_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS purged_candidates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org TEXT NOT NULL,
    purged_at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pushes (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    org TEXT NOT NULL,
    type TEXT NOT NULL,
    request_id TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL
);
"""

#: Tables that hold what LinkedIn "knows"; a data reset empties them but keeps apps and tokens.
DATA_TABLES = (
    "records",
    "deletions",
    "job_tasks",
    "members",
    "seats",
    "conversation_events",
    "mail_stubs",
    "prospect_notes",
    "exports",
    "status_changes",
    "purged_candidates",
    "pushes",
)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Database:
    """A single SQLite connection used from the event loop's thread only.

    Every handler is ``async`` and runs on the loop, so calls never overlap; the connection still
    allows other threads (the test client builds the app in one thread and serves it in another).
    """

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL loses at most the last transactions on power loss, never corrupts: right for a sandbox.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.conn.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def wipe(self, tables: Sequence[str]) -> None:
        with self.transaction():
            for table in tables:
                self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 (table names are our constants)

    def close(self) -> None:
        self.conn.close()
