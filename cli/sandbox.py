"""``rsc sandbox``: the bundled LinkedIn sandbox server, and pushes to a running one."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import typer


class SandboxAction(StrEnum):
    SERVE = "serve"
    PUSH_EXPORT = "push-export"
    STATUS_CHANGE = "status-change"


def run_sandbox(
    action: SandboxAction = typer.Argument(
        SandboxAction.SERVE,
        help="serve: run the sandbox. push-export: a recruiter exports a member, pushed to the app's "
        "callback. status-change: the customer enables or disables the integration.",
    ),
    port: int = typer.Option(None, help="Port (default RSC_SANDBOX_PORT)."),
    host: str = typer.Option(None, help="Interface (default RSC_SANDBOX_HOST)."),
    db: str = typer.Option(None, "--db", help="SQLite file of the sandbox's state (default RSC_SANDBOX_DB)."),
    scenario: str = typer.Option(None, help="Scenario file (JSON) to seed at start-up."),
    clock_scale: float = typer.Option(1.0, help="Sandbox time runs this many times faster than real time."),
    parent_client_id: str = typer.Option("parent-client", help="The partner (parent) app's client id."),
    parent_client_secret: str = typer.Option("parent-secret", help="The partner (parent) app's secret."),
    token_ttl: int = typer.Option(1800, help="Access token lifetime, sandbox seconds."),
    job_task_delay: float = typer.Option(2.0, help="Sandbox seconds before a job posting task succeeds."),
    push_retries: int = typer.Option(6, help="Retries of a push the callback did not accept."),
    push_backoff: float = typer.Option(1.0, help="First retry delay of a push, real seconds (doubles)."),
    records_per_minute: int = typer.Option(10_000, help="Records a minute per customer app."),
    calls_per_day: int = typer.Option(100_000, help="Calls a day per customer app and endpoint family."),
    no_rate_limits: bool = typer.Option(False, help="Count but never throttle (benchmarks)."),
    error_rate: float = typer.Option(0.0, help="Fraction of calls answered 500/503."),
    latency_ms: float = typer.Option(0.0, help="Latency added to every call, ms."),
    lenient_fields: bool = typer.Option(False, help="Accept fields the reference does not list."),
    undocumented_shapes: bool = typer.Option(
        False,
        help="Serve InMails, stubs, notes and seats in other plausible shapes (no viewer/owner, "
        "LinkedIn's visibility spellings, other field names).",
    ),
    lenient: bool = typer.Option(
        False,
        help="Serve calls that break the liftable rules (headers, versions, enablement, batch size, window "
        "length) and accept unlisted fields; every breach is still recorded in /_sandbox/violations.",
    ),
    oldest_version: int = typer.Option(
        None, help="Oldest LinkedIn-Version served, YYYYMM (default: two years before the sandbox clock)."
    ),
    seed: int = typer.Option(None, help="Seed of the fault dice."),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
    url: str = typer.Option(
        None, help="push-export/status-change: the running sandbox (default http://HOST:PORT)."
    ),
    client_id: str = typer.Option(None, help="push-export/status-change: the customer app."),
    org: str = typer.Option(None, help="push-export/status-change: the organization (urn or number)."),
    job: str = typer.Option(None, help="push-export: externalJobPostingId the member is exported into."),
    member: str = typer.Option(
        None, help="push-export: the member's person URN (seeded, or with --first-name)."
    ),
    first_name: str = typer.Option(None, help="push-export: export an inline member with this first name."),
    last_name: str = typer.Option(None, help="push-export: inline member's last name."),
    headline: str = typer.Option(None, help="push-export: inline member's headline."),
    exporter: str = typer.Option(None, help="push-export: the exporting recruiter's seat URN."),
    status: str = typer.Option("ENABLED", help="status-change: ENABLED or DISABLED."),
) -> None:
    """Run the LinkedIn sandbox: a local HTTP server that behaves like LinkedIn's RSC partner API."""
    from rsc.settings import get_settings

    settings = get_settings()
    host = host or settings.sandbox_host
    port = port or settings.sandbox_port
    if action is SandboxAction.SERVE:
        from rsc.logs import configure_logging, get_logger
        from sandbox.config import version_setting
        from sandbox.server import serve

        try:
            oldest = version_setting(oldest_version)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--oldest-version") from None

        configure_logging(process="sandbox")
        get_logger(__name__).info(
            "LinkedIn sandbox starting", url=f"http://{host}:{port}", path=db or settings.sandbox_db
        )
        serve(
            host,
            port,
            db or settings.sandbox_db,
            log_level=log_level,
            scenario=scenario,
            clock_scale=clock_scale,
            parent_client_id=parent_client_id,
            parent_client_secret=parent_client_secret,
            token_ttl_s=token_ttl,
            job_task_delay_s=job_task_delay,
            push_retries=push_retries,
            push_backoff_s=push_backoff,
            records_per_minute=records_per_minute,
            calls_per_day=calls_per_day,
            enforce=not no_rate_limits,
            error_rate=error_rate,
            latency_ms=latency_ms,
            strict_fields=not (lenient_fields or lenient),
            strict=not lenient,
            oldest_version=oldest,
            undocumented_shapes=undocumented_shapes,
            seed=seed,
        )
        return
    target: dict[str, Any] = {"clientId": client_id} if client_id else {"organization": org}
    if not client_id and not org:
        raise typer.BadParameter("name the customer app with --client-id or --org")
    if action is SandboxAction.PUSH_EXPORT:
        if not job or not member:
            raise typer.BadParameter("push-export needs --job and --member")
        body: dict[str, Any] = {**target, "externalJobPostingId": job, "exporter": exporter, "wait": True}
        if first_name:
            body["candidate"] = {
                "member": member,
                "firstName": first_name,
                "lastName": last_name,
                "headline": headline,
            }
        else:
            body["member"] = member
        _control(url or f"http://{host}:{port}", "/_sandbox/exports", body)
    else:
        _control(
            url or f"http://{host}:{port}",
            "/_sandbox/integration-status",
            {**target, "status": status.upper(), "wait": True},
        )


def _control(base_url: str, path: str, body: dict[str, Any]) -> None:
    import httpx

    try:
        response = httpx.post(base_url.rstrip("/") + path, json=body, timeout=300)
    except httpx.HTTPError as exc:
        typer.echo(f"cannot reach the sandbox at {base_url}: {exc}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(json.dumps(response.json(), indent=2))
    if response.status_code >= 400:
        raise typer.Exit(code=1)
