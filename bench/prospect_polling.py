"""Freshness and daily-budget use of the InMail and note polls, with steady traffic in the sandbox.

    python -m bench.prospect_polling [--seats 200] [--minutes 10] [--inmails-per-hour 1200]

Separate processes on PostgreSQL and RabbitMQ: the sandbox (its traffic generator adding InMails,
stubs and notes to every seat; a fifth of the seats get 16 times the traffic of the others), the
scheduler, and one worker process each for prospect_poll, inmail_sync and note_sync. Every seat is
connected to a user (by e-mail, at the scheduler's first seat refresh), and today's budget is
charged as if the day had been spent evenly so far, so the planner runs at the day's average rate.
After a warm-up, traffic runs for ``--minutes``; then the bench waits until every generated item is
in the store.

Freshness is, per item created after the warm-up, the time from its creation on the sandbox clock
to its row in the store. The budget figure is the sandbox's own count of prospect-interaction calls
during the traffic, scaled to a day, against LinkedIn's 100,000 calls a day.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from bench.harness import bench_pipeline
from bench.measurement import percentile
from rsc.settings import Settings, get_settings
from schemas.ats import UserCreated, UserSnapshot
from store.db import get_store
from store.inmails import InMailRecord
from store.integrations import IntegrationStatus, IntegrationType
from store.mail_stubs import MailStubRecord
from store.prospect_notes import ProspectNoteRecord
from store.uow import UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.helpers import create_tenant
from tests.infra import free_port
from workers.prospect_polling.planner import seconds_left_of_day
from workers.prospect_polling.seat_mapping import handle_user_event

TENANT = "bench"
ORG = "urn:li:organization:4242"
CONTRACT = "urn:li:contract:10"
PROSPECT_RESOURCES = ("seatsV2", "conversationEvents", "mailStubs", "prospectNotes")


def setup(pipeline: Pipeline, seats: int) -> list[str]:
    create_tenant(TENANT, org=ORG, client_id="bench-client", client_secret="bench-secret")
    pipeline.control(
        "POST",
        "/apps",
        json={
            "clientId": "bench-client",
            "clientSecret": "bench-secret",
            "organization": ORG,
            "contracts": [CONTRACT],
        },
    )
    urns = [f"urn:li:seat:{1000 + i}" for i in range(seats)]
    pipeline.control(
        "POST",
        "/scenario",
        json={
            "seats": [
                {
                    "seat": urn,
                    "contract": CONTRACT,
                    "firstName": "R",
                    "lastName": f"{i}",
                    "emailAddress": f"r{i}@acme.example",
                }
                for i, urn in enumerate(urns)
            ]
        },
    )
    with UnitOfWork(TENANT, get_store()) as uow:
        uow.contracts.add(CONTRACT)
        # As after LinkedIn reported the contract's CSA_API integration enabled: its seats are read.
        uow.integrations.observe(
            IntegrationType.CSA_API, CONTRACT, IntegrationStatus.ENABLED, modified_ms=None
        )
        uow.commit()
    now = datetime.now(UTC)
    for i in range(seats):
        handle_user_event(
            UserCreated(
                type="ats.user.created.v1",
                id=f"u{i}",
                source="bench://users",
                tenant=TENANT,
                data=UserSnapshot(
                    user_id=f"u{i}", email=f"r{i}@acme.example", created_at=now, modified_at=now
                ),
            ),
            UnitOfWork(TENANT, get_store()),
            settings=get_settings(),
        )
    pipeline.control("PUT", "/limits", json={"enforce": True})
    # A day that has spent evenly so far: the planner then runs at the day's average rate, not at
    # the faster rate an untouched budget late in the day would allow.
    settings = Settings()
    planned = settings.prospect_calls_per_day * settings.prospect_budget_share
    with UnitOfWork(TENANT, get_store()) as uow:
        uow.poll_cursors.count_calls(int(planned * (1 - seconds_left_of_day(now) / 86_400)))
        uow.commit()
    return urns


def caught_up(seats: int) -> bool:
    with UnitOfWork(TENANT, get_store()) as uow:
        cursors = uow.poll_cursors.seats()
        return len(cursors) == seats and not any(c.catching_up for c in cursors)


def stored_since(created_from_ms: int) -> dict[str, list[float]]:
    """Freshness (s) of every item created on LinkedIn at or after ``created_from_ms``, by kind."""
    out: dict[str, list[float]] = {}
    with UnitOfWork(TENANT, get_store()) as uow:
        for kind, model, at in (
            ("inmail", InMailRecord, InMailRecord.created_ms),
            ("mail_stub", MailStubRecord, MailStubRecord.created_ms),
            ("prospect_note", ProspectNoteRecord, ProspectNoteRecord.last_modified_ms),
        ):
            rows = uow.session.execute(select(at, model.stored_at).where(at >= created_from_ms)).all()
            out[kind] = [(r[1].timestamp() * 1000 - r[0]) / 1000 for r in rows]
    return out


def count_inmails(created_from_ms: int, until_ms: int) -> int:
    with UnitOfWork(TENANT, get_store()) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).where(
                    InMailRecord.created_ms >= created_from_ms, InMailRecord.created_ms < until_ms
                )
            )
            or 0
        )


def prospect_calls(pipeline: Pipeline) -> int:
    counters = pipeline.control("GET", "/counters")["calls"]
    return sum(
        c["calls"] for c in counters if c["resource"] in PROSPECT_RESOURCES and c["app"] == "bench-client"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seats", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--warmup-s", type=float, default=120.0)
    parser.add_argument("--inmails-per-hour", type=float, default=1200.0)
    args = parser.parse_args()
    env = {
        "RSC_SCHEDULER_TICK_S": "2",
        # Steady state is measured: seats start current (the back-fill is tested elsewhere).
        "RSC_PROSPECT_BACKFILL_DAYS": "0",
        "RSC_METRICS_PORT": str(free_port()),
        "RSC_LOG_LEVEL": "WARNING",
    }
    with bench_pipeline("postgresql", **env) as pipeline:
        urns = setup(pipeline, args.seats)
        pipeline.start_workers("prospect_poll", "prospect_poll", threads=8)
        pipeline.start_workers("inmail_sync", "inmail_sync", threads=8)
        pipeline.start_workers("note_sync", "note_sync", threads=4)
        pipeline.start_scheduler()
        deadline = time.monotonic() + 300
        while not caught_up(args.seats):
            if time.monotonic() > deadline:
                raise SystemExit("seats were not connected and caught up within 5 minutes")
            time.sleep(1)
        pipeline.control("POST", "/reset", json={"parts": ["counters"]})
        started = pipeline.control("GET", "/clock")["now"]
        pipeline.control(
            "PUT",
            "/traffic",
            json={"contract": CONTRACT, "seats": urns, "inmails_per_hour": args.inmails_per_hour, "seed": 11},
        )
        time.sleep(args.warmup_s + args.minutes * 60)
        traffic = pipeline.control("DELETE", "/traffic")
        stopped = pipeline.control("GET", "/clock")["now"]
        calls = prospect_calls(pipeline)
        measured_from = started + int(args.warmup_s * 1000)
        expected = traffic["inmails"]
        drain_deadline = time.monotonic() + 1800
        while count_inmails(started, stopped + 1) < expected and time.monotonic() < drain_deadline:
            time.sleep(2)
        fresh = stored_since(measured_from)
    elapsed_s = (stopped - started) / 1000
    per_day = calls / elapsed_s * 86_400
    inmails = fresh["inmail"]
    print(f"seats {args.seats}, traffic {args.inmails_per_hour:.0f} InMails/h for {elapsed_s / 60:.1f} min")
    print(f"generated: {traffic['inmails']} InMails, {traffic['stubs']} stubs, {traffic['notes']} notes")
    print(f"prospect-interaction calls: {calls} in {elapsed_s:.0f} s = {per_day:,.0f} a day (budget 100,000)")
    for kind, values in fresh.items():
        if values:
            print(
                f"freshness {kind:13s} n={len(values):5d}  median {statistics.median(values):6.1f} s  "
                f"p95 {percentile(values, 0.95):6.1f} s  max {max(values):6.1f} s"
            )
    if not inmails:
        raise SystemExit("no InMail was stored after the warm-up")


if __name__ == "__main__":
    main()
