"""``rsc demo``: a demo tenant set up and enabled, a published job and a LinkedIn export, end to end."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from cli.sync import print_timeline
from rsc.settings import get_settings
from store.db import get_store

if TYPE_CHECKING:
    import httpx

    from linkedin.auth import AppCredentials
    from store.linkedin_sync import Resource
    from store.sync_ledger import RecordType

T = TypeVar("T")

TENANT = "demo"
ORG = "urn:li:organization:1000"
CONTRACT = "urn:li:contract:1000"
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
    """Onboard and enable a demo tenant, seed a job, have the sandbox push an export, show where it landed.

    Needs the pipeline running (`make run` in another terminal).
    """
    import httpx

    from rsc.settings import get_settings

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
    client_id = _onboard_demo_tenant(http, sandbox)
    _enable(http, sandbox, client_id, timeout)
    _publish_job(timeout)
    request_id, candidate_id, application_id = _export(http, sandbox, client_id, timeout)
    _show_in_linkedin(http, sandbox, candidate_id, timeout)
    _show_ledgers(request_id, candidate_id, application_id, timeout)
    typer.echo("")
    typer.echo("Where to look:")
    typer.echo(f"  the candidate in LinkedIn:  {sandbox}/_sandbox/orgs/{ORG}/candidates/{candidate_id}")
    typer.echo(f"  the application in LinkedIn: {sandbox}/_sandbox/orgs/{ORG}/applications")
    typer.echo(f"  the store:                  {settings.database_url}")
    typer.echo(f"  the integrations:            rsc tenant status {TENANT}")
    typer.echo(f"  records that do not sync:    rsc sync problems --tenant {TENANT}")
    typer.echo("  dead letters (none, we hope): rsc dlq list")


def _partner_credentials(http: httpx.Client, sandbox: str) -> AppCredentials:
    """The partner app's credentials: the settings', else those the sandbox was started with."""
    from linkedin.auth import AppCredentials
    from rsc.settings import get_settings

    settings = get_settings()
    if settings.partner_configured:
        return AppCredentials(settings.partner_client_id, settings.partner_client_secret)
    answer = http.get(f"{sandbox}/_sandbox/partner")
    answer.raise_for_status()
    return AppCredentials(answer.json()["clientId"], answer.json()["clientSecret"])


def _provision_demo_tenant(http: httpx.Client, sandbox: str) -> str:
    """The demo tenant's customer app provisioned by the partner app (found again on a rerun) and
    authorized by the customer for its organization and contract; the tenant registered (pending on
    the first run) with its credentials. Returns the app's client id."""
    from rsc.settings import get_settings
    from store.tenants import JobAvailability
    from store.uow import OpsUnitOfWork, UnitOfWork
    from workers.integration_lifecycle.partner_apps import provision_customer_app
    from workers.integration_lifecycle.registration import Registration, register_tenant
    from workers.runtime.wiring import forget_tenant, linkedin_clients

    partner = linkedin_clients().for_partner(_partner_credentials(http, sandbox))
    app, outcome = provision_customer_app(partner, TENANT, "Demo", get_settings())
    bound = http.get(f"{sandbox}/_sandbox/apps/{app.client_id}").json()
    # What the customer's admin does in LinkedIn's configuration plugin. Not enabled yet: the customer
    # enables it in Recruiter below, as the demo shows.
    binding: dict[str, Any] = {"contracts": [CONTRACT]}
    if bound.get("organization") != ORG:
        binding["organization"] = ORG
    http.put(f"{sandbox}/_sandbox/apps/{app.client_id}", json=binding).raise_for_status()
    registration = Registration(
        TENANT,
        ORG,
        app.client_id,
        app.client_secret,
        JobAvailability.PRIVATE,
        name="Demo",
        app_urn=app.app_urn,
    )
    with OpsUnitOfWork(get_store()) as ops:
        register_tenant(ops, registration, update=True)
    forget_tenant(TENANT)
    with UnitOfWork(TENANT, get_store()) as uow:
        uow.contracts.add(CONTRACT)
        uow.commit()
    typer.echo(f"1. the partner app provisioned the customer app {app.app_urn} ({outcome.value})")
    return app.client_id


def _onboard_demo_tenant(http: httpx.Client, sandbox: str) -> str:
    from events.publisher import get_publisher
    from store.uow import UnitOfWork
    from workers.integration_lifecycle.handlers import callback_url_for, onboard
    from workers.runtime.wiring import linkedin_for

    client_id = _provision_demo_tenant(http, sandbox)
    report = onboard(
        UnitOfWork(TENANT, get_store()),
        linkedin_for(TENANT),
        get_publisher(get_settings()),
        settings=get_settings(),
    )
    if report.refused:
        typer.secho(f"LinkedIn refused part of the onboarding: {report.refused}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"   tenant '{TENANT}' ({ORG}, contract {CONTRACT}) onboarded: {len(report.named)} integrations"
    )
    typer.echo(f"   named in LinkedIn, CALLBACK_URL {callback_url_for(TENANT, settings=get_settings())}")
    return client_id


def _enable(http: httpx.Client, sandbox: str, client_id: str, timeout: float) -> None:
    from store.tenants import TenantStatus
    from store.uow import OpsUnitOfWork

    def status() -> str:
        with OpsUnitOfWork(get_store()) as ops:
            return ops.tenants.require(TENANT).status

    if status() == TenantStatus.ENABLED:
        typer.echo("2. the integration is enabled already (verified with LinkedIn on an earlier run)")
        return
    # What the customer's admin does in Recruiter; LinkedIn then pushes INTEGRATION_STATUS_CHANGE.
    http.post(
        f"{sandbox}/_sandbox/integration-status",
        json={"clientId": client_id, "status": "ENABLED", "wait": True},
    ).raise_for_status()
    _wait(
        "the integration_lifecycle worker to verify the enablement (is `make run` running?)",
        lambda: status() == TenantStatus.ENABLED,
        timeout,
    )
    typer.echo("2. the customer enabled it in Recruiter; the pipeline verified it with LinkedIn and")
    typer.echo("   started the historical backfill (`rsc backfill status --tenant demo`)")


