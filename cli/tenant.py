"""``rsc tenant``: the ATS customers this pipeline serves, their integrations and their states."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from linkedin.integrations import IntegrationKey
    from store.skipped_messages import SkippedCount
    from workers.integration_lifecycle.handlers import OnboardingReport, Transition

app = typer.Typer(help="Tenants (ATS customers) and their LinkedIn customer apps.", no_args_is_help=True)
console = Console()

_ORG = re.compile(r"^urn:li:organization:\d+$")
_CONTRACT = re.compile(r"^urn:li:contract:\d+$")
_TENANT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_STYLE = {"enabled": "green", "ENABLED": "green", "disabled": "red", "DISABLED": "red"}


def _styled(value: str) -> str:
    style = _STYLE.get(value)
    return f"[{style}]{value}[/{style}]" if style else value


@app.command()
def create(
    tenant_id: str = typer.Argument(..., help="Tenant id (a slug: lower-case letters, digits, - and _)."),
    org: str = typer.Option(..., "--org", help="LinkedIn organization URN, urn:li:organization:<id>."),
    client_id: str = typer.Option(..., "--client-id", help="The customer app's client id."),
    client_secret: str = typer.Option(
        ..., "--client-secret", envvar="RSC_TENANT_CLIENT_SECRET", help="The customer app's client secret."
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

    A new tenant is pending: nothing of it is sent to LinkedIn until LinkedIn confirms that the
    customer enabled the integration in Recruiter. A legacy CSA customer syncs from the start.
    With --update, --contract options replace the tenant's contracts (`rsc seat contract-remove`
    removes one, or the last one).
    """
    from store.tenants import JobAvailability
    from store.uow import OpsUnitOfWork
    from workers.integration_lifecycle.registration import (
        LegacyOnlyForNew,
        Registration,
        TenantExists,
        register_tenant,
    )

    _check_identifiers(tenant_id, org, contracts)
    registration = Registration(
        tenant_id, org, client_id, client_secret, JobAvailability(job_availability), name, legacy_csa
    )
    try:
        with OpsUnitOfWork() as ops:
            status = register_tenant(ops, registration, update=update)
    except TenantExists:
        console.print(f"[red]tenant {tenant_id!r} exists[/red]; pass --update to change it")
        raise typer.Exit(1) from None
    except LegacyOnlyForNew:
        console.print("[red]--legacy-csa marks new tenants only[/red]; an existing tenant keeps its state")
        raise typer.Exit(1) from None
    _report_contracts(tenant_id, org, status, contracts)
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
        with UnitOfWork(tenant_id) as uow:
            added, removed = set_contracts(uow, contracts)
            uow.commit()
    console.print(f"tenant [bold]{tenant_id}[/bold] saved ({org}), {_styled(status)}")
    for contract in added:
        console.print(f"contract {contract} added")
    for contract in removed:
        console.print(f"contract {contract} removed: its seats are no longer polled")


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
        report = run_onboarding(UnitOfWork(tenant_id), linkedin_for(tenant_id), get_publisher())
    except Exception as exc:
        console.print(
            f"[red]onboarding {tenant_id!r} failed: {type(exc).__name__}: {exc}[/red]\n"
            f"the tenant is saved; once LinkedIn answers, run `rsc tenant onboard {tenant_id}`"
        )
        raise typer.Exit(1) from None
    _print_onboarding(report)
    if report.refused:
        raise typer.Exit(1)


def _print_onboarding(report: OnboardingReport) -> None:
    for label in report.named:
        console.print(f"named {label}")
    for label, reason in report.refused.items():
        console.print(f"[red]LinkedIn refused {label}: {reason}[/red]")
    console.print(f"CALLBACK_URL {report.callback_url}")
    if not report.callback_url.startswith("https://"):
        console.print(
            "[yellow]LinkedIn only calls back over HTTPS (port 443): set RSC_PUBLIC_BASE_URL to the "
            "ingress's public https:// address[/yellow]"
        )
    _print_transition(report.transition)


