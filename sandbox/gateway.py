"""Every LinkedIn call goes through here: log, faults, route and version, auth, protocol headers,
batch size, enablement, rate limits, and only then the resource's handler; counters see the outcome
and every rule the call broke is recorded as a violation."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.apps import App
from sandbox.connections import drop
from sandbox.enablement import company_enabled
from sandbox.faults import Fault
from sandbox.protocol import check_restli_method, check_shape, lift
from sandbox.restli import (
    ApiError,
    ServiceErrorCode,
    bad_request,
    entity_error,
    error_body,
    malformed_body,
    parse_query,
    query_compound_keys,
    query_values,
)
from sandbox.rules import (
    AUTH_AUDIENCE,
    AUTH_TOKEN,
    AUTH_UNBOUND,
    BATCH_SEQUENTIAL,
    BATCH_SIZE,
    ENABLEMENT_COMPANY,
    FIELD_UNKNOWN,
    FINDER_REQUIRED,
    FINDER_VALUE,
    METHOD_UNSUPPORTED,
    PATH_UNKNOWN,
    Rule,
)
from sandbox.shapes import (
    Location,
    misplaced_hint,
)
from sandbox.validation import unrecognized
from sandbox.violations import Breaches

if TYPE_CHECKING:
    from sandbox.state import Sandbox

#: Every route takes them all, so the gateway answers (and records) a method a resource lacks.
HTTP_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH"]


class Audience(StrEnum):
    """Whose token an endpoint takes."""

    PUBLIC = "public"
    PARTNER = "partner"
    CUSTOMER = "customer"


Handler = Callable[["ApiCall"], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    #: Name in counters and the request log, e.g. ``atsCandidates/notes``.
    resource: str
    #: Rate-limit family: calls a day are counted per app and family (both shapes share one).
    family: str
    audience: Audience
    handlers: Mapping[str, Handler]
    #: ``x-restli-method`` each HTTP method must carry.
    restli_methods: Mapping[str, str] = field(default_factory=dict)
    #: HTTP methods that sync data, so need the organization's integration enabled (§3.2 step 5).
    gated: frozenset[str] = frozenset()
    #: Where it is served; None for the catch-all that answers paths LinkedIn does not serve.
    location: Location | None = None


@dataclass
class ApiCall:
    sandbox: Sandbox
    request: Request
    app: App | None
    query: list[tuple[str, str]]
    body: Any
    raw_body: bytes
    breaches: Breaches
    #: The call's ``LinkedIn-Version`` (None on v2).
    version: int | None = None

    @property
    def customer(self) -> App:
        if self.app is None or self.app.is_parent:
            raise ApiError(403, "this call needs a customer app's token", rule=AUTH_AUDIENCE)
        return self.app

    @property
    def organization(self) -> str:
        return organization_of(self.customer)

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def param(self, name: str, *, required: bool = False) -> str | None:
        values = query_values(self.query, name)
        if not values:
            if required:
                raise bad_request(f"query parameter '{name}' is required", FINDER_REQUIRED)
            return None
        return values[0]

    def params(self, name: str) -> list[str]:
        return query_values(self.query, name)

    def int_param(self, name: str, *, default: int | None = None, required: bool = False) -> int | None:
        value = self.param(name, required=required)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise bad_request(
                f"query parameter '{name}' must be an integer, got {value!r}", FINDER_VALUE
            ) from None

    def body_map(self, name: str) -> dict[str, Any]:
        value = self.body.get(name) if isinstance(self.body, dict) else None
        if not isinstance(value, dict):
            raise malformed_body(f"the body must be a JSON object with an '{name}' object")
        return value

    def refuse_entity(self, rule: Rule, status: int, message: str) -> dict[str, Any]:
        """One entity of a batch is refused for breaking ``rule``: recorded, and its error answered."""
        self.breaches.note(rule, message)
        return entity_error(status, message)

    def unlisted(self, entity: Mapping[str, Any], known: Iterable[str], label: str) -> list[tuple[Rule, str]]:
        """The fields of ``entity`` its resource does not list, as problems; with ``strict_fields`` off
        they are accepted and only recorded."""
        found = unrecognized(entity, known)
        if self.sandbox.settings.strict_fields:
            return [(FIELD_UNKNOWN, problem) for problem in found]
        for problem in found:
            self.breaches.note(
                FIELD_UNKNOWN, f"{label}: {problem} (accepted: strict_fields is off)", refused=False
            )
        return []

    def breach(self, rule: Rule, status: int, message: str) -> None:
        """The call broke ``rule``: refused, unless lenient mode lets a liftable rule through."""
        lift(self.sandbox, self.breaches, rule, ApiError(status, message, rule=rule))


def organization_of(app: App) -> str:
    if app.organization is None:
        raise ApiError(
            403,
            f"app '{app.client_id}' is not bound to an organization yet; the customer "
            "authorizes it in the integration configuration plugin"
            " (sandbox: PUT /_sandbox/apps/{clientId})",
            rule=AUTH_UNBOUND,
        )
    return app.organization


def api_route(endpoint: Endpoint, path: str | None = None) -> Route:
    """The route of ``endpoint``; every method reaches the gateway, which refuses the unsupported."""
    route_path = path or (endpoint.location.path if endpoint.location else "/")

    async def serve(request: Request) -> Response:
        return await dispatch(request.app.state.sandbox, endpoint, request)

    return Route(route_path, serve, methods=HTTP_METHODS, name=f"{endpoint.resource} {route_path}")


async def dispatch(sandbox: Sandbox, endpoint: Endpoint, request: Request) -> Response:
    raw_body = await request.body()
    path, method = request.url.path, request.method
    entry = sandbox.metrics.log_request(
        sandbox.clock.now_ms(), method, path, query=request.url.query, headers=request.headers, body=raw_body
    )
    app_label = _app_label(sandbox, endpoint, request, raw_body)
    entry.app, entry.resource = app_label, endpoint.resource
    records = 1
    breaches = Breaches()
    in_flight = app_label != "-" and _is_batch(endpoint, method)
    if in_flight:
        before = sandbox.batches.enter(app_label, endpoint.family)
        if before:
            breaches.note(
                BATCH_SEQUENTIAL,
                f"{method} {endpoint.resource} started while {before} other batch call(s) of this app "
                f"to {endpoint.family} were still in flight; send batches one after the other",
                refused=False,
            )
    try:
        await sandbox.faults.delay(path)
        fault = sandbox.faults.decide(path)
        if fault is Fault.DROP:
            entry.outcome = "dropped"
            sandbox.metrics.count(app_label, endpoint.resource, method, 0, records)
            await drop(dict(request.scope))
            return Response(status_code=500)
        if fault is not None:
            entry.outcome = f"fault:{fault}"
            response = _fault_response(sandbox, fault)
        else:
            try:
                call, records = _admit(sandbox, endpoint, request, raw_body, breaches)
                response = await endpoint.handlers[method](call)
            except ApiError as error:
                if error.rule is not None:
                    breaches.note(error.rule, error.message)
                response = error.response()
        sandbox.metrics.count(app_label, endpoint.resource, method, response.status_code, records)
        entry.status = response.status_code
        return response
    finally:
        if in_flight:
            sandbox.batches.leave(app_label, endpoint.family)
        for rule, detail, refused, count in breaches.summaries():
            sandbox.violations.record(
                rule,
                detail,
                refused=refused,
                count=count,
                method=method,
                path=path,
                app=app_label,
                at=entry.at,
                request=entry.seq,
            )


def _is_batch(endpoint: Endpoint, method: str) -> bool:
    """Batch writes and batch deletes: the calls reference §4 asks to send one after the other."""
    return method in endpoint.restli_methods or (method == "DELETE" and method in endpoint.handlers)


def _admit(
    sandbox: Sandbox, endpoint: Endpoint, request: Request, raw_body: bytes, breaches: Breaches
) -> tuple[ApiCall, int]:
    """Everything LinkedIn checks before a call may touch anything; raises :class:`ApiError`."""
    location = endpoint.location
    if location is None:
        raise ApiError(404, f"{request.url.path}: {misplaced_hint(request.url.path)}", rule=PATH_UNKNOWN)
    if request.method not in endpoint.handlers:
        raise ApiError(
            405,
            f"{endpoint.resource} does not support {request.method}; it supports "
            f"{', '.join(sorted(endpoint.handlers))}",
            rule=METHOD_UNSUPPORTED,
        )
    version = check_shape(sandbox, location, request, breaches)
    app = None if endpoint.audience is Audience.PUBLIC else _caller(sandbox, endpoint, request)
    check_restli_method(sandbox, endpoint.resource, endpoint.restli_methods, request, breaches)
    query = parse_query(request.scope["query_string"])
    body = _json_body(request, raw_body) if endpoint.audience is not Audience.PUBLIC else None
    records = count_records(query, body)
    if records > sandbox.settings.max_batch:
        lift(
            sandbox,
            breaches,
            BATCH_SIZE,
            ApiError(
                400,
                f"{records} entities in one call; at most {sandbox.settings.max_batch} are allowed, "
                "send them in sequential batches",
                rule=BATCH_SIZE,
            ),
        )
    if app is not None and request.method in endpoint.gated:
        _check_enabled(sandbox, app, breaches)
    if app is not None:
        refusal = sandbox.limiter.admit(app.client_id, endpoint.family, records)
        if refusal is not None:
            raise ApiError(
                429, refusal.message, headers={"Retry-After": str(refusal.retry_after_s)}, rule=refusal.rule
            )
    return ApiCall(sandbox, request, app, query, body, raw_body, breaches, version), records


def _caller(sandbox: Sandbox, endpoint: Endpoint, request: Request) -> App:
    """The app whose token the call carries, if the endpoint takes that audience's token."""
    app = _authenticate(sandbox, request)
    if endpoint.audience is Audience.PARTNER and not app.is_parent:
        raise ApiError(
            403,
            f"{endpoint.resource} takes the partner (parent) app's token, not a customer app's",
            rule=AUTH_AUDIENCE,
        )
    if endpoint.audience is Audience.CUSTOMER and app.is_parent:
        raise ApiError(
            403,
            f"the partner app may only call provisionedApplications; call {endpoint.resource} "
            "with the customer app's token",
            rule=AUTH_AUDIENCE,
        )
    return app


