"""The ATS UI's read endpoints, served by the ingress service.

``GET /ats/{tenant}/candidates/{candidate_id}?as=USER`` and ``GET /ats/{tenant}/feed?as=USER``
answer what ``rsc candidate show`` and ``rsc candidate feed`` print, with note visibility applied
for ``as``. They are meant for the ATS's backend on the internal network; the ATS authenticates
its users and names the user in ``as``.
"""

from __future__ import annotations

from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from store.candidate_view import ViewError, activity_feed, candidate_view
from store.db import Store
from store.uow import UnitOfWork


async def candidate(request: Request, *, store: Store) -> JSONResponse:
    tenant = request.path_params["tenant"]
    try:
        view = await run_in_threadpool(
            candidate_view,
            UnitOfWork(tenant, store),
            request.path_params["candidate_id"],
            request.query_params.get("as"),
        )
    except ViewError as exc:
        return JSONResponse({"error": "not_found", "reason": str(exc)}, status_code=404)
    return JSONResponse(view)


async def feed(request: Request, *, store: Store) -> JSONResponse:
    tenant = request.path_params["tenant"]
    as_user = request.query_params.get("as")
    if not as_user:
        return JSONResponse(
            {"error": "missing_user", "reason": "name the ATS user whose feed to show: ?as=USER"},
            status_code=400,
        )
    try:
        items = await run_in_threadpool(activity_feed, UnitOfWork(tenant, store), as_user)
    except ViewError as exc:
        return JSONResponse({"error": "not_found", "reason": str(exc)}, status_code=404)
    return JSONResponse({"items": items})


def routes(store: Store) -> list[Route]:
    return [
        Route("/ats/{tenant}/candidates/{candidate_id}", partial(candidate, store=store), methods=["GET"]),
        Route("/ats/{tenant}/feed", partial(feed, store=store), methods=["GET"]),
    ]
