"""Every LinkedIn call goes through here: log, faults, auth, protocol headers, batch size, rate
limits, and only then the resource's handler; counters see the outcome."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.apps import App
from sandbox.connections import drop
from sandbox.faults import Fault
from sandbox.restli import (
    ApiError,
    ServiceErrorCode,
    bad_request,
    error_body,
    parse_query,
    query_compound_keys,
    query_values,
)

if TYPE_CHECKING:
    from sandbox.state import Sandbox

LINKEDIN_VERSION = re.compile(r"20\d\d(0[1-9]|1[0-2])")
RESTLI_PROTOCOL_VERSION = "2.0.0"


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
    #: Rate-limit family: calls a day are counted per app and family.
    family: str
    audience: Audience
    handlers: Mapping[str, Handler]
    #: ``x-restli-method`` each HTTP method must carry.
    restli_methods: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ApiCall:
    sandbox: Sandbox
    request: Request
    app: App | None
    query: list[tuple[str, str]]
    body: Any
    raw_body: bytes

    @property
    def customer(self) -> App:
        if self.app is None or self.app.is_parent:
            raise ApiError(403, "this call needs a customer app's token")
        return self.app

    @property
    def organization(self) -> str:
        organization = self.customer.organization
        if organization is None:
            raise ApiError(
                403,
                f"app '{self.customer.client_id}' is not bound to an organization yet; the customer "
                "authorizes it in the integration configuration plugin"
                " (sandbox: PUT /_sandbox/apps/{clientId})",
            )
        return organization

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def param(self, name: str, *, required: bool = False) -> str | None:
        values = query_values(self.query, name)
        if not values:
            if required:
                raise bad_request(f"query parameter '{name}' is required")
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
            raise bad_request(f"query parameter '{name}' must be an integer, got {value!r}") from None

    def body_map(self, name: str) -> dict[str, Any]:
        value = self.body.get(name) if isinstance(self.body, dict) else None
        if not isinstance(value, dict):
            raise bad_request(f"the body must be a JSON object with an '{name}' object")
        return value


def api_route(path: str, endpoint: Endpoint) -> Route:
    async def serve(request: Request) -> Response:
        return await dispatch(request.app.state.sandbox, endpoint, request)

    return Route(path, serve, methods=list(endpoint.handlers), name=f"{endpoint.resource} {path}")


async def dispatch(sandbox: Sandbox, endpoint: Endpoint, request: Request) -> Response:
    raw_body = await request.body()
    path, method = request.url.path, request.method
    entry = sandbox.metrics.log_request(
        sandbox.clock.now_ms(), method, path, query=request.url.query, headers=request.headers, body=raw_body
    )
    app_label = _app_label(sandbox, endpoint, request, raw_body)
    entry.app, entry.resource = app_label, endpoint.resource
    records = 1

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
            call, records = _admit(sandbox, endpoint, request, raw_body)
            response = await endpoint.handlers[method](call)
        except ApiError as error:
            response = error.response()
    sandbox.metrics.count(app_label, endpoint.resource, method, response.status_code, records)
    entry.status = response.status_code
    return response


def _admit(sandbox: Sandbox, endpoint: Endpoint, request: Request, raw_body: bytes) -> tuple[ApiCall, int]:
    """Everything LinkedIn checks before a call may touch anything; raises :class:`ApiError`."""
    app = None
    if endpoint.audience is not Audience.PUBLIC:
        app = _authenticate(sandbox, request)
        if endpoint.audience is Audience.PARTNER and not app.is_parent:
            raise ApiError(
                403, f"{endpoint.resource} takes the partner (parent) app's token, not a customer app's"
            )
        if endpoint.audience is Audience.CUSTOMER and app.is_parent:
            raise ApiError(
                403,
                f"the partner app may only call provisionedApplications; call {endpoint.resource} "
                "with the customer app's token",
            )
    _check_protocol(endpoint, request)
    query = parse_query(request.scope["query_string"])
    body = _json_body(request, raw_body) if endpoint.audience is not Audience.PUBLIC else None
    records = count_records(query, body)
    if records > sandbox.settings.max_batch:
        raise bad_request(
            f"{records} entities in one call; at most {sandbox.settings.max_batch} are allowed, send them in "
            "sequential batches"
        )
    if app is not None:
        refusal = sandbox.limiter.admit(app.client_id, endpoint.family, records)
        if refusal is not None:
            raise ApiError(429, refusal.message, headers={"Retry-After": str(refusal.retry_after_s)})
    return ApiCall(sandbox, request, app, query, body, raw_body), records


def _authenticate(sandbox: Sandbox, request: Request) -> App:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "an 'Authorization: Bearer <access token>' header is required",
            ServiceErrorCode.INVALID_ACCESS_TOKEN,
        )
    found = sandbox.apps.lookup(token.strip())
    if found.app is None:
        raise ApiError(401, "Invalid access token", ServiceErrorCode.INVALID_ACCESS_TOKEN)
    if found.expired:
        raise ApiError(
            401,
            "The token used in the request has expired; mint a new one with client credentials",
            ServiceErrorCode.EXPIRED_ACCESS_TOKEN,
        )
    return found.app


def _check_protocol(endpoint: Endpoint, request: Request) -> None:
    path, headers = request.url.path, request.headers
    if path.startswith("/v2/"):
        version = headers.get("x-restli-protocol-version")
        if version != RESTLI_PROTOCOL_VERSION:
            raise bad_request(
                f"v2 calls need the header X-RestLi-Protocol-Version: {RESTLI_PROTOCOL_VERSION} "
                f"(got {version!r})"
            )
    elif path.startswith("/rest/"):
        version = headers.get("linkedin-version")
        if version is None or not LINKEDIN_VERSION.fullmatch(version):
            raise bad_request(f"rest/ calls need the header LinkedIn-Version: YYYYMM (got {version!r})")
    required = endpoint.restli_methods.get(request.method)
    if required is not None and headers.get("x-restli-method", "").lower() != required:
        raise bad_request(
            f"{request.method} on {endpoint.resource} needs the header x-restli-method: {required} "
            f"(got {headers.get('x-restli-method')!r})"
        )


def _json_body(request: Request, raw_body: bytes) -> Any:
    if not raw_body.strip():
        return None
    try:
        return json.loads(raw_body)
    except ValueError:
        raise bad_request("the body is not valid JSON") from None


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
