"""Building blocks of end-to-end scenarios: tenants, jobs, exports and readers of the outcome."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import kombu
from sqlalchemy import func, select

from events.publisher import Publisher
from ingress.signature import sign
from rsc.settings import get_settings
from schemas.catalog import parse_event
from store.applications import Application
from store.candidates import Candidate
from store.db import get_store
from store.dead_letters import DeadLetter
from store.exports import ExportRecord
from store.uow import OpsUnitOfWork, UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.helpers import create_tenant


def onboard(pipeline: Pipeline, tenant: str, *, org: str, app_org: str | None = None) -> tuple[str, str]:
    """A tenant in the store and its customer app in the sandbox, calling back to the ingress."""
    client_id, secret = f"{tenant}-client", f"{tenant}-secret"
    create_tenant(tenant, org=org, client_id=client_id, client_secret=secret)
    pipeline.control(
        "POST",
        "/apps",
        json={
            "clientId": client_id,
            "clientSecret": secret,
            "organization": app_org or org,
            "callbackUrl": f"{pipeline.ingress_url}/webhooks/linkedin/{tenant}",
        },
    )
    return client_id, secret


def publish_job(
    broker_url: str, tenant: str, job_id: str, state: str = "published", *, second: int = 0
) -> None:
    when = datetime(2026, 6, 1, 9, 0, second, tzinfo=UTC).isoformat()
    event = parse_event(
        {
            "type": f"ats.job.{'published' if state == 'published' else 'created'}.v1",
            "id": f"{job_id}-{state}-{second}",
            "source": "ats://e2e",
            "tenant": tenant,
            "data": {
                "job_id": job_id,
                "title": "Engineer",
                "state": state,
                "created_at": when,
                "modified_at": when,
            },
        }
    )
    Publisher(broker_url, settings=get_settings()).publish(event)


def member(i: int) -> dict[str, Any]:
    return {
        "member": f"urn:li:person:m{i:05d}",
        "firstName": f"First{i}",
        "lastName": f"Last{i}",
        "location": "Berlin, Germany",
        "currentPositions": [{"companyName": f"Company {i % 7}", "title": "Engineer"}],
        "educations": [{"schoolName": "TU", "degree": "MSc"}],
    }


def export(pipeline: Pipeline, client_id: str, job_id: str, i: int, *, wait: bool = False) -> dict[str, Any]:
    body = {"clientId": client_id, "externalJobPostingId": job_id, "candidate": member(i), "push": True}
    if wait:
        body["wait"] = True
    result: dict[str, Any] = pipeline.control("POST", "/exports", json=body)
    return result


def redeliver(pipeline: Pipeline, push_id: str, secret: str, tenant: str) -> int:
    """Send a push again exactly as LinkedIn did (LinkedIn retries pushes it thinks failed)."""
    body = pipeline.control("GET", f"/pushes/{push_id}")["body"].encode()
    response = pipeline.http.post(
        f"{pipeline.ingress_url}/webhooks/linkedin/{tenant}",
        content=body,
        headers={"Content-Type": "application/json", "X-LI-Signature": sign(secret, body)},
    )
    return response.status_code


def counts(tenant: str) -> dict[str, int]:
    with UnitOfWork(tenant, get_store()) as uow:
        s = uow.session
        return {
            "candidates": s.scalar(select(func.count()).select_from(Candidate)) or 0,
            "applications": s.scalar(select(func.count()).select_from(Application)) or 0,
            "exports": s.scalar(select(func.count()).select_from(ExportRecord)) or 0,
        }


def dead_letters() -> dict[str, list[str | None]]:
    with OpsUnitOfWork(get_store()) as ops:
        rows = ops.session.scalars(select(DeadLetter)).all()
        out: dict[str, list[str | None]] = {}
        for row in rows:
            out.setdefault(row.reason_code, []).append(row.tenant_id)
        return out


def publish_raw(broker_url: str, queue: str, actor: str, event: Any, message_id: str) -> None:
    """What a careless upstream publisher might send: a Dramatiq message with any event in it."""
    body = json.dumps(
        {
            "queue_name": queue,
            "actor_name": actor,
            "args": [],
            "kwargs": {"event": event},
            "options": {},
            "message_id": message_id,
            "message_timestamp": 1,
        }
    ).encode()
    with kombu.Connection(broker_url) as conn:
        conn.default_channel.basic_publish(
            conn.default_channel.prepare_message(body, content_type="application/json"),
            exchange="",
            routing_key=queue,
        )
