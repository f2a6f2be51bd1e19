"""``rsc backfill``: a tenant's one-time historical sync to LinkedIn (and purges): start, follow, pause."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import TYPE_CHECKING

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table

from cli import output
from rsc.settings import get_settings
from store.db import get_store

if TYPE_CHECKING:
    from workers.historical_backfill.dry_run import DryRun
    from workers.historical_backfill.progress import RunProgress

app = typer.Typer(
    help="The historical backfill of a tenant (queue historical_backfill).", no_args_is_help=True
)
console = Console()

TENANT = typer.Option(..., "--tenant", help="Tenant id.")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"


def render(run: RunProgress) -> Group:
    """Per phase: a bar, done of total, what happened to them, the ETA at the run's rate and on
    LinkedIn's real budget (until the phase is done); then the run's rate and ETA."""
    table = Table(
        "phase", "", "done / total", "sent", "refused", "waiting", "skipped", "ETA", "on LinkedIn's budget"
    )
    for phase in run.phases:
        remaining = max(0, phase.total - phase.done)
        current = run.phase == phase.resource
        eta = remaining / run.rate if current and run.rate else None
        label = f"[bold]{phase.resource}[/bold]" if current else phase.resource
        table.add_row(
            label + (" (done)" if phase.finished else ""),
            ProgressBar(total=max(phase.total, 1), completed=phase.done if phase.total else 1, width=30),
            f"{phase.done:,} / {phase.total:,}",
            f"{phase.sent:,}",
            f"{phase.rejected:,}",
            f"{phase.waiting:,}",
            f"{phase.skipped:,}",
            "done" if phase.finished else _duration(eta),
            "done" if phase.finished else _duration(phase.done_after_s),
        )
    rate = f"{run.rate:,.1f} records/s" if run.rate else "-"
    header = (
        f"{run.kind} run {run.run} of [bold]{run.tenant}[/bold]: {run.state}"
        f"{f' on {run.phase}' if run.phase else ''}; {run.done:,} of {run.total:,} records, "
        f"{rate}, ETA {_duration(run.eta_s)}"
    )
    notes = [
        f"{label}: {text}" for label, text in (("why", run.reason), ("last error", run.last_error)) if text
    ]
    return Group(header, table, *notes)


def _progress_or_exit(tenant: str) -> RunProgress:
    from store.uow import UnitOfWork
    from workers.historical_backfill.progress import progress

    run = progress(UnitOfWork(tenant, get_store()), settings=get_settings())
    if run is None:
        raise output.fail(
            f"tenant {tenant!r} has no backfill yet; it starts once LinkedIn confirms the integration "
            f"enabled (`rsc tenant status {tenant}`)"
        )
    return run


def _request_runner(tenant: str, run: int) -> None:
    from events.publisher import PublishError, get_publisher
    from store.uow import UnitOfWork
    from workers.shared.backfill_runs import request_runner

    try:
        request_runner(UnitOfWork(tenant, get_store()), run, get_publisher(get_settings()))
    except PublishError:
        console.print("[yellow]RabbitMQ did not take the request; the scheduler asks within a tick[/yellow]")


def _tenant_or_exit(tenant: str) -> str:
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork(get_store()) as ops:
        row = ops.tenants.get(tenant)
        if row is None:
            raise output.fail(f"no tenant {tenant!r}; create it with `rsc tenant create`")
        return row.status


@app.command()
def start(
    tenant: str = TENANT,
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be sent; change nothing."),
    follow: bool = typer.Option(False, "--follow", help="Show the progress until the run ends."),
) -> None:
    """Send every job, candidate, application (with its stages) and note of the tenant again, useful
    first: open jobs, then what was active in the last 90 days, then the rest.

    It starts by itself when LinkedIn confirms the integration enabled; start it by hand after data was
    repaired in bulk, or to re-sync a tenant.
    """
    from store.backfill import BackfillBusy, BackfillKind
    from store.tenants import TenantStatus
    from store.uow import UnitOfWork
    from workers.historical_backfill.dry_run import dry_run as count_dry_run
    from workers.shared.backfill_runs import start_run

    status = _tenant_or_exit(tenant)
    if dry_run:
        _print_dry_run(count_dry_run(lambda: UnitOfWork(tenant, get_store()), settings=get_settings()))
        return
    if status != TenantStatus.ENABLED:
        console.print(
            f"[red]tenant {tenant!r} is {status}[/red]: nothing is sent to LinkedIn before it confirms the "
            f"integration enabled; the backfill then starts by itself (`rsc tenant verify {tenant}`)"
        )
        raise typer.Exit(1)
    with UnitOfWork(tenant, get_store()) as uow:
        try:
            run = start_run(uow, BackfillKind.SYNC, reason="started by the operator")
        except BackfillBusy as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        uow.commit()
        number = run.run
    console.print(f"backfill run {number} of {tenant} started")
    _request_runner(tenant, number)
    if follow:
        _watch(tenant)


def _print_dry_run(result: DryRun) -> None:
    from rsc.settings import get_settings

    table = Table(
        "phase",
        "records",
        "would send",
        "refused",
        "waiting",
        "skipped",
        "stages",
        "calls",
        "ETA",
        "done after",
    )
    for c in result.counts:
        table.add_row(
            c.resource,
            f"{c.records:,}",
            f"{c.send:,}",
            f"{c.refuse:,}",
            f"{c.wait:,}",
            f"{c.skip:,}",
            f"{c.stages:,}" if c.resource == "application" else "",
            f"{c.calls:,}",
            _duration(c.eta_s),
            _duration(c.done_after_s),
        )
    console.print(table)
    settings = get_settings()
    share = settings.linkedin_bulk_share
    console.print(
        f"{result.linkedin_records:,} records for LinkedIn's rate limit; at the bulk share ({share:.0%} "
        f"of {settings.linkedin_records_per_minute:,} a minute and of {settings.linkedin_calls_per_day:,} "
        f"calls a day per endpoint) that is about {_duration(result.estimated_s)}. Nothing was changed."
    )


@app.command("status")
def show_status(
    tenant: str = TENANT,
    watch: bool = typer.Option(False, "--watch", help="Refresh every second until the run ends."),
    as_json: bool = typer.Option(False, "--json", help="The run's progress as one JSON object."),
) -> None:
    """Progress of the tenant's latest run: done and total per phase, rate and ETA (at the run's rate,
    and per phase on LinkedIn's real budget)."""
    _tenant_or_exit(tenant)
    if watch and not as_json and output.is_terminal():
        _watch(tenant)
        return
    run = _progress_or_exit(tenant)
    if as_json:
        output.json_line({**asdict(run), "done": run.done, "total": run.total})
    elif output.is_terminal():
        console.print(render(run))
    else:
        _plain(run)