def _publish_job(timeout: float) -> None:
    from events.publisher import get_publisher
    from schemas.catalog import parse_event
    from store.linkedin_sync import Resource
    from store.sync_ledger import RecordType
    from store.uow import UnitOfWork

    now = datetime.now(UTC).isoformat()
    # Everything LinkedIn requires of a job (docs/events.md), so that it syncs.
    job = {
        "job_id": JOB_ID,
        "title": "Backend Engineer (demo)",
        "description": "Builds the services behind our recruiting product.",
        "location": {"city": "Berlin", "region": "Berlin", "country_code": "DE"},
        "state": "published",
        "created_at": now,
        "modified_at": now,
    }
    get_publisher(get_settings()).publish(
        parse_event(
            {"type": "ats.job.published.v1", "source": "cli://rsc-demo", "tenant": TENANT, "data": job}
        )
    )

    def job_stored() -> bool:
        with UnitOfWork(TENANT, get_store()) as uow:
            stored = uow.jobs.get(JOB_ID)
            return stored is not None and stored.is_published

    _wait("the status_push worker to store the job (is `make run` running?)", job_stored, timeout)
    _wait("the outbox sweep to send the job to LinkedIn", lambda: _settled(Resource.JOB, JOB_ID), timeout)
    _require_synced(RecordType.JOB, JOB_ID)
    typer.echo(f"3. job {JOB_ID} published in the ATS, stored and listed on LinkedIn")


def _export(http: httpx.Client, sandbox: str, client_id: str, timeout: float) -> tuple[str, str, str]:
    """Have the sandbox push an export of the demo member: its request id, and the candidate and
    application it was imported as."""
    from store.uow import UnitOfWork

    export = http.post(
        f"{sandbox}/_sandbox/exports",
        json={
            "clientId": client_id,
            "externalJobPostingId": JOB_ID,
            "candidate": MEMBER,
            "push": True,
            "wait": True,
        },
    )
    export.raise_for_status()
    request_id = export.json()["requestId"]
    name = f"{MEMBER['firstName']} {MEMBER['lastName']}"
    typer.echo(f"4. a recruiter exported {name} from LinkedIn (request {request_id})")

    def imported() -> tuple[str, str, str] | None:
        with UnitOfWork(TENANT, get_store()) as uow:
            record = uow.exports.get(request_id)
            return (record.outcome, record.candidate_id, record.application_id) if record else None

    outcome, candidate_id, application_id = _wait(
        "the profile_export worker to import the export", imported, timeout
    )
    typer.echo(f"5. imported ({outcome}): candidate {candidate_id}")
    typer.echo(f"   applied to {JOB_ID} as application {application_id}")
    return request_id, candidate_id, application_id


def _show_in_linkedin(http: httpx.Client, sandbox: str, candidate_id: str, timeout: float) -> None:
    def in_linkedin() -> Any:
        response = http.get(f"{sandbox}/_sandbox/orgs/{ORG}/candidates/{candidate_id}")
        body = response.json() if response.status_code == 200 else None
        return body if body and body.get("manualMatchedMember") else None

    remote = _wait("the outbox sweep to tell LinkedIn", in_linkedin, timeout)
    typer.echo(
        f"6. LinkedIn shows the member as in the ATS (manualMatchedMember {remote['manualMatchedMember']})"
    )


def _show_ledgers(request_id: str, candidate_id: str, application_id: str, timeout: float) -> None:
    """Wait for the application to reach LinkedIn, then print each record's sync ledger."""
    from store.linkedin_sync import Resource
    from store.sync_ledger import RecordType

    _wait(
        "the outbox sweep to send the application",
        lambda: _settled(Resource.APPLICATION, application_id),
        timeout,
    )
    _require_synced(RecordType.APPLICATION, application_id)
    typer.echo(f"7. the application {application_id} is on LinkedIn with its status")
    typer.echo("")
    typer.echo("Each record's sync ledger (`rsc sync show TYPE ID --tenant demo`):")
    for record_type, record_id in (
        (RecordType.JOB, JOB_ID),
        (RecordType.EXPORT, request_id),
        (RecordType.CANDIDATE, candidate_id),
        (RecordType.APPLICATION, application_id),
    ):
        typer.echo("")
        print_timeline(TENANT, _timeline(record_type, record_id))


def _settled(resource: Resource, record_id: str) -> bool:
    """Whether LinkedIn took the record's latest version, or refused it."""
    from store.uow import UnitOfWork

    with UnitOfWork(TENANT, get_store()) as uow:
        state = uow.outbox.state(resource, record_id)
        return state is not None and state.synced_version >= state.version


def _timeline(record_type: RecordType, record_id: str) -> dict[str, Any]:
    from store.uow import UnitOfWork
    from workers.ledger.report import timeline

    with UnitOfWork(TENANT, get_store()) as uow:
        return timeline(uow, record_type, record_id).to_json()


def _require_synced(record_type: RecordType, record_id: str) -> None:
    """Stop with the record's ledger when LinkedIn refused it: a demo shows only records that sync."""
    found = _timeline(record_type, record_id)
    if found["problem"] is not None:
        print_timeline(TENANT, found)
        typer.secho(
            f"LinkedIn did not take {record_type.value} {record_id}: see its ledger above", fg="red", err=True
        )
        raise typer.Exit(1)
