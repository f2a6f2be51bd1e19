"""The ingress HTTP service: one callback URL per tenant, ``/webhooks/linkedin/{tenant}``.

A push is answered 200 only after its event is confirmed by RabbitMQ, so LinkedIn's own retries
cover every failure before that point. Anything refused is recorded with its reason (never its
body) in the ``rejections`` table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from pydantic import ValidationError
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from events.publisher import Publisher, PublishError, get_publisher
from ingress.pushes import PushNotification, UnsupportedPush, to_event
from ingress.signature import challenge_response, verify
from rsc.logs import get_logger
from rsc.metrics import INGRESS_PUSHES, code_label
from rsc.settings import Settings, get_settings
from schemas.catalog import InvalidEvent, describe_validation_error
from store.db import Store, get_store
from store.tenants import TenantApp, TenantDirectory
from store.uow import OpsUnitOfWork, UnitOfWork

log = get_logger(__name__)

#: Inbox consumer name under which the ingress remembers the pushes it accepted.
INGRESS_CONSUMER = "ingress"

#: The tenant id pattern of ``schemas.envelope.TenantId``.
_TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class _Refused(Exception):
    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.code, self.reason = status, code, reason


class Ingress:
    def __init__(self, settings: Settings, store: Store, publisher: Publisher) -> None:
        self.settings = settings
        self.store = store
        self.publisher = publisher
        self.tenants = TenantDirectory(lambda: store.session(None))

    # -- helpers running in the thread pool ------------------------------------------------------

    def _tenant(self, tenant_id: str) -> TenantApp:
        # Tenant ids are slugs: anything else names no tenant and is not worth a query (a NUL
        # character, for one, is refused by PostgreSQL with an error).
        app = self.tenants.get(tenant_id) if _TENANT_ID.match(tenant_id) else None
        if app is None:
            raise _Refused(404, "unknown_tenant", f"no tenant {tenant_id[:64]!r} behind this callback URL")
        return app

    def _record(self, tenant_id: str | None, refused: _Refused, body: bytes | None) -> None:
        INGRESS_PUSHES.labels(outcome=code_label(refused.code)).inc()
        log.warning("push refused", tenant=tenant_id, reason=refused.code, status_code=refused.status)
        try:
            with OpsUnitOfWork(self.store) as ops:
                ops.rejections.record(
                    channel="webhook",
                    tenant_id=tenant_id,
                    reason_code=refused.code,
                    reason=refused.reason,
                    http_status=refused.status,
                    body=body,
                )
                ops.commit()
        except Exception:
            log.exception("could not record a rejection")

    def _accept(self, app: TenantApp, body: bytes) -> dict[str, Any]:
        try:
            raw = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise _Refused(400, "malformed_body", "the body is not valid JSON") from None
        except RecursionError:
            raise _Refused(400, "malformed_body", "the body is JSON nested too deeply") from None
        if not isinstance(raw, dict):
            raise _Refused(400, "malformed_body", "the body must be a JSON object")
        try:
            push = PushNotification.model_validate(raw)
        except ValidationError as exc:
            raise _Refused(400, "schema_violation", describe_validation_error(exc)) from None
        try:
            event = to_event(push, app.tenant_id)
        except UnsupportedPush as exc:
            raise _Refused(400, "unknown_push_type", str(exc)) from None
        except (ValidationError, InvalidEvent) as exc:
            reason = describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
            raise _Refused(400, "schema_violation", reason) from None
        uow = UnitOfWork(app.tenant_id, self.store)
        with uow:
            if uow.inbox.seen(INGRESS_CONSUMER, event.source, event.id):
                INGRESS_PUSHES.labels(outcome="duplicate").inc()
                log.info("duplicate push ignored", tenant=app.tenant_id, push_id=push.push_id)
                return {"status": "duplicate", "eventId": event.id}
        try:
            self.publisher.publish(event)
        except PublishError:
            log.exception("push could not be enqueued", tenant=app.tenant_id, push_id=push.push_id)
            raise _Refused(
                503, "broker_unavailable", "the event could not be enqueued; retry later"
            ) from None
        with uow:
            uow.inbox.record(INGRESS_CONSUMER, event.source, event.id)
            uow.commit()
        INGRESS_PUSHES.labels(outcome="accepted").inc()
        log.info("push accepted", tenant=app.tenant_id, push_id=push.push_id, event_type=event.type)
        return {"status": "accepted", "eventId": event.id}

    # -- endpoints ---------------------------------------------------------------------------------

    async def push(self, request: Request) -> JSONResponse:
        tenant_id = request.path_params["tenant"]
        body: bytes | None = None
        try:
            app = await run_in_threadpool(self._tenant, tenant_id)
            body = await self._read_body(request)
            # Exactly one signature: with several, which one a proxy or a framework reads is a guess.
            signatures = request.headers.getlist("x-li-signature")
            signature = signatures[0] if len(signatures) == 1 else None
            if not verify(app.client_secret, body, signature):
                raise _Refused(
                    401, "bad_signature", "X-LI-Signature is missing, repeated or does not match the body"
                )
            result = await run_in_threadpool(self._accept, app, body)
        except _Refused as refused:
            known = None if refused.code == "unknown_tenant" else tenant_id
            await run_in_threadpool(self._record, known, refused, body)
            return JSONResponse({"error": refused.code, "reason": refused.reason}, status_code=refused.status)
        return JSONResponse(result)

    async def _read_body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _Refused(400, "body_too_large", f"the body exceeds {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _Refused(400, "body_too_large", f"the body exceeds {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def challenge(self, request: Request) -> JSONResponse:
        tenant_id = request.path_params["tenant"]
        code = request.query_params.get("challengeCode")
        try:
            app = await run_in_threadpool(self._tenant, tenant_id)
        except _Refused as refused:
            return JSONResponse({"error": refused.code, "reason": refused.reason}, status_code=refused.status)
        if not code:
            return JSONResponse(
                {"error": "missing_challenge", "reason": "challengeCode is required"}, status_code=400
            )
        return JSONResponse(
            {"challengeCode": code, "challengeResponse": challenge_response(app.client_secret, code)}
        )

    async def healthz(self, _request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(self, _request: Request) -> JSONResponse:
        checks = await run_in_threadpool(self._dependencies)
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503
        )

    async def metrics(self, _request: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    def _dependencies(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            with self.store.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = type(exc).__name__
        try:
            self.publisher.ping()
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = type(exc).__name__
        return checks


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    publisher: Publisher | None = None,
    extra_routes: list[Route] | None = None,
) -> Starlette:
    settings = settings or get_settings()
    ingress = Ingress(settings, store or get_store(), publisher or get_publisher(settings))
    routes: list[Route] = [
        Route("/healthz", ingress.healthz),
        Route("/readyz", ingress.readyz),
        Route("/metrics", ingress.metrics),
        Route("/webhooks/linkedin/{tenant}", ingress.push, methods=["POST"]),
        Route("/webhooks/linkedin/{tenant}", ingress.challenge, methods=["GET"]),
        *(extra_routes or []),
    ]
    app = Starlette(routes=routes)
    app.state.ingress = ingress
    return app


def serve(host: str, port: int, app_factory: Callable[[], Starlette] = create_app) -> None:
    import uvicorn

    from rsc.heap import freeze_startup_heap

    app = app_factory()
    freeze_startup_heap()
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
