"""The control API under ``/_sandbox/``: what tests and benchmarks use to steer and inspect the
sandbox. It needs no token, is never faulted and never counted as a LinkedIn call."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from sandbox import scenario, traffic
from sandbox.apps import App
from sandbox.control_protocol import PUSH_WAIT_S, ControlError, control_route, organization_urn, read_json
from sandbox.enablement import IntegrationStatus, IntegrationType, enablement_view, set_status
from sandbox.exports import add_purged, create_export
from sandbox.inspection import org_record, org_resource, push_detail, pushes
from sandbox.integrations import change_status
from sandbox.state import Sandbox

RESET_PARTS = ("counters", "log", "rate", "violations", "data", "apps")
#: What ``POST /_sandbox/reset`` with no parts resets. Violations are not among them: a test that
#: resets counters between phases must not lose the record of a broken rule.
DEFAULT_RESET = ("counters", "log", "rate")


def _app(sandbox: Sandbox, body: dict[str, Any]) -> App:
    """The customer app a control call is about: by ``clientId``, else by ``organization``."""
    if body.get("clientId"):
        app = sandbox.apps.get(body["clientId"])
        if app is None:
            raise ControlError(404, f"no app with client id {body['clientId']!r}")
        return app
    if body.get("organization"):
        app = sandbox.apps.for_organization(organization_urn(str(body["organization"])))
        if app is None:
            raise ControlError(404, f"no app is bound to {body['organization']}")
        return app
    raise ControlError(400, "name the app with 'clientId' or 'organization'")


# clock, settings, limits, faults


async def clock(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    if request.method == "PUT":
        body = await read_json(request)
        if "now" in body:
            sandbox.clock.set_now(int(body["now"]))
        if "advance_s" in body:
            sandbox.clock.advance(float(body["advance_s"]))
        if "scale" in body:
            sandbox.clock.set_scale(float(body["scale"]))
    now = sandbox.clock.now_ms()
    return {
        "now": now,
        "iso": datetime.fromtimestamp(now / 1000, UTC).isoformat(),
        "scale": sandbox.clock.scale,
    }


async def settings(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    if request.method == "PUT":
        sandbox.settings.update(await read_json(request))
        sandbox.metrics.resize_log(sandbox.settings.request_log_size)
    return asdict(sandbox.settings)


async def limits(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    current = sandbox.limiter.limits
    if request.method == "PUT":
        body = await read_json(request)
        for name in ("records_per_minute", "calls_per_day"):
            if name in body:
                value = body[name]
                setattr(current, name, None if value is None else int(value))
        if "enforce" in body:
            current.enforce = bool(body["enforce"])
        unknown = set(body) - {"records_per_minute", "calls_per_day", "enforce"}
        if unknown:
            raise ControlError(400, f"unknown limit(s) {sorted(unknown)}")
    return asdict(current)


async def faults(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    if request.method == "PUT":
        sandbox.faults.update(await read_json(request))
    elif request.method == "DELETE":
        sandbox.faults.clear()
    return sandbox.faults.view()


# counters, request log, reset


async def counters(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    return {"calls": sandbox.metrics.counters(), **sandbox.limiter.snapshot()}


async def requests(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    params = request.query_params
    limit = int(params["limit"]) if "limit" in params else None
    entries = sandbox.metrics.requests(
        limit=limit, path_prefix=params.get("path_prefix", ""), since=int(params.get("since", 0))
    )
    return {"requests": entries}


async def reset(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    parts = set((await read_json(request)).get("parts", DEFAULT_RESET))
    unknown = parts - set(RESET_PARTS)
    if unknown:
        raise ControlError(400, f"unknown reset part(s) {sorted(unknown)}; known: {', '.join(RESET_PARTS)}")
    sandbox.reset(parts)
    return {"reset": sorted(parts)}


# violations


async def violations(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    params = request.query_params
    found = sandbox.violations.list(since=int(params.get("since", 0)), rule=params.get("rule", ""))
    return {"violations": found, "dropped": sandbox.violations.dropped}


# apps


def app_view(sandbox: Sandbox, app: App) -> dict[str, Any]:
    return {**app.view(), "enabled": enablement_view(sandbox, app)}


def _enabled_flag(enabled: Any, organization: str | None) -> bool | None:
    if enabled is None:
        return None
    if not isinstance(enabled, bool):
        raise ControlError(400, f"'enabled' takes true or false, got {enabled!r}")
    if enabled and organization is None:
        raise ControlError(400, "an app needs an 'organization' before its integrations can be enabled")
    return enabled


def apply_enabled(sandbox: Sandbox, app: App, enabled: bool | None, *, created: bool = False) -> None:
    """``"enabled": true`` makes the app an onboarded customer's: every integration of its organization
    and contracts ENABLED, as if the customer had switched them on in Recruiter before the test (no
    push). ``false`` marks an existing app's DISABLED and leaves a new app's not enabled (nor named)."""
    if enabled is None or app.organization is None or (created and not enabled):
        return
    status = IntegrationStatus.ENABLED if enabled else IntegrationStatus.DISABLED
    with sandbox.db.transaction():
        set_status(sandbox, app, status)


async def apps(sandbox: Sandbox, request: Request) -> Any:
    if request.method == "GET":
        return {"apps": [app_view(sandbox, app) for app in sandbox.apps.all()]}
    body = await read_json(request)
    organization = organization_urn(str(body["organization"])) if body.get("organization") else None
    enabled = _enabled_flag(body.get("enabled", organization is not None), organization)
    try:
        app = sandbox.apps.create(
            client_id=body.get("clientId"),
            client_secret=body.get("clientSecret"),
            organization=organization,
            contracts=list(body.get("contracts", [])),
            callback_url=body.get("callbackUrl"),
            unique_foreign_id=body.get("uniqueForeignId"),
        )
    except ValueError as error:
        raise ControlError(409, str(error)) from None
    # An app made here is an onboarded customer's unless the test says otherwise (see the docs).
    apply_enabled(sandbox, app, enabled, created=True)
    return JSONResponse(app_view(sandbox, app), 201)


async def app_detail(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    app = _app(sandbox, {"clientId": request.path_params["client_id"]})
    if request.method == "PUT":
        body = await read_json(request)
        changes: dict[str, Any] = {}
        if "organization" in body:
            changes["organization"] = (
                organization_urn(str(body["organization"])) if body["organization"] else None
            )
        if "contracts" in body:
            changes["contracts"] = tuple(body["contracts"])
        if "callbackUrl" in body:
            changes["callback_url"] = body["callbackUrl"]
            changes["callback_check"] = None
        enabled = _enabled_flag(body.get("enabled"), changes.get("organization", app.organization))
        before = app
        app = sandbox.apps.update(app, **changes)
        added = tuple(c for c in app.contracts if c not in before.contracts)
        # An onboarded customer's app stays onboarded as the test binds more contracts to it.
        onboarded = app.organization == before.organization and enablement_view(sandbox, before)["company"]
        if enabled is None and added and onboarded:
            contract_level = [IntegrationType.CSA_API]
            with sandbox.db.transaction():
                set_status(sandbox, replace(app, contracts=added), IntegrationStatus.ENABLED, contract_level)
        apply_enabled(sandbox, app, enabled)
    return app_view(sandbox, app)


async def validate_callback(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    app = _app(sandbox, {"clientId": request.path_params["client_id"]})
    if not app.callback_url:
        raise ControlError(400, f"app {app.client_id!r} has no callback URL")
    return await sandbox.check_callback(app, app.callback_url)


# seeding and LinkedIn-side events


async def load_scenario(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    try:
        return {"loaded": scenario.load(sandbox, await read_json(request))}
    except scenario.ScenarioError as error:
        raise ControlError(400, str(error)) from None


async def _maybe_wait(sandbox: Sandbox, body: dict[str, Any], push_id: str | None) -> dict[str, Any] | None:
    if push_id is None:
        return None
    if body.get("wait"):
        with suppress(TimeoutError):
            await sandbox.pushes.wait(push_id, float(body.get("timeout_s", PUSH_WAIT_S)))
    return sandbox.pushes.get(push_id)


async def exports(sandbox: Sandbox, request: Request) -> Any:
    body = await read_json(request)
    app = _app(sandbox, body)
    if not body.get("externalJobPostingId"):
        raise ControlError(400, "an export needs the 'externalJobPostingId' of the job it targets")
    created = create_export(
        sandbox,
        app,
        external_job_posting_id=str(body["externalJobPostingId"]),
        member=body.get("member"),
        candidate=body.get("candidate"),
        exporter=body.get("exporter"),
        push=bool(body.get("push", True)),
    )
    created["push"] = await _maybe_wait(sandbox, body, created["pushId"])
    return JSONResponse(created, 201)


async def integration_status(sandbox: Sandbox, request: Request) -> Any:
    body = await read_json(request)
    app = _app(sandbox, body)
    status = IntegrationStatus(body.get("status", "ENABLED"))
    types = [IntegrationType(t) for t in body.get("integrationTypes", [])] or None
    changed = change_status(sandbox, app, status, types, push=bool(body.get("push", True)))
    changed["push"] = await _maybe_wait(sandbox, body, changed["pushId"])
    return JSONResponse(changed, 201)


async def purged_candidates(sandbox: Sandbox, request: Request) -> Any:
    body = await read_json(request)
    org = organization_urn(str(body.get("organization") or _app(sandbox, body).organization))
    if not body.get("member"):
        raise ControlError(400, "a purged candidate needs its 'member' person URN")
    return JSONResponse(add_purged(sandbox, org, body["member"], body.get("purgedAt")), 201)


# inspection


async def health(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    return {"ok": True, "now": sandbox.clock.now_ms()}


async def partner(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    """The partner (parent) app the sandbox was started with (``rsc sandbox --parent-client-id``), for
    a local run to provision customer apps with."""
    return {"clientId": sandbox.apps.parent.client_id, "clientSecret": sandbox.apps.parent.client_secret}


ROUTES = [
    control_route("/health", health, ["GET"]),
    control_route("/partner", partner, ["GET"]),
    control_route("/clock", clock, ["GET", "PUT"]),
    control_route("/settings", settings, ["GET", "PUT"]),
    control_route("/limits", limits, ["GET", "PUT"]),
    control_route("/faults", faults, ["GET", "PUT", "DELETE"]),
    control_route("/counters", counters, ["GET"]),
    control_route("/requests", requests, ["GET"]),
    control_route("/reset", reset, ["POST"]),
    control_route("/violations", violations, ["GET"]),
    control_route("/apps", apps, ["GET", "POST"]),
    control_route("/apps/{client_id}", app_detail, ["GET", "PUT"]),
    control_route("/apps/{client_id}/validate-callback", validate_callback, ["POST"]),
    control_route("/scenario", load_scenario, ["POST"]),
    control_route("/traffic", traffic.control, ["GET", "PUT", "DELETE"]),
    control_route("/exports", exports, ["POST"]),
    control_route("/integration-status", integration_status, ["POST"]),
    control_route("/purged-candidates", purged_candidates, ["POST"]),
    control_route("/pushes", pushes, ["GET"]),
    control_route("/pushes/{push_id}", push_detail, ["GET"]),
    control_route("/orgs/{org}/{resource}", org_resource, ["GET"]),
    control_route("/orgs/{org}/{resource}/{record_id}", org_record, ["GET"]),
]
