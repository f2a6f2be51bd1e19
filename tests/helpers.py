"""Small builders and readers shared by tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import kombu
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import text

from linkedin.versions import Api, Family
from rsc.settings import get_settings
from store.db import Store, get_store
from store.integrations import IntegrationStatus, IntegrationType
from store.tenants import Tenant, TenantStatus
from store.uow import OpsUnitOfWork
from tests.waiting import TimedOut, eventually

ORG = "urn:li:organization:4242"
#: How long the tests' claims of outbox records hold them (``RSC_WORK_LEASE_S``'s default).
CLAIM_LEASE = timedelta(seconds=30)


def linkedin_path(family: Family) -> str:
    """Where the configured API version (RSC_LINKEDIN_API_VERSION) calls ``family``; a sub-resource's
    path up to its parent's key."""
    return Api(get_settings().linkedin_api).endpoint(family, "{key}").path.split("/{key}")[0]


#: The sandbox's counters name the versioned API's renamed resources as LinkedIn does; tests that count
#: calls by resource count them under the v2 names, so they read the same on either shape.
_V2_RESOURCES = {"candidates": "atsCandidates", "integrations": "atsIntegrations"}


def v2_resource(resource: str) -> str:
    """A sandbox counter's resource under its v2 name: ``candidates/notes`` -> ``atsCandidates/notes``."""
    head, slash, rest = resource.partition("/")
    return _V2_RESOURCES.get(head, head) + slash + rest


def linkedin_prefix() -> str:
    """``/v2/`` or ``/rest/``: the prefix of the configured API version's paths."""
    return "/" + linkedin_path(Family.CANDIDATES).split("/")[1] + "/"


def create_tenant(
    tenant_id: str = "acme",
    *,
    org: str = ORG,
    client_id: str = "acme-client",
    client_secret: str = "acme-secret",
    status: TenantStatus = TenantStatus.ENABLED,
) -> None:
    """A tenant in the store; ENABLED unless ``status`` says otherwise, as after LinkedIn confirmed
    its integration enabled (tests of the lifecycle itself create PENDING ones)."""
    with OpsUnitOfWork(get_store()) as ops:
        tenant = Tenant(id=tenant_id, org_urn=org, client_id=client_id)
        tenant.set_client_secret(ops.keyring, client_secret)
        tenant.set_status(status, "created by a test")
        ops.tenants.add(tenant)
        ops.commit()


def add_contract(
    tenant_id: str,
    contract: str,
    *,
    store: Store | None = None,
    csa_status: IntegrationStatus | None = IntegrationStatus.ENABLED,
) -> None:
    """A Recruiter contract of the tenant, with its CSA_API state as LinkedIn last reported it
    (ENABLED unless ``csa_status`` says otherwise; None: LinkedIn was not asked yet)."""
    from store.uow import UnitOfWork

    with UnitOfWork(tenant_id, store or get_store()) as uow:
        uow.contracts.add(contract)
        if csa_status is not None:
            uow.integrations.observe(IntegrationType.CSA_API, contract, csa_status, modified_ms=None)
        uow.commit()


def drain(url: str, queue: str, *, limit: int = 10_000) -> list[tuple[dict[str, Any], Any]]:
    """Take every message off ``queue`` (acknowledging it); (decoded body, AMQP message) pairs.

    A queue nobody declared yet holds nothing: whether an earlier test of the same session (the same
    virtual host) declared it depends on which tests ran before, on which pytest-xdist worker.
    """
    out: list[tuple[dict[str, Any], Any]] = []
    with kombu.Connection(url) as conn:
        channel = conn.channel()
        try:
            channel.queue_declare(queue=queue, passive=True)
        except conn.channel_errors:
            return out
        for _ in range(limit):
            message = channel.basic_get(queue, no_ack=True)
            if message is None:
                break
            out.append((json.loads(message.body), message))
    return out


def queue_depth(url: str, queue: str) -> int:
    with kombu.Connection(url) as conn:
        channel = conn.channel()
        try:
            _, count, _ = channel.queue_declare(queue=queue, passive=True)
        except conn.channel_errors:
            return 0
        return int(count)


#: Advisory locks someone in this database is waiting for (PostgreSQL).
_ADVISORY_WAITERS = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def wait_for_advisory_waiter(store: Store, thread: threading.Thread) -> None:
    """Return once a transaction waits for an advisory lock (or ``thread`` has ended)."""
    with store.engine.connect() as conn:
        eventually(
            lambda: conn.scalar(_ADVISORY_WAITERS) or not thread.is_alive(),
            interval=0.01,
            what="a transaction waiting for an advisory lock",
        )


#: Row or relation locks a session of this database is waiting for (PostgreSQL). A transaction id
#: lock names no database, so the waiter's own session says which database it works in: other
#: test sessions on the server (parallel workers) wait for locks of their own.
_LOCK_WAITERS = text(
    "SELECT count(*) FROM pg_locks WHERE locktype IN ('transactionid', 'tuple', 'relation') "
    "AND NOT granted AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())"
)


def wait_for_lock_waiter(store: Store, thread: threading.Thread, *, timeout: float = 5.0) -> bool:
    """Wait until a transaction waits for a row lock (or ``thread`` has ended); whether one does
    within ``timeout``."""
    with store.engine.connect() as conn:
        try:
            seen = eventually(
                lambda: (
                    "waiting" if conn.scalar(_LOCK_WAITERS) else "ended" if not thread.is_alive() else None
                ),
                timeout=timeout,
                interval=0.01,
                what="a transaction waiting for a row lock",
            )
        except TimedOut:
            return False
    return seen == "waiting"


@contextmanager
def statements_starting(store: Store, prefix: str) -> Iterator[list[str]]:
    """The SQL statements ``store`` sends meanwhile that start with ``prefix``, as they are sent."""
    sent: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().startswith(prefix):
            sent.append(statement)

    sqlalchemy_event.listen(store.engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        sqlalchemy_event.remove(store.engine, "before_cursor_execute", keep)
