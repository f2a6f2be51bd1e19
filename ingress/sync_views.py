"""The sync ledger and the integration status for the ATS's admin page, served by the ingress.

- ``GET /ats/{tenant}/sync/{type}/{record_id}``: one record's timeline (``rsc sync show``);
  ``type`` is job, candidate, application, note, export or inmail.
- ``GET /ats/{tenant}/sync/problems``: the records that do not sync, by reason, with the fix
  (``rsc sync problems``).
- ``GET /ats/{tenant}/integration-status``: enablement, contracts, seats mapped and unmapped,
  backfill progress and the count of sync problems.

Like the profile plugin's endpoints they demand the ATS backend's bearer token (``RSC_ATS_API_TOKEN``).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ingress.profile_plugin import Handler, _error, _guarded
from rsc.settings import Settings
from store.db import Store
from store.sync_ledger import RecordType
from store.tenants import TenantDirectory
from store.uow import UnitOfWork
from workers.integration_status import integration_status
from workers.ledger.report import RecordNotFound, problems, resolve, timeline


def _json(body: Any) -> Response:
    return Response(json.dumps(body, default=_encode), media_type="application/json")


def _encode(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


async def record_timeline(request: Request, *, store: Store) -> Response:
    tenant, given = request.path_params["tenant"], request.path_params["record_id"]
    try:
        record_type = RecordType(request.path_params["type"])
    except ValueError:
        kinds = ", ".join(t.value for t in RecordType)
        return _error(400, "unknown_record_type", f"the record type is one of {kinds}")

    def read() -> dict[str, Any]:
        with UnitOfWork(tenant, store) as uow:
            return timeline(uow, record_type, resolve(uow, record_type, given)).to_json()

    try:
        return _json(await run_in_threadpool(read))
    except RecordNotFound as exc:
        return _error(404, "record_not_found", str(exc))


async def sync_problems(request: Request, *, store: Store, settings: Settings) -> Response:
    tenant = request.path_params["tenant"]

    def read() -> list[dict[str, Any]]:
        with UnitOfWork(tenant, store) as uow:
            return [group.to_json() for group in problems(uow, settings=settings)]

    return _json({"problems": await run_in_threadpool(read)})


async def status(request: Request, *, store: Store, settings: Settings) -> Response:
    return _json(
        await run_in_threadpool(integration_status, request.path_params["tenant"], store, settings=settings)
    )


def routes(settings: Settings, store: Store) -> list[Route]:
    directory = TenantDirectory(lambda: store.session(None))

    def guarded(handler: Handler) -> Handler:
        return _guarded(handler, directory, settings)

    return [
        Route(
            "/ats/{tenant}/sync/problems",
            guarded(partial(sync_problems, store=store, settings=settings)),
            methods=["GET"],
        ),
        Route(
            "/ats/{tenant}/sync/{type}/{record_id}",
            guarded(partial(record_timeline, store=store)),
            methods=["GET"],
        ),
        Route(
            "/ats/{tenant}/integration-status",
            guarded(partial(status, store=store, settings=settings)),
            methods=["GET"],
        ),
    ]


__all__ = ["routes"]
