"""The bare ceiling: a Dramatiq actor that commits one one-row transaction per message.

Same broker, middleware, worker processes and threads as the pipeline's workers, so the ratio of a
feature's rate to this one is the cost of the feature's own work.

``fetch_and_commit`` is the floor of a profile export: the same actor, which first GETs one export
from LinkedIn (the sandbox) through the LinkedIn client's transport with a token minted once per
process (no rate limiter, retries or parsing), then commits its one row. No export can be cheaper
than that; the ratio of its rate to the ceiling bounds the ratio an export can reach on the same
machine.

A floor message that names its ``tenant`` first reads the tenant's integration status, as the
integration gate does before every message that would call LinkedIn (``workers.runtime.integration_gate``),
and refuses unless it is enabled: the floor of an export once that gate is part of it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import cache

import dramatiq
import sqlalchemy as sa

import workers.runtime.broker  # noqa: F401  (installs the project's broker and middleware)
from linkedin.auth import AppCredentials, TokenCache
from linkedin.transport import PooledTransport, build_request
from linkedin.versions import Api, Family
from rsc.settings import get_settings
from store.db import get_store
from store.tenants import TenantStatus
from workers.runtime.integration_gate import tenant_status

QUEUE = "bench_ceiling"
ACTOR = "commit_one_row"
FETCH_QUEUE = "bench_fetch_ceiling"
FETCH_ACTOR = "fetch_and_commit"

rows = sa.Table(
    "bench_rows",
    sa.MetaData(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    # When the row was written: the rate is taken from the first to the last.
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False, default=lambda: datetime.now(UTC)),
)


def create_table() -> None:
    """An empty table (each measurement counts its own rows)."""
    engine = get_store().engine
    rows.drop(engine, checkfirst=True)
    rows.create(engine)


def count_rows() -> int:
    with get_store().engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(rows)) or 0)


def written_span() -> tuple[datetime, datetime]:
    """When the first and the last row were written."""
    with get_store().engine.connect() as conn:
        first, last = conn.execute(
            sa.select(sa.func.min(rows.c.written_at), sa.func.max(rows.c.written_at))
        ).one()
        return first, last


@dramatiq.actor(queue_name=QUEUE, actor_name=ACTOR)
def commit_one_row(event: dict[str, str]) -> None:
    with get_store().engine.begin() as conn:
        conn.execute(rows.insert().values(id=event["id"], payload=event["payload"]))


@cache
def _linkedin() -> tuple[PooledTransport, str, dict[str, str]]:
    settings = get_settings()
    transport = PooledTransport()
    token = TokenCache(transport, settings.oauth_url, store=get_store).token(
        AppCredentials(os.environ["RSC_BENCH_CLIENT_ID"], os.environ["RSC_BENCH_CLIENT_SECRET"])
    )
    endpoint = Api(settings.linkedin_api).endpoint(Family.EXPORTED_CANDIDATES)
    headers = {
        "Authorization": f"Bearer {token.value}",
        **endpoint.version.headers(settings.linkedin_restli_version),
    }
    return transport, settings.linkedin_api_url.rstrip("/") + endpoint.path, headers


@dramatiq.actor(queue_name=FETCH_QUEUE, actor_name=FETCH_ACTOR)
def fetch_and_commit(event: dict[str, str]) -> None:
    if "tenant" in event and tenant_status(event["tenant"]) != TenantStatus.ENABLED:
        raise RuntimeError("the bench tenant's integration is not enabled")
    transport, url, headers = _linkedin()
    params = {"q": "request", "requestId": event["request_id"]}
    response = transport.send(build_request("GET", url, params=params, headers=headers), timeout_s=10)
    if response.status_code != 200:
        raise RuntimeError(f"GET exportedCandidates answered {response.status_code}")
    with get_store().engine.begin() as conn:
        conn.execute(
            rows.insert().values(id=event["id"], payload=response.json()["elements"][0]["integrationContext"])
        )