def _check_enabled(sandbox: Sandbox, app: App, breaches: Breaches) -> None:
    """Partner data sync only once the customer enabled the integration in Recruiter."""
    org = organization_of(app)
    if not company_enabled(sandbox, org):
        lift(
            sandbox,
            breaches,
            ENABLEMENT_COMPANY,
            ApiError(
                403,
                f"{org} has not enabled the integration in Recruiter; partner data sync is authorised "
                "only after the customer enables it (verify enablement before syncing)",
                rule=ENABLEMENT_COMPANY,
            ),
        )


def _authenticate(sandbox: Sandbox, request: Request) -> App:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "an 'Authorization: Bearer <access token>' header is required",
            ServiceErrorCode.INVALID_ACCESS_TOKEN,
            rule=AUTH_TOKEN,
        )
    found = sandbox.apps.lookup(token.strip())
    if found.app is None:
        raise ApiError(401, "Invalid access token", ServiceErrorCode.INVALID_ACCESS_TOKEN, rule=AUTH_TOKEN)
    if found.expired:
        # Not a violation: an expired token is how a client learns to mint the next one (§4).
        raise ApiError(
            401,
            "The token used in the request has expired; mint a new one with client credentials",
            ServiceErrorCode.EXPIRED_ACCESS_TOKEN,
        )
    return found.app