def _plain(run: RunProgress) -> None:
    """The progress as plain lines and columns (no bars), for a pipe or ``kubectl exec``."""
    rate = f"{run.rate:,.1f} records/s" if run.rate else "-"
    output.say(
        f"{run.kind} run {run.run} of {run.tenant}: {run.state}{f' on {run.phase}' if run.phase else ''}; "
        f"{run.done} of {run.total} records, {rate}, ETA {_duration(run.eta_s)}"
    )
    output.table(
        None,
        ("phase", "done / total", "sent", "refused", "waiting", "skipped", "finished", "budget ETA"),
        [
            (
                p.resource,
                f"{p.done} / {p.total}",
                p.sent,
                p.rejected,
                p.waiting,
                p.skipped,
                "yes" if p.finished else "no",
                "-" if p.finished else _duration(p.done_after_s),
            )
            for p in run.phases
        ],
    )
    for label, text in (("why", run.reason), ("last error", run.last_error)):
        if text:
            output.say(f"{label}: {text}")


def _watch(tenant: str) -> None:
    run = _progress_or_exit(tenant)
    with Live(render(run), console=console, refresh_per_second=2) as live:
        while run.state == "running":
            time.sleep(1)
            run = _progress_or_exit(tenant)
            live.update(render(run))


@app.command()
def pause(
    tenant: str = TENANT,
    reason: str = typer.Option("paused by the operator", "--reason", help="Why (shown by status)."),
) -> None:
    """Pause the running backfill after its batch in flight; live changes keep flowing."""
    from store.backfill import BackfillState
    from store.uow import UnitOfWork

    _tenant_or_exit(tenant)
    with UnitOfWork(tenant, get_store()) as uow:
        run = uow.backfills.current()
        if run is None or run.state != BackfillState.RUNNING:
            console.print(f"[red]no running backfill for {tenant!r}[/red] ({run.state if run else 'none'})")
            raise typer.Exit(1)
        uow.backfills.pause(run, reason)
        uow.commit()
        number = run.run
    console.print(
        f"backfill run {number} of {tenant} paused; `rsc backfill resume --tenant {tenant}` goes on"
    )


@app.command()
def resume(tenant: str = TENANT) -> None:
    """Resume a paused backfill where it stopped."""
    from store.backfill import BackfillKind, BackfillState
    from store.tenants import TenantStatus
    from store.uow import UnitOfWork

    status = _tenant_or_exit(tenant)
    with UnitOfWork(tenant, get_store()) as uow:
        run = uow.backfills.current()
        if run is None or run.state != BackfillState.PAUSED:
            console.print(f"[red]no paused backfill for {tenant!r}[/red] ({run.state if run else 'none'})")
            raise typer.Exit(1)
        if run.kind == BackfillKind.SYNC and status != TenantStatus.ENABLED:
            console.print(
                f"[red]tenant {tenant!r} is {status}[/red]: a sync resumes only while it is enabled"
            )
            raise typer.Exit(1)
        uow.backfills.resume(run)
        uow.commit()
        number = run.run
    console.print(f"backfill run {number} of {tenant} resumed")
    _request_runner(tenant, number)
