"""``/v2/provisionedApplications``: the partner app creates and maintains customer apps (§3.1), and
manages their client secrets (§1.1; the path is the project's ASSUMPTION, ``sandbox/shapes.py``)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.apps import App
from sandbox.gateway import ApiCall
from sandbox.restli import ApiError, bad_request, malformed_body, paged
from sandbox.rules import FIELD_PROVISIONING, FIELD_UNKNOWN, FINDER_Q, SECRET_LIMIT
from sandbox.secret_store import MAX_SECRETS, LastSecret, SecretLimit

PROFILE_FIELDS = ("name", "description", "validJsSdkDomains", "oauth2AuthorizedCallbackUrls")


def provisioned_view(app: App) -> dict[str, Any]:
    return {
        "key": app.app_urn,
        "name": app.profile.get("name"),
        "description": app.profile.get("description"),
        "uniqueForeignId": app.unique_foreign_id,
        "validJsSdkDomains": app.profile.get("validJsSdkDomains", []),
        "oauth2AuthorizedCallbackUrls": app.profile.get("oauth2AuthorizedCallbackUrls", []),
        "credentials": {"clientId": app.client_id, "clientSecret": app.client_secret},
    }


def _profile_problems(profile: dict[str, Any]) -> list[str]:
    problems = []
    for name in ("validJsSdkDomains", "oauth2AuthorizedCallbackUrls"):
        value = profile.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{name} must be a list of strings")
    for domain in profile.get("validJsSdkDomains", []) or []:
        if isinstance(domain, str) and domain.endswith("/"):
            problems.append(f"validJsSdkDomains entry {domain!r} must not end with '/'")
    return problems


async def create(call: ApiCall) -> Response:
    body = call.body if isinstance(call.body, dict) else {}
    unknown = set(body) - {*PROFILE_FIELDS, "uniqueForeignId"}
    if unknown:
        raise ApiError(422, f"unrecognized field(s): {', '.join(sorted(unknown))}", rule=FIELD_UNKNOWN)
    for name in ("name", "uniqueForeignId"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise ApiError(422, f"{name} is required", rule=FIELD_PROVISIONING)
    profile = {name: body[name] for name in PROFILE_FIELDS if name in body}
    problems = _profile_problems(profile)
    if problems:
        raise ApiError(422, "; ".join(problems), rule=FIELD_PROVISIONING)
    apps = call.sandbox.apps
    if apps.find(unique_foreign_id=body["uniqueForeignId"]) is not None:
        # Not a violation: a retried create meets its own first attempt; the lookup resolves it.
        raise ApiError(
            409,
            f"an application with uniqueForeignId '{body['uniqueForeignId']}' already exists; "
            "look it up with q=credentialsByUniqueForeignId",
        )
    app = apps.create(unique_foreign_id=body["uniqueForeignId"], profile=profile)
    return JSONResponse(provisioned_view(app), 201, headers={"X-RestLi-Id": app.app_urn})


async def find(call: ApiCall) -> Response:
    if call.param("q") != "credentialsByUniqueForeignId":
        raise bad_request(
            "provisionedApplications supports the finder q=credentialsByUniqueForeignId", FINDER_Q
        )
    app = call.sandbox.apps.find(unique_foreign_id=call.param("uniqueForeignId", required=True))
    elements = [provisioned_view(app)] if app is not None else []
    return paged(elements, 0, len(elements), len(elements))


def _by_urn(call: ApiCall) -> App:
    app = call.sandbox.apps.find(app_urn=call.path_param("app_urn"))
    if app is None:
        raise ApiError(404, f"no provisioned application '{call.path_param('app_urn')}'")
    return app


async def get(call: ApiCall) -> Response:
    return JSONResponse(provisioned_view(_by_urn(call)))


async def update(call: ApiCall) -> Response:
    app = _by_urn(call)
    patch = call.body.get("patch") if isinstance(call.body, dict) else None
    changes = patch.get("$set") if isinstance(patch, dict) else None
    if not isinstance(changes, dict):
        raise malformed_body('the body must be {"patch": {"$set": {...}}}')
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ApiError(
            422,
            f"cannot $set {', '.join(sorted(unknown))}; settable: {', '.join(PROFILE_FIELDS)}",
            rule=FIELD_PROVISIONING,
        )
    profile = {**app.profile, **changes}
    problems = _profile_problems(profile)
    if problems:
        raise ApiError(422, "; ".join(problems), rule=FIELD_PROVISIONING)
    call.sandbox.apps.update(app, profile=profile)
    return Response(status_code=204)


async def list_secrets(call: ApiCall) -> Response:
    """The app's secrets, oldest first: ids and creation times, never the values."""
    app = _by_urn(call)
    elements = [held.view() for held in call.sandbox.apps.secrets.of(app.client_id)]
    return paged(elements, 0, len(elements), len(elements))


async def create_secret(call: ApiCall) -> Response:
    """Rotate: a new secret beside the current one; both work until one is deleted."""
    app = _by_urn(call)
    if call.body not in (None, {}):
        raise malformed_body("a secret is created with an empty body {}")
    try:
        created = call.sandbox.apps.add_secret(app)
    except SecretLimit:
        raise ApiError(
            409,
            f"application '{app.app_urn}' holds {MAX_SECRETS} secrets already; delete one before rotating",
            rule=SECRET_LIMIT,
        ) from None
    return JSONResponse(created.view(with_secret=True), 201, headers={"X-RestLi-Id": created.secret_id})


async def delete_secret(call: ApiCall) -> Response:
    app = _by_urn(call)
    secret_id = call.path_param("secret_id")
    try:
        deleted = call.sandbox.apps.delete_secret(app, secret_id)
    except LastSecret:
        raise ApiError(
            409, f"'{secret_id}' is the only secret of '{app.app_urn}'; create another first"
        ) from None
    if not deleted:
        raise ApiError(404, f"application '{app.app_urn}' has no secret '{secret_id}'")
    return Response(status_code=204)