def _print_transition(transition: Transition | None) -> None:
    if transition is None:
        return
    if transition.changed:
        console.print(f"status {transition.before} -> {_styled(transition.after)}")
    else:
        console.print(f"status {_styled(transition.after)} (unchanged)")
    if transition.stopped_run is not None:
        console.print(f"stopped backfill run {transition.stopped_run}")
    if transition.started_run is not None:
        console.print(f"started run {transition.started_run}; follow it with `rsc backfill status --watch`")


def _require(tenant_id: str) -> None:
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork() as ops:
        if ops.tenants.get(tenant_id) is None:
            console.print(f"[red]no tenant {tenant_id!r}[/red]; create it with `rsc tenant create`")
            raise typer.Exit(1)


@app.command()
def show(tenant_id: str = typer.Argument(...)) -> None:
    """Show a tenant (never its secret)."""
    from store.uow import OpsUnitOfWork, UnitOfWork

    _require(tenant_id)
    with OpsUnitOfWork() as ops:
        tenant = ops.tenants.require(tenant_id)
        rows = [
            ("tenant", tenant.id),
            ("name", tenant.display_name or "-"),
            ("organization", tenant.org_urn),
            ("client id", tenant.client_id),
            ("client secret", "(stored encrypted)"),
            ("status", _styled(tenant.status)),
            ("why", tenant.status_reason or "-"),
            ("legacy CSA", "yes" if tenant.legacy_csa else "no"),
            ("callback URL", tenant.callback_url or "(not registered: `rsc tenant onboard`)"),
            ("job availability", tenant.job_availability),
            ("created", tenant.created_at.isoformat()),
        ]
    with UnitOfWork(tenant_id) as uow:
        states = uow.contracts.states()
    rows.append(("contracts", ", ".join(c.urn for c in states) or "-"))
    rows.append(
        ("contracts read", ", ".join(c.urn for c in states if c.read) or "none (`rsc seat list` says why)")
    )
    failing = [f"{c.urn} ({c.seats_error})" for c in states if c.seats_error]
    if failing:
        rows.append(("seat reads failing", ", ".join(failing)))
    table = Table(show_header=False)
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)


@app.command()
def status(
    tenant_id: str = typer.Argument(...),
    offline: bool = typer.Option(False, "--offline", help="Show what the store holds; do not ask LinkedIn."),
) -> None:
    """Each integration's state as LinkedIn reports it, the tenant's status and its backfill."""
    from rsc.settings import get_settings
    from store.uow import OpsUnitOfWork, UnitOfWork
    from workers.integration_lifecycle.handlers import integration_keys

    _require(tenant_id)
    with OpsUnitOfWork() as ops:
        tenant = ops.tenants.require(tenant_id)
        tenant_status, reason, legacy, org = (
            tenant.status,
            tenant.status_reason,
            tenant.legacy_csa,
            tenant.org_urn,
        )
        skipped = ops.skipped_messages.counts(tenant_id)
    with UnitOfWork(tenant_id) as uow:
        stored = {
            (i.integration_type, i.context): (
                i.status,
                i.name,
                i.checked_at.isoformat(timespec="seconds") if i.checked_at else "-",
            )
            for i in uow.integrations.all()
        }
        keys = integration_keys(org, uow.contracts.urns())
    live, note = ({}, "") if offline else _live_states(tenant_id, keys)
    console.print(
        f"tenant [bold]{tenant_id}[/bold]: {_styled(tenant_status)}"
        f"{' (legacy CSA integration)' if legacy else ''} - {reason or ''}"
    )
    console.print(f"LinkedIn API version {get_settings().linkedin_api.describe()}", highlight=False)
    _print_integrations(keys, stored, live)
    if note:
        console.print(f"[yellow]{note}[/yellow]")
    differs = [key for key, state in live.items() if state != stored.get(key, ("NOT_NAMED",))[0]]
    if differs:
        console.print("LinkedIn reports another state than the store holds: `rsc tenant verify` applies it")
    _print_backlog(tenant_id, skipped)


