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


_ACTION = typer.Argument(
    SandboxAction.SERVE,
    help="serve: run the sandbox. push-export: a recruiter exports a member, pushed to the app's "
    "callback. status-change: the customer enables or disables the integration.",
)
_PORT = typer.Option(None, help="Port (default RSC_SANDBOX_PORT).")
_HOST = typer.Option(None, help="Interface (default RSC_SANDBOX_HOST).")
_DB = typer.Option(None, "--db", help="SQLite file of the sandbox's state (default RSC_SANDBOX_DB).")
_SCENARIO = typer.Option(None, help="Scenario file (JSON) to seed at start-up.")
_CLOCK_SCALE = typer.Option(1.0, help="Sandbox time runs this many times faster than real time.")
_PARENT_CLIENT_ID = typer.Option("parent-client", help="The partner (parent) app's client id.")
_PARENT_CLIENT_SECRET = typer.Option("parent-secret", help="The partner (parent) app's secret.")
_TOKEN_TTL = typer.Option(1800, help="Access token lifetime, sandbox seconds.")
_JOB_TASK_DELAY = typer.Option(2.0, help="Sandbox seconds before a job posting task succeeds.")
_PUSH_RETRIES = typer.Option(6, help="Retries of a push the callback did not accept.")
_PUSH_BACKOFF = typer.Option(1.0, help="First retry delay of a push, real seconds (doubles).")
_RECORDS_PER_MINUTE = typer.Option(10_000, help="Records a minute per customer app.")
_CALLS_PER_DAY = typer.Option(100_000, help="Calls a day per customer app and endpoint family.")
_NO_RATE_LIMITS = typer.Option(False, help="Count but never throttle (benchmarks).")
_ERROR_RATE = typer.Option(0.0, help="Fraction of calls answered 500/503.")
_LATENCY_MS = typer.Option(0.0, help="Latency added to every call, ms.")
_LENIENT_FIELDS = typer.Option(False, help="Accept fields the reference does not list.")
_UNDOCUMENTED_SHAPES = typer.Option(
    False,
    help="Serve InMails, stubs, notes and seats in other plausible shapes (no viewer/owner, "
    "LinkedIn's visibility spellings, other field names).",
)
_LENIENT = typer.Option(
    False,
    help="Serve calls that break the liftable rules (headers, versions, enablement, batch size, window "
    "length) and accept unlisted fields; every breach is still recorded in /_sandbox/violations.",
)
_OLDEST_VERSION = typer.Option(
    None, help="Oldest LinkedIn-Version served, YYYYMM (default: two years before the sandbox clock)."
)
_SEED = typer.Option(None, help="Seed of the fault dice.")
_LOG_LEVEL = typer.Option("warning", help="uvicorn log level.")
_URL = typer.Option(None, help="push-export/status-change: the running sandbox (default http://HOST:PORT).")
_CLIENT_ID = typer.Option(None, help="push-export/status-change: the customer app.")
_ORG = typer.Option(None, help="push-export/status-change: the organization (urn or number).")
_JOB = typer.Option(None, help="push-export: externalJobPostingId the member is exported into.")
_MEMBER = typer.Option(None, help="push-export: the member's person URN (seeded, or with --first-name).")
_FIRST_NAME = typer.Option(None, help="push-export: export an inline member with this first name.")
_LAST_NAME = typer.Option(None, help="push-export: inline member's last name.")
_HEADLINE = typer.Option(None, help="push-export: inline member's headline.")
_EXPORTER = typer.Option(None, help="push-export: the exporting recruiter's seat URN.")
_STATUS = typer.Option("ENABLED", help="status-change: ENABLED or DISABLED.")


def run_sandbox(
    action: SandboxAction = _ACTION,
    port: int = _PORT,
    host: str = _HOST,
    db: str = _DB,
    scenario: str = _SCENARIO,
    clock_scale: float = _CLOCK_SCALE,
    parent_client_id: str = _PARENT_CLIENT_ID,
    parent_client_secret: str = _PARENT_CLIENT_SECRET,
    token_ttl: int = _TOKEN_TTL,
    job_task_delay: float = _JOB_TASK_DELAY,
    push_retries: int = _PUSH_RETRIES,
    push_backoff: float = _PUSH_BACKOFF,
    records_per_minute: int = _RECORDS_PER_MINUTE,
    calls_per_day: int = _CALLS_PER_DAY,
    no_rate_limits: bool = _NO_RATE_LIMITS,
    error_rate: float = _ERROR_RATE,
    latency_ms: float = _LATENCY_MS,
    lenient_fields: bool = _LENIENT_FIELDS,
    undocumented_shapes: bool = _UNDOCUMENTED_SHAPES,
    lenient: bool = _LENIENT,
    oldest_version: int = _OLDEST_VERSION,
    seed: int = _SEED,
    log_level: str = _LOG_LEVEL,
    url: str = _URL,
    client_id: str = _CLIENT_ID,
    org: str = _ORG,
    job: str = _JOB,
    member: str = _MEMBER,
    first_name: str = _FIRST_NAME,
    last_name: str = _LAST_NAME,
    headline: str = _HEADLINE,
    exporter: str = _EXPORTER,
    status: str = _STATUS,
) -> None:
    """Run the LinkedIn sandbox: a local HTTP server that behaves like LinkedIn's RSC partner API."""
    from rsc.settings import get_settings

    settings = get_settings()
    host = host or settings.sandbox_host
    port = port or settings.sandbox_port
    if action is not SandboxAction.SERVE:
        _push(
            action,
            url or f"http://{host}:{port}",
            client_id=client_id,
            org=org,
            job=job,
            member=member,
            inline={"firstName": first_name, "lastName": last_name, "headline": headline},
            exporter=exporter,
            status=status,
        )
        return
    from rsc.logs import configure_logging, get_logger
    from sandbox.config import version_setting
    from sandbox.server import serve

    try:
        oldest = version_setting(oldest_version)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--oldest-version") from None

    configure_logging(get_settings(), process="sandbox")
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


def _push(
    action: SandboxAction,
    base_url: str,
    *,
    client_id: str | None,
    org: str | None,
    job: str | None,
    member: str | None,
    inline: dict[str, str | None],
    exporter: str | None,
    status: str,
) -> None:
    """Ask a running sandbox to push an export, or a change of the integration's status."""
    target: dict[str, Any] = {"clientId": client_id} if client_id else {"organization": org}
    if not client_id and not org:
        raise typer.BadParameter("name the customer app with --client-id or --org")
    if action is SandboxAction.PUSH_EXPORT:
        if not job or not member:
            raise typer.BadParameter("push-export needs --job and --member")
        body: dict[str, Any] = {**target, "externalJobPostingId": job, "exporter": exporter, "wait": True}
        if inline["firstName"]:
            body["candidate"] = {"member": member, **inline}
        else:
            body["member"] = member
        _control(base_url, "/_sandbox/exports", body)
    else:
        _control(base_url, "/_sandbox/integration-status", {**target, "status": status.upper(), "wait": True})


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
