"""``POST /oauth/v2/accessToken``: the client-credentials grant for partner and customer apps."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.responses import JSONResponse, Response

from sandbox.apps import Authenticated
from sandbox.gateway import ApiCall
from sandbox.rules import OAUTH_CREDENTIALS, OAUTH_GRANT, TOKEN_REUSE


def _note_wasted_token(call: ApiCall, found: Authenticated, ttl_s: int) -> None:
    """A token minted while the app holds one with much life left is waste: LinkedIn asks partners to
    reuse one token across concurrent calls and refresh it only when it expires (§1). The first token
    minted with a new secret is not: it is how a rotation puts the new secret to use (§1.1)."""
    sandbox = call.sandbox
    client_id = found.app.client_id
    if found.secret is not None and not found.secret.used:
        sandbox.apps.secrets.mark_used(found.secret)
        return
    expires_at = sandbox.apps.newest_expiry(client_id)
    if expires_at is None:
        return
    left_s = (expires_at - sandbox.clock.now_ms()) / 1000
    threshold_s = min(sandbox.settings.token_reuse_left_s, ttl_s / 2)
    if left_s > threshold_s:
        call.breaches.note(
            TOKEN_REUSE,
            f"a new token was minted while the app's token still had {left_s:.0f} sandbox seconds to live "
            f"(more than {threshold_s:.0f}); cache the token and reuse it",
            refused=False,
        )


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


async def access_token(call: ApiCall) -> Response:
    form = {name: values[0] for name, values in parse_qs(call.raw_body.decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "client_credentials":
        call.breaches.note(OAUTH_GRANT, f"grant_type {form.get('grant_type')!r}")
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    if not client_id or not client_secret:
        call.breaches.note(OAUTH_GRANT, "client_id or client_secret missing")
        return _oauth_error(400, "invalid_request", "client_id and client_secret are required")
    sandbox = call.sandbox
    found = sandbox.apps.authenticate(client_id, client_secret)
    if found is None:
        call.breaches.note(OAUTH_CREDENTIALS, f"client id {client_id!r} with a secret that is not its own")
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    ttl_s = sandbox.settings.token_ttl_s
    _note_wasted_token(call, found, ttl_s)
    token = sandbox.apps.mint(found.app, ttl_s)
    # The lifetime runs on the sandbox clock; tell the client how long that is in its own seconds.
    return JSONResponse({"access_token": token, "expires_in": sandbox.clock.retry_after(ttl_s * 1000)})