def _live_states(tenant_id: str, keys: list[IntegrationKey]) -> tuple[dict[tuple[str, str], str], str]:
    """Each integration's state as LinkedIn reports it now, or a note saying why it could not be asked."""
    from linkedin.errors import LinkedInRejected, LinkedInUnavailable
    from workers.runtime.wiring import linkedin_for

    try:
        readings = linkedin_for(tenant_id).integrations.statuses(keys)
    except (LinkedInUnavailable, LinkedInRejected) as exc:
        return {}, f"LinkedIn could not be asked ({type(exc).__name__}); showing the stored states"
    return {(k[0].value, k[1]): r.status.value for k, r in readings.items()}, ""


def _print_integrations(
    keys: list[IntegrationKey],
    stored: dict[tuple[str, str], tuple[str, str | None, str]],
    live: dict[tuple[str, str], str],
) -> None:
    table = Table("integration", "context", "name", "LinkedIn now" if live else "state", "stored", "checked")
    for integration_type, context in [(k[0].value, k[1]) for k in keys]:
        state, name, checked = stored.get((integration_type, context), ("NOT_NAMED", None, "-"))
        table.add_row(
            integration_type,
            context,
            name or "-",
            _styled(live.get((integration_type, context), state)),
            _styled(state),
            checked,
        )
    console.print(table)


def _print_backlog(tenant_id: str, skipped: list[SkippedCount]) -> None:
    """The tenant's backfill run, seat reads that fail, parked items and settled messages."""
    from store.uow import UnitOfWork
    from workers.historical_backfill.progress import progress

    run = progress(UnitOfWork(tenant_id))
    if run is not None:
        console.print(
            f"{run.kind} run {run.run}: {run.state}, {run.done:,} of {run.total:,} records"
            f"{f' ({run.reason})' if run.reason else ''}; `rsc backfill status --tenant {tenant_id}`"
        )
    with UnitOfWork(tenant_id) as uow:
        failing = [c for c in uow.contracts.states() if c.seats_error]
        parked = uow.parked_items.count_waiting()
    for contract in failing:
        failed_at = (
            contract.seats_failed_at.isoformat(timespec="seconds") if contract.seats_failed_at else "?"
        )
        retry_at = contract.seats_retry_at.isoformat(timespec="seconds") if contract.seats_retry_at else "-"
        console.print(
            f"[red]seats of {contract.urn} could not be read[/red]: {contract.seats_error} "
            f"(at {failed_at}, {contract.seats_failures} in a row; next try {retry_at}); "
            f"the other contracts are read all the same"
        )
    if parked:
        console.print(f"{parked} polled item(s) could not be read: `rsc parked list --tenant {tenant_id}`")
    for count in skipped:
        console.print(
            f"{count.count} {count.queue} messages settled without running ({count.reason_code}), "
            f"last {count.last.isoformat(timespec='seconds')}"
        )


@app.command()
def verify(tenant_id: str = typer.Argument(...)) -> None:
    """Read the integration states from LinkedIn and apply them (enable and backfill, or disable)."""
    from events.publisher import get_publisher
    from store.uow import UnitOfWork
    from workers.integration_lifecycle.handlers import verify as verify_with_linkedin
    from workers.runtime.wiring import linkedin_for

    _require(tenant_id)
    transition = verify_with_linkedin(UnitOfWork(tenant_id), linkedin_for(tenant_id), get_publisher())
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
    transition = disable_tenant(UnitOfWork(tenant_id), reason, get_publisher(), purge_remote=purge_remote)
    _print_transition(transition)


@app.command("list")
def list_tenants() -> None:
    """List tenants."""
    from store.uow import OpsUnitOfWork

    table = Table("tenant", "organization", "status", "legacy CSA", "since")
    with OpsUnitOfWork() as ops:
        for tenant in ops.tenants.all():
            since = (
                tenant.status_changed_at.isoformat(timespec="seconds") if tenant.status_changed_at else "-"
            )
            table.add_row(
                tenant.id, tenant.org_urn, _styled(tenant.status), "yes" if tenant.legacy_csa else "", since
            )
    console.print(table)
