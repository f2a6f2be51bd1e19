"""LinkedIn calls and token mints of one fixed scenario, run end to end through separate processes.

    python -m bench.linkedin_calls [--database postgresql|sqlite] [--sweep-s 40] [--api-version v2]

The sandbox, the ingress, the scheduler and the worker groups of the Procfile (``status_push`` with
two processes) run as processes of their own on a fresh database and RabbitMQ vhost, as
``tests/e2e`` starts them. The scenario, always the same:

1. ``rsc tenant create`` registers and onboards a tenant with one Recruiter contract (names its
   integrations, registers its CALLBACK_URL);
2. the customer enables the integration in the sandbox, which pushes INTEGRATION_STATUS_CHANGE to
   the ingress; the bench waits until the tenant is enabled;
3. 5 jobs, 40 candidates and 80 applications with 3 status changes each are published; the bench
   waits until LinkedIn holds the jobs, then every application's stages (and prints how long that
   took), then one member is exported to a job (a push, then the export's GET);
4. the scheduler sweeps for ``--sweep-s`` seconds;
5. ``rsc tenant status`` reads the integrations once, as an operator would.

It prints, from the sandbox's counters, the calls per resource and method and the token mints
(``oauth/accessToken``), and the LinkedIn rules the calls broke when the sandbox records them. The
scenario uses only the CLI, the broker and the sandbox's control API, so the same file measures an
older checkout of the project as well.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

from sqlalchemy import select

from bench.harness import bench_pipeline
from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.envelope import Event
from store.db import get_store
from store.tenants import Tenant
from store.uow import OpsUnitOfWork
from tests import ats_events as ats
from tests.e2e.pipeline import Pipeline
from tests.waiting import eventually

TENANT = "bench"
CLIENT_ID, SECRET = "bench-client", "bench-secret"
ORG = "urn:li:organization:4242"
CONTRACT = "urn:li:contract:77"
#: Worker groups as the Procfile runs them: (queue, processes, threads).
WORKERS = (
    ("integration_lifecycle", 1, 2),
    ("historical_backfill", 1, 4),
    ("status_push", 2, 8),
    ("profile_export", 1, 8),
    ("profile_match", 1, 4),
    ("prospect_poll", 1, 8),
)
JOBS, CANDIDATES, APPLICATIONS, CHANGES = 5, 40, 80, 3


def scenario_events() -> list[Event]:
    events = [ats.event("job.published", f"J-{j}", _job(j), tenant=TENANT) for j in range(JOBS)]
    events += [
        ats.event("candidate.created", f"C-{c}", _candidate(c), tenant=TENANT) for c in range(CANDIDATES)
    ]
    for a in range(APPLICATIONS):
        for step in range(CHANGES):
            application = ats.application(
                f"A-{a}",
                candidate_id=f"C-{a % CANDIDATES}",
                job_id=f"J-{a % JOBS}",
                status=("New", "Screen", "Interview")[step],
                step=step,
            )
            events.append(application.model_copy(update={"tenant": TENANT}))
    return events


def _job(j: int) -> dict[str, Any]:
    return {
        "job_id": f"J-{j}",
        "title": f"Engineer {j}",
        "description": "Builds engines",
        "location": {"city": "Berlin", "country_code": "DE"},
        "state": "published",
        "created_at": ats.at(0),
        "modified_at": ats.at(0),
    }


def _candidate(c: int) -> dict[str, Any]:
    return {
        "candidate_id": f"C-{c}",
        "first_name": f"First{c}",
        "last_name": f"Last{c}",
        "emails": [f"c{c}@example.com"],
        "created_at": ats.at(0),
        "modified_at": ats.at(0),
    }


def _tenant_status() -> str | None:
    with OpsUnitOfWork(get_store()) as ops:
        return ops.session.scalar(select(Tenant.status).where(Tenant.id == TENANT))


def run(pipeline: Pipeline, sweep_s: float) -> dict[str, Any]:
    phase = time.monotonic()

    def done(what: str) -> None:
        nonlocal phase
        print(f"{what}: {time.monotonic() - phase:.1f} s")
        phase = time.monotonic()

    pipeline.start_ingress()
    pipeline.start_scheduler()
    for queue, processes, threads in WORKERS:
        pipeline.start_workers(queue, queue, processes=processes, threads=threads)
    pipeline.control(
        "POST",
        "/apps",
        json={
            "clientId": CLIENT_ID,
            "clientSecret": SECRET,
            "organization": ORG,
            "contracts": [CONTRACT],
            "callbackUrl": f"{pipeline.ingress_url}/webhooks/linkedin/{TENANT}",
        },
    )
    created = pipeline.rsc(
        "tenant", "create", TENANT, "--org", ORG, "--client-id", CLIENT_ID, "--client-secret", SECRET,
        "--contract", CONTRACT, "--name", "Bench",
    )  # fmt: skip
    if created.returncode != 0:
        raise RuntimeError(f"rsc tenant create failed: {created.stdout}{created.stderr}")
    done("processes started, tenant created and onboarded")
    pipeline.control("POST", "/integration-status", json={"clientId": CLIENT_ID, "status": "ENABLED"})
    eventually(lambda: _tenant_status() == "enabled", timeout=120, what="the tenant to be enabled")
    done("tenant enabled")
    publisher = Publisher(settings=get_settings())
    publisher.publish_many(scenario_events())
    publisher.close()
    eventually(lambda: _job_on_linkedin(pipeline), timeout=120, what="J-0 on LinkedIn")
    done("events published, the jobs on LinkedIn")
    eventually(lambda: _stages_on_linkedin(pipeline) == APPLICATIONS * CHANGES, timeout=300, interval=0.2)
    done("then every application's stages on LinkedIn")
    pipeline.control(
        "POST",
        "/exports",
        json={
            "clientId": CLIENT_ID,
            "externalJobPostingId": "J-0",
            "candidate": {"member": "urn:li:person:bench1", "firstName": "Grace", "lastName": "Hopper"},
            "push": True,
        },
    )
    time.sleep(sweep_s)
    status = pipeline.rsc("tenant", "status", TENANT)
    if status.returncode != 0:
        raise RuntimeError(f"rsc tenant status failed: {status.stdout}{status.stderr}")
    done("export, sweeps and `rsc tenant status`")
    counters: dict[str, Any] = pipeline.control("GET", "/counters")
    # A sandbox that records the LinkedIn rules calls broke (not every version of it does).
    recorded = pipeline.http.get(f"{pipeline.sandbox_url}/_sandbox/violations")
    if recorded.status_code == 200:
        counters["violations"] = Counter(v["rule"] for v in recorded.json()["violations"])
    return counters


def _stages_on_linkedin(pipeline: Pipeline) -> int:
    response = pipeline.http.get(f"{pipeline.sandbox_url}/_sandbox/orgs/{ORG}/applications")
    if response.status_code != 200:
        return 0
    return sum(len(a.get("stages") or {}) for a in response.json().get("applications", []))


def _job_on_linkedin(pipeline: Pipeline) -> bool:
    response = pipeline.http.get(f"{pipeline.sandbox_url}/_sandbox/orgs/{ORG}/jobs")
    return response.status_code == 200 and bool(response.json().get("jobs"))


def summarise(counters: dict[str, Any]) -> tuple[Counter[str], Counter[int], int]:
    """Calls by ``METHOD resource``, by status, and token mints; the tenant's app only."""
    calls: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    for row in counters["calls"]:
        if row["app"] != CLIENT_ID:
            continue
        calls[f"{row['method']} {row['resource']}"] += row["calls"]
        statuses[row["status"]] += row["calls"]
    return calls, statuses, calls["POST oauth/accessToken"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--sweep-s", type=float, default=40.0, help="how long the scheduler sweeps")
    parser.add_argument(
        "--api-version", default="", help="RSC_LINKEDIN_API_VERSION of every process (default: the setting's)"
    )
    args = parser.parse_args()
    env = {"RSC_LINKEDIN_API_VERSION": args.api_version} if args.api_version else {}
    started = time.monotonic()
    with bench_pipeline(args.database, **env) as pipeline:
        counters = run(pipeline, args.sweep_s)
    calls, statuses, mints = summarise(counters)
    print(f"scenario on {args.database}, {time.monotonic() - started:.0f} s in all")
    print(f"{'calls':>6}  method and resource")
    for name, count in sorted(calls.items()):
        print(f"{count:6d}  {name}")
    print(f"{sum(calls.values()):6d}  in all; by status: {dict(sorted(statuses.items()))}")
    print(f"token mints: {mints}")
    if "violations" in counters:
        print(
            f"LinkedIn rules the calls broke (the sandbox's record): {dict(counters['violations']) or 'none'}"
        )


if __name__ == "__main__":
    main()
