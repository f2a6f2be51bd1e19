"""``rsc tenant``: the ATS customers this pipeline serves, their integrations and their states."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import typer

from cli import output
from cli.tenant_secrets import customer_app, rotate_secret
from cli.tenant_status import _require, _styled, status
from rsc.settings import get_settings
from store.db import get_store

if TYPE_CHECKING:
    from workers.integration_lifecycle.handlers import OnboardingReport, Transition

app = typer.Typer(help="Tenants (ATS customers) and their LinkedIn customer apps.", no_args_is_help=True)
app.command()(status)
app.command("rotate-secret")(rotate_secret)

_ORG = re.compile(r"^urn:li:organization:\d+$")
_CONTRACT = re.compile(r"^urn:li:contract:\d+$")
_TENANT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@app.command()
def create(
    tenant_id: str = typer.Argument(..., help="Tenant id (a slug: lower-case letters, digits, - and _)."),
    org: str = typer.Option(..., "--org", help="LinkedIn organization URN, urn:li:organization:<id>."),
    client_id: str | None = typer.Option(
        None,
        "--client-id",
        help="The customer app's client id, for an app provisioned elsewhere; without it (and with "
        "RSC_PARTNER_CLIENT_ID set) the partner app provisions the customer's app.",
    ),
    client_secret: str | None = typer.Option(
        None, "--client-secret", envvar="RSC_TENANT_CLIENT_SECRET", help="The customer app's client secret."
    ),
    contracts: list[str] = typer.Option(
        [],
        "--contract",
        help="A Recruiter contract the customer selected, urn:li:contract:<id> (repeat for several). "
        "With --update the options replace the tenant's contracts: one left out is removed (its seats "
        "are no longer polled); without any --contract the contracts stay as they are.",
    ),
    name: str = typer.Option("", "--name", help="The customer's name, used in the integration names."),
    job_availability: str = typer.Option(
        "PRIVATE_TO_ATS_INTEGRATION", help="How jobs are posted: PUBLIC or PRIVATE_TO_ATS_INTEGRATION."
    ),
    job_posting_viewers: str | None = typer.Option(
        None,
        "--job-posting-viewers",
        help="Who sees the jobs in Recruiter: ALL_PRODUCT_USERS (new tenants), or ACL_BASED (each job's "
        "hiring team, as far as its users are connected to seats). Left out with --update: unchanged.",
    ),
    legacy_csa: bool = typer.Option(
        False,
        "--legacy-csa",
        help="The customer is on LinkedIn's old CSA integration: sync now, move to RSC when they enable it.",
    ),
    onboard_now: bool = typer.Option(
        True,
        "--onboard/--no-onboard",
        help="Name the integrations in LinkedIn and register the CALLBACK_URL now (`rsc tenant onboard`).",
    ),
    update: bool = typer.Option(False, "--update", help="Change an existing tenant instead of failing."),
) -> None:
    """Register a tenant (its client secret is stored encrypted with RSC_SECRET_KEY) and onboard it.

    With the partner app's credentials set (RSC_PARTNER_CLIENT_ID, RSC_PARTNER_CLIENT_SECRET) and no
    --client-id, the customer's app is provisioned through provisionedApplications (found again by
    the tenant id on a rerun); --client-id and --client-secret take an app provisioned elsewhere.

    A new tenant is pending: nothing of it is sent to LinkedIn until LinkedIn confirms that the
    customer enabled the integration in Recruiter. A legacy CSA customer syncs from the start.
    With --update, --contract options replace the tenant's contracts (`rsc seat contract-remove`
    removes one, or the last one).
    """
    from store.tenants import JobAvailability, JobPostingViewers
    from store.uow import OpsUnitOfWork
    from workers.integration_lifecycle.registration import (
        LegacyOnlyForNew,
        Registration,
        TenantExists,
        register_tenant,
    )

    _check_identifiers(tenant_id, org, contracts)
    if job_posting_viewers is not None and job_posting_viewers not in JobPostingViewers.__members__:
        raise typer.BadParameter("--job-posting-viewers must be ALL_PRODUCT_USERS or ACL_BASED")
    viewers = JobPostingViewers(job_posting_viewers) if job_posting_viewers is not None else None
    app = customer_app(tenant_id, name, client_id, client_secret)
    registration = Registration(
        tenant_id,
        org,
        app.client_id,
        app.client_secret,
        JobAvailability(job_availability),
        name,
        legacy_csa,
        app_urn=app.app_urn,
        job_posting_viewers=viewers,
    )
    try:
        with OpsUnitOfWork(get_store()) as ops:
            status = register_tenant(ops, registration, update=update)
    except TenantExists:
        raise output.fail(f"tenant {tenant_id!r} exists; pass --update to change it") from None
    except LegacyOnlyForNew:
        output.say("[red]--legacy-csa marks new tenants only[/red]; an existing tenant keeps its state")
        raise typer.Exit(1) from None
    _report_contracts(tenant_id, org, status, contracts)
    if viewers is not None:
        _follow_viewers(tenant_id)
    if onboard_now:
        _onboard(tenant_id)


def _check_identifiers(tenant_id: str, org: str, contracts: list[str]) -> None:
    if not _TENANT.match(tenant_id):
        raise typer.BadParameter("tenant id must be a slug: lower-case letters, digits, '-' and '_'")
    if not _ORG.match(org):
        raise typer.BadParameter("--org must look like urn:li:organization:<number>")
    for contract in contracts:
        if not _CONTRACT.match(contract):
            raise typer.BadParameter(f"--contract {contract!r} must look like urn:li:contract:<number>")


def _report_contracts(tenant_id: str, org: str, status: str, contracts: list[str]) -> None:
    """Replace the tenant's contracts when some were given, and say what was saved."""
    from store.uow import UnitOfWork
    from workers.prospect_polling.seat_mapping import set_contracts

    added: list[str] = []
    removed: list[str] = []
    if contracts:
        with UnitOfWork(tenant_id, get_store()) as uow:
            added, removed = set_contracts(uow, contracts, settings=get_settings())
            uow.commit()
    output.say(f"tenant [bold]{tenant_id}[/bold] saved ({org}), {_styled(status)}")
    for contract in added:
        output.say(f"contract {contract} added")
    for contract in removed:
        output.say(f"contract {contract} removed: its seats are no longer polled")


