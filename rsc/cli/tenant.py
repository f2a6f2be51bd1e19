"""``rsc tenant``: the ATS customers this pipeline serves."""

from __future__ import annotations

import re

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Tenants (ATS customers) and their LinkedIn customer apps.", no_args_is_help=True)
console = Console()

_ORG = re.compile(r"^urn:li:organization:\d+$")
_TENANT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@app.command()
def create(
    tenant_id: str = typer.Argument(..., help="Tenant id (a slug: lower-case letters, digits, - and _)."),
    org: str = typer.Option(..., "--org", help="LinkedIn organization URN, urn:li:organization:<id>."),
    client_id: str = typer.Option(..., "--client-id", help="The customer app's client id."),
    client_secret: str = typer.Option(
        ..., "--client-secret", envvar="RSC_TENANT_CLIENT_SECRET", help="The customer app's client secret."
    ),
    job_availability: str = typer.Option(
        "PRIVATE_TO_ATS_INTEGRATION", help="How jobs are posted: PUBLIC or PRIVATE_TO_ATS_INTEGRATION."
    ),
    update: bool = typer.Option(False, "--update", help="Change an existing tenant instead of failing."),
) -> None:
    """Register a tenant; its client secret is stored encrypted with RSC_SECRET_KEY."""
    from store.tenants import JobAvailability, Tenant
    from store.uow import OpsUnitOfWork

    if not _TENANT.match(tenant_id):
        raise typer.BadParameter("tenant id must be a slug: lower-case letters, digits, '-' and '_'")
    if not _ORG.match(org):
        raise typer.BadParameter("--org must look like urn:li:organization:<number>")
    availability = JobAvailability(job_availability)
    with OpsUnitOfWork() as ops:
        tenant = ops.tenants.get(tenant_id)
        if tenant is not None and not update:
            console.print(f"[red]tenant {tenant_id!r} exists[/red]; pass --update to change it")
            raise typer.Exit(1)
        if tenant is None:
            tenant = ops.tenants.add(Tenant(id=tenant_id))
        tenant.org_urn = org
        tenant.client_id = client_id
        tenant.client_secret = client_secret
        tenant.job_availability = availability.value
        ops.commit()
    console.print(f"tenant [bold]{tenant_id}[/bold] saved ({org})")


@app.command()
def show(tenant_id: str = typer.Argument(...)) -> None:
    """Show a tenant (never its secret)."""
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork() as ops:
        tenant = ops.tenants.get(tenant_id)
        if tenant is None:
            console.print(f"[red]no tenant {tenant_id!r}[/red]")
            raise typer.Exit(1)
        table = Table(show_header=False)
        for label, value in (
            ("tenant", tenant.id),
            ("organization", tenant.org_urn),
            ("client id", tenant.client_id),
            ("client secret", "(stored encrypted)"),
            ("status", tenant.status),
            ("job availability", tenant.job_availability),
            ("created", tenant.created_at.isoformat()),
        ):
            table.add_row(label, value)
    console.print(table)


@app.command("list")
def list_tenants() -> None:
    """List tenants."""
    from store.uow import OpsUnitOfWork

    table = Table("tenant", "organization", "status")
    with OpsUnitOfWork() as ops:
        for tenant in ops.tenants.all():
            table.add_row(tenant.id, tenant.org_urn, tenant.status)
    console.print(table)
