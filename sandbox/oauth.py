"""``POST /oauth/v2/accessToken``: the client-credentials grant for partner and customer apps."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.responses import JSONResponse, Response

from sandbox.gateway import ApiCall


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


async def access_token(call: ApiCall) -> Response:
    form = {name: values[0] for name, values in parse_qs(call.raw_body.decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    if not client_id or not client_secret:
        return _oauth_error(400, "invalid_request", "client_id and client_secret are required")
    sandbox = call.sandbox
    app = sandbox.apps.authenticate(client_id, client_secret)
    if app is None:
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    ttl_s = sandbox.settings.token_ttl_s
    token = sandbox.apps.mint(app, ttl_s)
    # The lifetime runs on the sandbox clock; tell the client how long that is in its own seconds.
    return JSONResponse({"access_token": token, "expires_in": sandbox.clock.retry_after(ttl_s * 1000)})
