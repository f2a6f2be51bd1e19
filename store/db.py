"""Engines and sessions: one ``Store`` per process, built from ``RSC_DATABASE_URL``, with the process's
keyring (``RSC_SECRET_KEY``) for the secrets and keyed hashes its rows hold."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from rsc.crypto import Keyring
from rsc.settings import VAR_DIR, Settings, get_settings
from store import tenancy  # noqa: F401  (installs the tenant guards on every Session)
from store.repository import KEYRING

#: The embedded default's key when ``RSC_SECRET_KEY`` is unset: made once, so `make run` works on a fresh
#: machine.
DEV_KEY_FILE = VAR_DIR / "secret.key"
#: How long a SQLite writer waits for the lock before reporting "database is locked" (retried).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        # Take the write lock up front: a deferred transaction that later upgrades to a writer
        # fails at once with "database is locked" instead of waiting for busy_timeout.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _development_key() -> bytes:
    path = Path(DEV_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    warnings.warn(
        "RSC_SECRET_KEY is not set; using the development key in var/secret.key",
        stacklevel=2,
    )
    return path.read_bytes().strip()


def process_keyring(settings: Settings) -> Keyring:
    """The keyring of ``RSC_SECRET_KEY``; unset, the development key under var/ (made on first use)."""
    if settings.secret_key:
        return Keyring.of(settings.secret_key.encode())
    return Keyring(_development_key)


class Store:
    """An engine, its session factory, and the keyring of the secrets its rows hold."""

    def __init__(
        self,
        url: str,
        *,
        keyring: Keyring,
        pool_size: int | None = None,
        max_overflow: int | None = None,
    ) -> None:
        self.url = url
        self.keyring = keyring
        if url.startswith("sqlite"):
            self.engine = _sqlite_engine(url)
        else:
            settings = get_settings()
            self.engine = create_engine(
                url,
                pool_size=settings.db_pool_size if pool_size is None else pool_size,
                max_overflow=settings.db_max_overflow if max_overflow is None else max_overflow,
                pool_pre_ping=True,
            )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        #: For one-statement reads outside any transaction: on PostgreSQL an autocommit view of the
        #: same pool, so a read is one round trip instead of BEGIN, the read and ROLLBACK. (SQLite's
        #: connections begin their transactions themselves: the engine as it is.)
        self.reader = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.engine.dialect.name == "postgresql"
            else self.engine
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, tenant: str | None) -> Session:
        """A session bound to one tenant, or an operator session (``tenant=None``) for ops tables."""
        return self._sessions(info={"tenant": tenant, KEYRING: self.keyring})

    def create_all(self) -> None:
        """Create every table from the models (tests; production uses ``rsc db upgrade``)."""
        from store.schema import metadata

        metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


_STORES: dict[str, Store] = {}


def get_store(url: str | None = None) -> Store:
    """The process's store for ``url`` (default: ``RSC_DATABASE_URL``), created on first use."""
    settings = get_settings()
    url = url or settings.database_url
    if url not in _STORES:
        _STORES[url] = Store(url, keyring=process_keyring(settings))
    return _STORES[url]


def reset_stores() -> None:
    """Dispose of every engine this process made (tests, and after fork)."""
    for store in _STORES.values():
        store.dispose()
    _STORES.clear()