def _follow_viewers(tenant_id: str) -> None:
    """The jobs' ACLs follow the viewers setting (created for ACL_BASED, deleted otherwise)."""
    from store.uow import UnitOfWork
    from workers.shared.job_acl_push import mark_stale_job_acls

    with UnitOfWork(tenant_id, get_store()) as uow:
        marked = mark_stale_job_acls(uow)
        uow.commit()
    if marked:
        output.say(f"{marked} job ACL(s) to change on LinkedIn")


@app.command()
def onboard(tenant_id: str = typer.Argument(...)) -> None:
    """Name the tenant's integrations in LinkedIn and register its CALLBACK_URL (safe to repeat)."""
    _onboard(tenant_id)


def _onboard(tenant_id: str) -> None:
    from events.publisher import get_publisher
    from store.uow import UnitOfWork
    from workers.integration_lifecycle.handlers import onboard as run_onboarding
    from workers.runtime.wiring import linkedin_for

    _require(tenant_id)
    try:
        report = run_onboarding(
            UnitOfWork(tenant_id, get_store()),
            linkedin_for(tenant_id),
            get_publisher(get_settings()),
            settings=get_settings(),
        )
    except Exception as exc:
        output.say(
            f"[red]onboarding {tenant_id!r} failed: {type(exc).__name__}: {exc}[/red]\n"
            f"the tenant is saved; once LinkedIn answers, run `rsc tenant onboard {tenant_id}`"
        )
        raise typer.Exit(1) from None
    _print_onboarding(report)
    if report.refused:
        raise typer.Exit(1)


def _print_onboarding(report: OnboardingReport) -> None:
    for label in report.named:
        output.say(f"named {label}")
    for label, reason in report.refused.items():
        output.say(f"[red]LinkedIn refused {label}: {reason}[/red]")
    output.say(f"CALLBACK_URL {report.callback_url}")
    if not report.callback_url.startswith("https://"):
        output.say(
            "[yellow]LinkedIn only calls back over HTTPS (port 443): set RSC_PUBLIC_BASE_URL to the "
            "ingress's public https:// address[/yellow]"
        )
    _print_transition(report.transition)


def _print_transition(transition: Transition | None) -> None:
    if transition is None:
        return
    if transition.changed:
        output.say(f"status {transition.before} -> {_styled(transition.after)}")
    else:
        output.say(f"status {_styled(transition.after)} (unchanged)")
    if transition.stopped_run is not None:
        output.say(f"stopped backfill run {transition.stopped_run}")
    if transition.started_run is not None:
        output.say(f"started run {transition.started_run}; follow it with `rsc backfill status --watch`")


