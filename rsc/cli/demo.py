"""``rsc demo``: a demo tenant, a published job and a LinkedIn export, end to end, in seconds."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import typer

T = TypeVar("T")

TENANT = "demo"
ORG = "urn:li:organization:1000"
CLIENT_ID = "demo-client"
JOB_ID = "DEMO-ENG-1"
#: A fictional member for the demo export.
MEMBER = {
    "member": "urn:li:person:demo-grace",
    "firstName": "Grace",
    "lastName": "Example",
    "headline": "Compiler engineer",
    "location": "Arlington, Virginia",
    "currentPositions": [{"companyName": "Example Systems", "title": "Compiler Engineer"}],
    "pastPositions": [{"companyName": "Navy Labs", "title": "Programmer"}],
    "educations": [{"schoolName": "Example University", "degree": "PhD Mathematics"}],
}


def _wait(what: str, check: Callable[[], T | None], timeout: float) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    typer.secho(f"timed out waiting for {what}", fg="red", err=True)
    raise typer.Exit(1)


def run_demo(
    timeout: float = typer.Option(30.0, help="Seconds to wait for each step."),
) -> None:
    """Seed a demo tenant and job, have the sandbox push an export, and show where it landed.

    Needs the pipeline running (`make run` in another terminal).
    """
    import httpx

    from events.publisher import get_publisher
    from rsc.settings import get_settings
    from schemas.catalog import parse_event
    from store.tenants import Tenant
    from store.uow import OpsUnitOfWork, UnitOfWork

    settings = get_settings()
    sandbox = settings.linkedin_api_url.rstrip("/")
    http = httpx.Client(timeout=10)
    try:
        http.get(f"{sandbox}/_sandbox/health").raise_for_status()
    except httpx.HTTPError:
        typer.secho(
            f"the LinkedIn sandbox does not answer at {sandbox}; start the pipeline with `make run`", fg="red"
        )
        raise typer.Exit(1) from None

    with OpsUnitOfWork() as ops:
        tenant = ops.tenants.get(TENANT)
        if tenant is None:
            tenant = ops.tenants.add(Tenant(id=TENANT, org_urn=ORG, client_id=CLIENT_ID))
            tenant.client_secret = secrets.token_urlsafe(24)
            ops.commit()
        secret = tenant.client_secret
    callback = f"{settings.public_base_url.rstrip('/')}/webhooks/linkedin/{TENANT}"
    app = {"clientId": CLIENT_ID, "clientSecret": secret, "organization": ORG, "callbackUrl": callback}
    if http.get(f"{sandbox}/_sandbox/apps/{CLIENT_ID}").status_code == 404:
        http.post(f"{sandbox}/_sandbox/apps", json=app).raise_for_status()
    else:
        http.put(f"{sandbox}/_sandbox/apps/{CLIENT_ID}", json={"callbackUrl": callback}).raise_for_status()
    typer.echo(f"1. tenant '{TENANT}' ({ORG}) with its LinkedIn app; callback {callback}")

    now = datetime.now(UTC).isoformat()
    job = {
        "job_id": JOB_ID,
        "title": "Backend Engineer (demo)",
        "state": "published",
        "created_at": now,
        "modified_at": now,
    }
    get_publisher().publish(
        parse_event(
            {"type": "ats.job.published.v1", "source": "cli://rsc-demo", "tenant": TENANT, "data": job}
        )
    )

    def job_stored() -> bool:
        with UnitOfWork(TENANT) as uow:
            stored = uow.jobs.get(JOB_ID)
            return stored is not None and stored.is_published

    _wait("the status_push worker to store the job (is `make run` running?)", job_stored, timeout)
    typer.echo(f"2. job {JOB_ID} published in the ATS and stored")

    export = http.post(
        f"{sandbox}/_sandbox/exports",
        json={
            "clientId": CLIENT_ID,
            "externalJobPostingId": JOB_ID,
            "candidate": MEMBER,
            "push": True,
            "wait": True,
        },
    )
    export.raise_for_status()
    request_id = export.json()["requestId"]
    name = f"{MEMBER['firstName']} {MEMBER['lastName']}"
    typer.echo(f"3. a recruiter exported {name} from LinkedIn (request {request_id})")

    def imported() -> tuple[str, str, str] | None:
        with UnitOfWork(TENANT) as uow:
            record = uow.exports.get(request_id)
            return (record.outcome, record.candidate_id, record.application_id) if record else None

    outcome, candidate_id, application_id = _wait(
        "the profile_export worker to import the export", imported, timeout
    )
    typer.echo(f"4. imported ({outcome}): candidate {candidate_id}")
    typer.echo(f"   applied to {JOB_ID} as application {application_id}")

    def in_linkedin() -> Any:
        response = http.get(f"{sandbox}/_sandbox/orgs/{ORG}/candidates/{candidate_id}")
        body = response.json() if response.status_code == 200 else None
        return body if body and body.get("manualMatchedMember") else None

    remote = _wait("the outbox sweep to tell LinkedIn", in_linkedin, timeout)
    typer.echo(
        f"5. LinkedIn shows the member as in the ATS (manualMatchedMember {remote['manualMatchedMember']})"
    )
    typer.echo("")
    typer.echo("Where to look:")
    typer.echo(f"  the candidate in LinkedIn:  {sandbox}/_sandbox/orgs/{ORG}/candidates/{candidate_id}")
    typer.echo(f"  the application in LinkedIn: {sandbox}/_sandbox/orgs/{ORG}/applications")
    typer.echo(f"  the store:                  {settings.database_url}")
    typer.echo("  dead letters (none, we hope): rsc dlq list")
