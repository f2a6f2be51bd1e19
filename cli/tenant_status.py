"""`rsc tenant status`: each integration's state as LinkedIn reports it, the tenant's status, its
backfill and what does not sync (the same report the ingress's ATS API serves)."""

from __future__ import annotations

from typing import Any

import typer

from cli import output
from rsc.settings import get_settings
from store.db import get_store

_STYLE = {"enabled": "green", "ENABLED": "green", "disabled": "red", "DISABLED": "red"}


def _styled(value: str) -> str:
    """The status coloured at a terminal; as it is elsewhere."""
    style = _STYLE.get(value) if output.is_terminal() else None
    return f"[{style}]{value}[/{style}]" if style else value


def _require(tenant_id: str) -> None:
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork(get_store()) as ops:
        if ops.tenants.get(tenant_id) is None:
            raise output.fail(f"no tenant {tenant_id!r}; create it with `rsc tenant create`")


def _secret(tenant_id: str) -> dict[str, Any]:
    from cli.tenant_secrets import secret_facts
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork(get_store()) as ops:
        return secret_facts(ops.tenants.require(tenant_id))


def status(
    tenant_id: str = typer.Argument(...),
    offline: bool = typer.Option(False, "--offline", help="Show what the store holds; do not ask LinkedIn."),
    as_json: bool = typer.Option(False, "--json", help="The status as one JSON object."),
) -> None:
    """Each integration's state as LinkedIn reports it, the tenant's status and its backfill."""
    from linkedin.errors import LinkedInRejected, LinkedInUnavailable
    from store.uow import UnitOfWork
    from workers.integration_lifecycle.handlers import integration_keys
    from workers.integration_status import integration_status
    from workers.runtime.wiring import linkedin_for

    _require(tenant_id)
    report = integration_status(tenant_id, get_store(), settings=get_settings())
    report["secret"] = _secret(tenant_id)
    with UnitOfWork(tenant_id, get_store()) as uow:
        keys = integration_keys(report["organization"], uow.contracts.urns())
    live: dict[tuple[str, str], str] = {}
    if not offline:
        try:
            readings = linkedin_for(tenant_id).integrations.statuses(keys)
            live = {(k[0].value, k[1]): r.status.value for k, r in readings.items()}
        except (LinkedInUnavailable, LinkedInRejected) as exc:
            report["note"] = f"LinkedIn could not be asked ({type(exc).__name__}); showing the stored states"
    stored = {(i["type"], i["context"]): i for i in report["integrations"]}
    report["integrations"] = [
        {
            "type": kind,
            "context": context,
            "name": stored.get((kind, context), {}).get("name"),
            "stored": stored.get((kind, context), {}).get("status", "NOT_NAMED"),
            "linkedin_now": live.get((kind, context)),
            "checked_at": stored.get((kind, context), {}).get("checked_at"),
        }
        for kind, context in [(k[0].value, k[1]) for k in keys]
    ]
    if as_json:
        output.json_line(report)
        return
    _print_status(tenant_id, report)


def _print_status(tenant_id: str, report: dict[str, Any]) -> None:
    from rsc.settings import get_settings

    enablement = report["enablement"]
    output.say(
        f"tenant [bold]{tenant_id}[/bold]: {_styled(enablement['status'])}"
        f"{' (legacy CSA integration)' if enablement['legacy_csa'] else ''} - {enablement['reason'] or ''}"
    )
    output.say(f"LinkedIn API version {get_settings().linkedin_api.describe()}")
    secret = report["secret"]
    rotated = secret["secret_rotated_at"] or "never"
    app = secret["app_urn"] or "typed in by hand"
    output.say(f"customer app {app}; client secret last rotated: {rotated}")
    if secret["secret_rotation_error"]:
        output.say(
            f"[red]secret rotation failed[/red] at {secret['secret_rotation_failed_at']}: "
            f"{secret['secret_rotation_error']}"
        )
    live = any(i["linkedin_now"] for i in report["integrations"])
    output.table(
        None,
        ("integration", "context", "name", "LinkedIn now" if live else "state", "stored", "checked"),
        [
            (
                i["type"],
                i["context"],
                i["name"] or "-",
                _styled(i["linkedin_now"] or i["stored"]),
                _styled(i["stored"]),
                i["checked_at"].isoformat(timespec="seconds") if i["checked_at"] else "-",
            )
            for i in report["integrations"]
        ],
    )
    if report.get("note"):
        output.say(f"[yellow]{report['note']}[/yellow]")
    if any(i["linkedin_now"] and i["linkedin_now"] != i["stored"] for i in report["integrations"]):
        output.say("LinkedIn reports another state than the store holds: `rsc tenant verify` applies it")
    run = report["backfill"]
    if run is not None:
        why = f" ({run['reason']})" if run["reason"] else ""
        output.say(
            f"{run['kind']} run {run['run']}: {run['state']}, {run['done']:,} of {run['total']:,} records"
            f"{why}; `rsc backfill status --tenant {tenant_id}`"
        )
    for contract in report["contracts"]:
        if contract["seats_error"]:
            failed_at, retry_at = contract["seats_failed_at"], contract["seats_retry_at"]
            output.say(
                f"[red]seats of {contract['contract']} could not be read[/red]: {contract['seats_error']} "
                f"(at {failed_at.isoformat(timespec='seconds') if failed_at else '?'}, "
                f"{contract['seats_failures']} in a row; next try "
                f"{retry_at.isoformat(timespec='seconds') if retry_at else '-'}); "
                f"the other contracts are read all the same"
            )
    seats = report["seats"]
    output.say(
        f"seats: {seats['mapped']} of {seats['active']} active seats connected to ATS users; "
        f"{len(seats['unmapped'])} with no user, {len(seats['users_without_seat'])} users with no seat"
    )
    if report["parked_items"]:
        parked = report["parked_items"]
        output.say(f"{parked} polled item(s) could not be read: `rsc parked list --tenant {tenant_id}`")
    for count in report["skipped_messages"]:
        output.say(
            f"{count['count']} {count['queue']} messages settled without running ({count['reason_code']}), "
            f"last {count['last']}"
        )
    _print_postings(report["job_postings"])
    problems = sum(report["sync_problems"].values())
    if problems:
        output.say(f"{problems} record(s) do not sync: `rsc sync problems --tenant {tenant_id}`")


def _print_postings(postings: dict[str, Any]) -> None:
    """Job postings LinkedIn failed (with its reason) or never confirmed, for on-call."""
    if not postings["failed"]:
        return
    output.say(f"[red]{len(postings['failed'])} job posting(s) not applied by LinkedIn[/red]:")
    output.table(
        None,
        ("job", "state", "task", "reason"),
        [(p["job_id"], p["state"], p["task"], p["message"] or "-") for p in postings["failed"]],
    )