@app.command()
def show(
    tenant_id: str = typer.Argument(..., help="The tenant id, or a prefix of it only one tenant has."),
    as_json: bool = typer.Option(False, "--json", help="The tenant as one JSON object."),
) -> None:
    """Show a tenant (never its secret)."""
    from cli.tenant_secrets import secret_facts, secret_rows
    from store.uow import OpsUnitOfWork, UnitOfWork

    tenant_id = _resolve(tenant_id)
    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.tenants.require(tenant_id)
        record: dict[str, Any] = {
            "tenant": tenant.id,
            "name": tenant.display_name,
            "organization": tenant.org_urn,
            "client_id": tenant.client_id,
            "status": tenant.status,
            "why": tenant.status_reason,
            "legacy_csa": tenant.legacy_csa,
            "callback_url": tenant.callback_url,
            "job_availability": tenant.job_availability,
            "created": tenant.created_at.isoformat(),
            **secret_facts(tenant),
        }
    with UnitOfWork(tenant_id, get_store()) as uow:
        states = uow.contracts.states()
    record["contracts"] = [c.urn for c in states]
    record["contracts_read"] = [c.urn for c in states if c.read]
    record["seat_reads_failing"] = {c.urn: c.seats_error for c in states if c.seats_error}
    if as_json:
        output.json_line(record)
        return
    rows = [
        ("tenant", tenant_id),
        ("name", record["name"] or "-"),
        ("organization", record["organization"]),
        ("client id", record["client_id"]),
        ("client secret", "(stored encrypted)"),
        *secret_rows(record),
        ("status", _styled(record["status"])),
        ("why", record["why"] or "-"),
        ("legacy CSA", "yes" if record["legacy_csa"] else "no"),
        ("callback URL", record["callback_url"] or "(not registered: `rsc tenant onboard`)"),
        ("job availability", record["job_availability"]),
        ("created", record["created"]),
        ("contracts", ", ".join(record["contracts"]) or "-"),
        ("contracts read", ", ".join(record["contracts_read"]) or "none (`rsc seat list` says why)"),
    ]
    failing = [f"{urn} ({error})" for urn, error in record["seat_reads_failing"].items()]
    if failing:
        rows.append(("seat reads failing", ", ".join(failing)))
    output.facts(None, rows)


def _resolve(given: str) -> str:
    """The tenant ``given`` names: itself, or the one tenant whose id starts with it."""
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork(get_store()) as ops:
        ids = sorted(t.id for t in ops.tenants.all())
    if given in ids:
        return given
    matches = [i for i in ids if i.startswith(given)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise output.fail(
            f"{len(matches)} tenants start with {given!r} ({', '.join(matches[:5])}); give more"
        )
    raise output.fail(f"no tenant {given!r}; `rsc tenant list` shows them, `rsc tenant create` adds one")


@app.command()
def verify(tenant_id: str = typer.Argument(...)) -> None:
    """Read the integration states from LinkedIn and apply them (enable and backfill, or disable)."""
    from events.publisher import get_publisher
    from store.uow import UnitOfWork
    from workers.integration_lifecycle.handlers import verify as verify_with_linkedin
    from workers.runtime.wiring import linkedin_for

    _require(tenant_id)
    transition = verify_with_linkedin(
        UnitOfWork(tenant_id, get_store()), linkedin_for(tenant_id), get_publisher(get_settings())
    )
    _print_transition(transition)


@app.command()
def disable(
    tenant_id: str = typer.Argument(...),
    reason: str = typer.Option(
        ..., "--reason", help="Why (recorded with the status, shown by `rsc tenant show`)."
    ),
    purge_remote: bool = typer.Option(
        False, "--purge-remote", help="Also delete from LinkedIn the candidates and applications it holds."
    ),
    yes: bool = typer.Option(False, "--yes", help="Do not ask before purging."),
) -> None:
    """Stop every sync of the tenant to LinkedIn; its data stays in the store."""
    from events.publisher import get_publisher
    from store.uow import UnitOfWork
    from workers.integration_lifecycle.handlers import disable as disable_tenant

    _require(tenant_id)
    if purge_remote and not yes:
        typer.confirm(
            f"delete every candidate and application of {tenant_id!r} from LinkedIn (notes and stages "
            f"with them)?",
            abort=True,
        )
    transition = disable_tenant(
        UnitOfWork(tenant_id, get_store()), reason, get_publisher(get_settings()), purge_remote=purge_remote
    )
    _print_transition(transition)


@app.command("list")
def list_tenants(as_json: bool = typer.Option(False, "--json", help="One JSON object per tenant.")) -> None:
    """List tenants."""
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork(get_store()) as ops:
        rows: list[dict[str, Any]] = [
            {
                "tenant": tenant.id,
                "organization": tenant.org_urn,
                "status": tenant.status,
                "legacy_csa": tenant.legacy_csa,
                "since": tenant.status_changed_at.isoformat(timespec="seconds")
                if tenant.status_changed_at
                else None,
            }
            for tenant in ops.tenants.all()
        ]
    if as_json:
        for row in rows:
            output.json_line(row)
        return
    output.table(
        None,
        ("tenant", "organization", "status", "legacy CSA", "since"),
        [
            (
                r["tenant"],
                r["organization"],
                _styled(r["status"]),
                "yes" if r["legacy_csa"] else "",
                r["since"] or "-",
            )
            for r in rows
        ],
    )
