"""LinkedIn's calls to the customer: signed push notifications and the callback challenge.

Both follow LinkedIn's documented talent webhook scheme (reference §5): the push carries
``X-LI-Signature: hmacsha256=<hex>`` over the exact body bytes, keyed with the customer app's client
secret; the callback is validated with a ``challengeCode`` GET answered with its HMAC.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import httpx

from sandbox.clock import ScaledClock
from sandbox.config import Settings
from sandbox.db import Database, dumps

if TYPE_CHECKING:
    from sandbox.apps import App


class PushType(StrEnum):
    EXPORT_CANDIDATE_PROFILE = "EXPORT_CANDIDATE_PROFILE"
    INTEGRATION_STATUS_CHANGE = "INTEGRATION_STATUS_CHANGE"


class PushState(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    NO_CALLBACK = "NO_CALLBACK"


def sign(secret: str, body: bytes) -> str:
    """The ``X-LI-Signature`` header value for ``body``."""
    return "hmacsha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def challenge_response(secret: str, challenge_code: str) -> str:
    return hmac.new(secret.encode(), challenge_code.encode(), hashlib.sha256).hexdigest()


def push_body(
    push_id: str, push_type: PushType, request_id: str, organization: str, created_at: int
) -> bytes:
    """The notification: a pointer to pull with the child token, never the data itself."""
    payload = {
        "id": push_id,
        "type": str(push_type),
        "requestId": request_id,
        "integrationContext": organization,
        "createdAt": created_at,
    }
    return json.dumps(payload, separators=(",", ":")).encode()


class PushDispatcher:
    """Delivers pushes in the background, retrying with exponential backoff; records every attempt."""

    def __init__(self, db: Database, clock: ScaledClock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        #: The sandbox's run-time switches (changed in place by ``PUT /_sandbox/settings``).
        self._settings = settings
        self._client: httpx.AsyncClient | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        self._client = httpx.AsyncClient(follow_redirects=False)

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("the push dispatcher is not started (run the app with its lifespan)")
        return self._client

    def push(self, app: App, push_type: PushType, request_id: str) -> str:
        """Record a push for ``app`` and start delivering it; returns the push id."""
        push_id = str(uuid.uuid4())
        organization = app.organization or ""
        body = push_body(push_id, push_type, request_id, organization, self._clock.now_ms())
        url = app.callback_url
        state = PushState.PENDING if url else PushState.NO_CALLBACK
        self._db.execute(
            "INSERT INTO pushes (id, client_id, org, type, request_id, url, body, state, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                push_id,
                app.client_id,
                organization,
                push_type,
                request_id,
                url or "",
                body.decode(),
                state,
                self._clock.now_ms(),
            ),
        )
        if url:
            task = asyncio.get_running_loop().create_task(self._deliver(push_id, app, url, body))
            self._tasks[push_id] = task
            task.add_done_callback(lambda _t: self._tasks.pop(push_id, None))
        return push_id

    async def wait(self, push_id: str, timeout_s: float | None = None) -> None:
        task = self._tasks.get(push_id)
        if task is not None:
            await asyncio.wait_for(asyncio.shield(task), timeout_s)

    async def _deliver(self, push_id: str, app: App, url: str, body: bytes) -> None:
        settings = self._settings
        headers = {"Content-Type": "application/json", "X-LI-Signature": sign(app.client_secret, body)}
        attempts: list[dict[str, Any]] = []
        for attempt in range(settings.push_retries + 1):
            if attempt:
                backoff = min(settings.push_backoff_s * 2 ** (attempt - 1), settings.push_backoff_max_s)
                await asyncio.sleep(backoff)
            record: dict[str, Any] = {"attempt": attempt + 1, "at": self._clock.now_ms()}
            started = time.monotonic()
            try:
                response = await self.client.post(
                    url, content=body, headers=headers, timeout=settings.push_timeout_s
                )
                record["status"] = response.status_code
                delivered = 200 <= response.status_code < 300
            except httpx.HTTPError as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
                delivered = False
            record["durationMs"] = round((time.monotonic() - started) * 1000, 1)
            attempts.append(record)
            state = PushState.DELIVERED if delivered else PushState.PENDING
            if not delivered and attempt == settings.push_retries:
                state = PushState.FAILED
            self._save(push_id, state, attempts)
            if delivered:
                return

    def _save(self, push_id: str, state: PushState, attempts: list[dict[str, Any]]) -> None:
        self._db.execute(
            "UPDATE pushes SET state = ?, attempts = ? WHERE id = ?", (state, dumps(attempts), push_id)
        )

    def list(self, *, org: str | None = None, client_id: str | None = None) -> list[dict[str, Any]]:
        clauses, params = [], []
        for column, value in (("org", org), ("client_id", client_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.all(f"SELECT * FROM pushes {where} ORDER BY created_at, rowid", params)  # noqa: S608
        return [_push_view(row) for row in rows]

    def get(self, push_id: str) -> dict[str, Any] | None:
        row = self._db.one("SELECT * FROM pushes WHERE id = ?", (push_id,))
        return _push_view(row) if row else None

    async def validate_callback(self, app: App, url: str) -> dict[str, Any]:
        """LinkedIn's callback check: GET ``url?challengeCode=..&applicationId=..``, expect the HMAC back."""
        code = secrets.token_hex(16)
        expected = challenge_response(app.client_secret, code)
        check: dict[str, Any] = {"url": url, "at": self._clock.now_ms(), "passed": False}
        try:
            response = await self.client.get(
                url,
                params={"challengeCode": code, "applicationId": app.client_id},
                timeout=self._settings.push_timeout_s,
            )
            check["status"] = response.status_code
            answer = response.json() if response.status_code == 200 else None
            if not isinstance(answer, dict):
                check["detail"] = f"expected 200 with a JSON object, got {response.status_code}"
            elif answer.get("challengeCode") != code:
                check["detail"] = "challengeCode in the answer is not the one sent"
            elif not hmac.compare_digest(str(answer.get("challengeResponse", "")), expected):
                check["detail"] = "challengeResponse is not hex(HMAC-SHA256(client secret, challengeCode))"
            else:
                check["passed"] = True
        except (httpx.HTTPError, ValueError) as exc:
            check["detail"] = f"{type(exc).__name__}: {exc}"
        return check


def _push_view(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "clientId": row["client_id"],
        "organization": row["org"],
        "type": row["type"],
        "requestId": row["request_id"],
        "url": row["url"],
        "body": row["body"],
        "state": row["state"],
        "attempts": json.loads(row["attempts"]),
        "createdAt": row["created_at"],
    }