def _json_body(request: Request, raw_body: bytes) -> Any:
    if not raw_body.strip():
        return None
    try:
        return json.loads(raw_body)
    except ValueError:
        raise malformed_body("the body is not valid JSON") from None


def count_records(query: list[tuple[str, str]], body: Any) -> int:
    """Records a call carries: its keys or entities for a batch call, 1 for any other call."""
    keyed = len(query_compound_keys(query))
    if not keyed:
        keyed = len(query_values(query, "ids"))
    in_body = 0
    if isinstance(body, dict):
        for name in ("entities", "elements"):
            if isinstance(body.get(name), dict | list):
                in_body = len(body[name])
    return max(1, keyed, in_body)


def _app_label(sandbox: Sandbox, endpoint: Endpoint, request: Request, raw_body: bytes) -> str:
    if endpoint.audience is Audience.PUBLIC:
        return parse_qs(raw_body.decode("utf-8", "replace")).get("client_id", ["-"])[0]
    _, _, token = request.headers.get("authorization", "").partition(" ")
    found = sandbox.apps.lookup(token.strip()) if token.strip() else None
    return found.app.client_id if found is not None and found.app is not None else "-"


def _fault_response(sandbox: Sandbox, fault: Fault) -> Response:
    if fault is Fault.THROTTLE:
        storm = sandbox.faults.storm_remaining_s()
        retry_after = max(1, round(storm + 0.5)) if storm else sandbox.faults.settings.throttle_retry_after_s
        body = error_body(429, "Too many requests (infrastructure protection)", ServiceErrorCode.THROTTLED)
        return JSONResponse(body, 429, headers={"Retry-After": str(retry_after)})
    status = sandbox.faults.error_status()
    return JSONResponse(
        error_body(status, "Internal service error (injected)", ServiceErrorCode.INJECTED_FAULT), status
    )
