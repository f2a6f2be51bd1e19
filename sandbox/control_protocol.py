"""How a control API call is served: its route under ``/_sandbox``, its JSON body, and its errors."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.state import Sandbox
from sandbox.validation import ORGANIZATION_URN


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


async def read_json(request: Request) -> dict[str, Any]:
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


def organization_urn(value: str) -> str:
    """Accept ``urn:li:organization:1`` or plain ``1``."""
    org = value if value.startswith("urn:") else f"urn:li:organization:{value}"
    if not ORGANIZATION_URN.fullmatch(org):
        raise ControlError(400, f"{value!r} is not an organization (urn:li:organization:N or N)")
    return org


#: How long a control call that asks to ``wait`` for a push waits at most (real seconds).
PUSH_WAIT_S = 120.0
