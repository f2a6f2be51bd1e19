"""The control API under ``/_sandbox/``: what tests and benchmarks use to steer and inspect the
sandbox. It needs no token, is never faulted and never counted as a LinkedIn call."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import scenario, traffic
from sandbox.apps import App
from sandbox.enablement import IntegrationStatus, IntegrationType, enablement_view, set_status
from sandbox.exports import add_purged, create_export, exports_of
from sandbox.integrations import change_status
from sandbox.jobs import task_status
from sandbox.records import Kind
from sandbox.state import Sandbox
from sandbox.synced import APPLICATIONS, CANDIDATES, render
from sandbox.validation import ORGANIZATION_URN

RESET_PARTS = ("counters", "log", "rate", "violations", "data", "apps")
#: What ``POST /_sandbox/reset`` with no parts resets. Violations are not among them: a test that
#: resets counters between phases must not lose the record of a broken rule.
DEFAULT_RESET = ("counters", "log", "rate")
#: How long a control call that asks to ``wait`` for a push waits at most (real seconds).
PUSH_WAIT_S = 120.0


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


ControlHandler = Callable[[Sandbox, Request], Awaitable[Any]]


def control_route(path: str, handler: ControlHandler, methods: list[str]) -> Route:
    async def serve(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        try:
            result = await handler(sandbox, request)
        except ControlError as error:
            return JSONResponse({"error": error.message}, error.status)
        except (KeyError, ValueError) as error:
            return JSONResponse({"error": str(error).strip("'\"")}, 400)
        return result if isinstance(result, Response) else JSONResponse(result)

    return Route(f"/_sandbox{path}", serve, methods=methods)


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def _organization(value: str) -> str:
    """Accept ``urn:li:organization:1`` or plain ``1``."""
    org = value if value.startswith("urn:") else f"urn:li:organization:{value}"
    if not ORGANIZATION_URN.fullmatch(org):
        raise ControlError(400, f"{value!r} is not an organization (urn:li:organization:N or N)")
    return org


def _app(sandbox: Sandbox, body: dict[str, Any]) -> App:
    """The customer app a control call is about: by ``clientId``, else by ``organization``."""
    if body.get("clientId"):
        app = sandbox.apps.get(body["clientId"])
        if app is None:
            raise ControlError(404, f"no app with client id {body['clientId']!r}")
        return app
    if body.get("organization"):
        app = sandbox.apps.for_organization(_organization(str(body["organization"])))
        if app is None:
            raise ControlError(404, f"no app is bound to {body['organization']}")
        return app
    raise ControlError(400, "name the app with 'clientId' or 'organization'")


# clock, settings, limits, faults


async def clock(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    if request.method == "PUT":
        body = await _json(request)
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
        sandbox.settings.update(await _json(request))
        sandbox.metrics.resize_log(sandbox.settings.request_log_size)
    return asdict(sandbox.settings)


async def limits(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    current = sandbox.limiter.limits
    if request.method == "PUT":
        body = await _json(request)
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
        sandbox.faults.update(await _json(request))
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
    parts = set((await _json(request)).get("parts", DEFAULT_RESET))
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
    body = await _json(request)
    organization = _organization(str(body["organization"])) if body.get("organization") else None
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
        body = await _json(request)
        changes: dict[str, Any] = {}
        if "organization" in body:
            changes["organization"] = (
                _organization(str(body["organization"])) if body["organization"] else None
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
        return {"loaded": scenario.load(sandbox, await _json(request))}
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
    body = await _json(request)
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
    body = await _json(request)
    app = _app(sandbox, body)
    status = IntegrationStatus(body.get("status", "ENABLED"))
    types = [IntegrationType(t) for t in body.get("integrationTypes", [])] or None
    changed = change_status(sandbox, app, status, types, push=bool(body.get("push", True)))
    changed["push"] = await _maybe_wait(sandbox, body, changed["pushId"])
    return JSONResponse(changed, 201)


async def purged_candidates(sandbox: Sandbox, request: Request) -> Any:
    body = await _json(request)
    org = _organization(str(body.get("organization") or _app(sandbox, body).organization))
    if not body.get("member"):
        raise ControlError(400, "a purged candidate needs its 'member' person URN")
    return JSONResponse(add_purged(sandbox, org, body["member"], body.get("purgedAt")), 201)


# inspection


def _candidate(sandbox: Sandbox, org: str, candidate_id: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "atsCandidateId": candidate_id,
        **render(sandbox, CANDIDATES, record, []),
        "notes": sandbox.records.children(Kind.CANDIDATE_NOTE, org, candidate_id),
    }


def _application(sandbox: Sandbox, org: str, application_id: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "atsJobApplicationId": application_id,
        **render(sandbox, APPLICATIONS, record, []),
        "stages": sandbox.records.children(Kind.APPLICATION_STAGE, org, application_id),
        "notes": sandbox.records.children(Kind.APPLICATION_NOTE, org, application_id),
        "interviewFeedback": sandbox.records.children(Kind.INTERVIEW_FEEDBACK, org, application_id),
    }


def _job(sandbox: Sandbox, org: str, record: dict[str, Any], updated_at: int) -> dict[str, Any]:
    row = sandbox.db.one("SELECT created_at FROM job_tasks WHERE task_id = ?", (record["task"],))
    return {
        **record,
        "taskStatus": task_status(sandbox, row["created_at"]) if row else None,
        "updatedAt": updated_at,
    }


def _inspect(sandbox: Sandbox, org: str, resource: str) -> list[dict[str, Any]]:
    records = sandbox.records
    if resource == "jobs":
        return [_job(sandbox, org, r["body"], r["updatedAt"]) for r in records.all_of(Kind.JOB, org)]
    if resource == "candidates":
        return [_candidate(sandbox, org, r["key"], r["body"]) for r in records.all_of(Kind.CANDIDATE, org)]
    if resource == "applications":
        return [
            _application(sandbox, org, r["key"], r["body"]) for r in records.all_of(Kind.APPLICATION, org)
        ]
    if resource == "integrations":
        return [
            {**r["body"], "configurations": records.children(Kind.CONFIGURATION, org, r["key"])}
            for r in records.all_of(Kind.INTEGRATION, org)
        ]
    if resource == "deletions":
        return records.deletions(org)
    if resource == "pushes":
        return sandbox.pushes.list(org=org)
    if resource == "exports":
        return exports_of(sandbox, org)
    raise ControlError(404, f"unknown resource {resource!r}; known: {', '.join(INSPECTABLE)}")


INSPECTABLE = ("jobs", "candidates", "applications", "integrations", "deletions", "pushes", "exports")
_DETAIL_KINDS = {"jobs": Kind.JOB, "candidates": Kind.CANDIDATE, "applications": Kind.APPLICATION}


async def org_resource(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    org = _organization(request.path_params["org"])
    resource = request.path_params["resource"]
    return {"organization": org, resource: _inspect(sandbox, org, resource)}


async def org_record(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    org = _organization(request.path_params["org"])
    resource, record_id = request.path_params["resource"], request.path_params["record_id"]
    kind = _DETAIL_KINDS.get(resource)
    if kind is None:
        raise ControlError(404, f"single records are served for {', '.join(_DETAIL_KINDS)}")
    record = sandbox.records.get(kind, org, record_id)
    if record is None:
        raise ControlError(404, f"{org} has no {resource[:-1]} {record_id!r}")
    if kind is Kind.CANDIDATE:
        return _candidate(sandbox, org, record_id, record)
    if kind is Kind.APPLICATION:
        return _application(sandbox, org, record_id, record)
    return _job(sandbox, org, record, 0)


async def pushes(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    params = request.query_params
    org = _organization(params["org"]) if "org" in params else None
    return {"pushes": sandbox.pushes.list(org=org, client_id=params.get("client_id"))}


async def push_detail(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    push = sandbox.pushes.get(request.path_params["push_id"])
    if push is None:
        raise ControlError(404, f"no push {request.path_params['push_id']!r}")
    if request.query_params.get("wait"):
        with suppress(TimeoutError):
            await sandbox.pushes.wait(push["id"], float(request.query_params.get("timeout_s", PUSH_WAIT_S)))
        push = sandbox.pushes.get(push["id"]) or push
    return push


async def health(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    return {"ok": True, "now": sandbox.clock.now_ms()}


ROUTES = [
    control_route("/health", health, ["GET"]),
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
