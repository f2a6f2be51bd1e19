"""The profile plugin's endpoints for the ATS UI, served by the ingress service.

- ``GET /ats/{tenant}/candidates/{candidate_id}/linkedin-profile``: the linked member's profile URL
  (the plugin's "View Profile"), or the members the matcher considered with scores and reasons;
  what ``rsc match show`` prints.
- ``PUT`` on the same path, body ``{"personUrn": "urn:li:person:...", "decidedBy": "<ATS user>"}``:
  a person links the candidate (the widget's ``data-onlink`` callback); ``DELETE`` with
  ``?decidedBy=<ATS user>`` unlinks it (``data-onunlink``). LinkedIn learns either from the outbox.
- ``GET /ats/{tenant}/linkedin-profile/review[?limit=&after=]``: candidates waiting for a decision.

The ingress is the service LinkedIn reaches from outside, so these endpoints demand the ATS
backend's bearer token (``RSC_ATS_API_TOKEN``); while it is not set they answer 503.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rsc.errors import PermanentError
from rsc.logs import get_logger
from rsc.settings import Settings
from store.db import Store
from store.tenants import TenantDirectory
from store.uow import UnitOfWork
from workers.profile_matching.member_links import (
    CandidateNotFound,
    LinkChange,
    link_manually,
    unlink_manually,
)
from workers.profile_matching.profile_view import profile_view, review_list

log = get_logger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
#: Largest review page one call returns.
MAX_REVIEW_PAGE = 500


def _error(status: int, code: str, reason: str) -> JSONResponse:
    return JSONResponse({"error": code, "reason": reason}, status_code=status)


def _guarded(handler: Handler, directory: TenantDirectory, settings: Settings) -> Handler:
    """Check the bearer token and the tenant before ``handler`` runs."""

    async def guarded(request: Request) -> Response:
        token = settings.ats_api_token
        if not token:
            return _error(
                503, "not_configured", "set RSC_ATS_API_TOKEN to enable the profile plugin endpoints"
            )
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return _error(401, "unauthorized", "send the ATS API token as 'Authorization: Bearer <token>'")
        tenant = request.path_params["tenant"]
        if await run_in_threadpool(directory.get, tenant) is None:
            return _error(404, "unknown_tenant", f"no tenant {tenant[:64]!r}")
        return await handler(request)

    return guarded


async def show(request: Request, *, store: Store) -> Response:
    tenant, candidate_id = request.path_params["tenant"], request.path_params["candidate_id"]

    def read() -> dict[str, object] | None:
        with UnitOfWork(tenant, store) as uow:
            view = profile_view(uow, candidate_id)
            return view.to_json() if view is not None else None

    body = await run_in_threadpool(read)
    if body is None:
        return _error(404, "candidate_not_found", f"no candidate {candidate_id!r} in tenant {tenant!r}")
    return JSONResponse(body)


async def link(request: Request, *, store: Store) -> Response:
    tenant, candidate_id = request.path_params["tenant"], request.path_params["candidate_id"]
    try:
        body = json.loads(await request.body())
    except ValueError:
        return _error(400, "malformed_body", 'send {"personUrn": "urn:li:person:...", "decidedBy": "<user>"}')
    if not isinstance(body, dict) or not isinstance(body.get("personUrn"), str):
        return _error(400, "malformed_body", 'send {"personUrn": "urn:li:person:...", "decidedBy": "<user>"}')
    decided_by = body.get("decidedBy")
    return await _decide(
        lambda: link_manually(
            UnitOfWork(tenant, store), candidate_id, body["personUrn"], str(decided_by or "")
        )
    )


async def unlink(request: Request, *, store: Store) -> Response:
    tenant, candidate_id = request.path_params["tenant"], request.path_params["candidate_id"]
    decided_by = request.query_params.get("decidedBy", "")
    return await _decide(lambda: unlink_manually(UnitOfWork(tenant, store), candidate_id, decided_by))


async def _decide(decide: Callable[[], LinkChange]) -> Response:
    try:
        change = await run_in_threadpool(decide)
    except CandidateNotFound as exc:
        return _error(404, exc.reason_code, str(exc))
    except PermanentError as exc:
        return _error(422, exc.reason_code, str(exc))
    return JSONResponse(
        {
            "candidateId": change.candidate_id,
            "changed": change.changed,
            "action": change.action.value if change.action else None,
            "personUrn": change.person_urn,
            "previousUrn": change.previous_urn,
            "linkedin": "queued: the outbox sweep sends manualMatchedMember within seconds"
            if change.changed
            else "unchanged",
        }
    )


async def review(request: Request, *, store: Store) -> Response:
    tenant = request.path_params["tenant"]
    try:
        limit = min(int(request.query_params.get("limit", "100")), MAX_REVIEW_PAGE)
    except ValueError:
        return _error(400, "bad_limit", "limit must be a whole number")
    after = request.query_params.get("after")

    def read() -> list[dict[str, object]]:
        with UnitOfWork(tenant, store) as uow:
            return [asdict(item) for item in review_list(uow, limit=limit, after=after)]

    return JSONResponse({"items": await run_in_threadpool(read)})


def routes(settings: Settings, store: Store) -> list[Route]:
    directory = TenantDirectory(lambda: store.session(None))
    path = "/ats/{tenant}/candidates/{candidate_id}/linkedin-profile"
    return [
        Route(path, _guarded(partial(show, store=store), directory, settings), methods=["GET"]),
        Route(path, _guarded(partial(link, store=store), directory, settings), methods=["PUT"]),
        Route(path, _guarded(partial(unlink, store=store), directory, settings), methods=["DELETE"]),
        Route(
            "/ats/{tenant}/linkedin-profile/review",
            _guarded(partial(review, store=store), directory, settings),
            methods=["GET"],
        ),
    ]
