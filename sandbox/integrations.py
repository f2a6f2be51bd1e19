"""``/v2/atsIntegrations``: naming the customer's integrations, their configurations (CALLBACK_URL
among them) and the INTEGRATION_STATUS_CHANGE the customer triggers in Recruiter (§3.2)."""

from __future__ import annotations

import json
import uuid
from enum import StrEnum
from typing import Any

from starlette.responses import Response

from sandbox.apps import App
from sandbox.batch import body_entities, display_key, query_keys, simple_entities, simple_ids
from sandbox.gateway import ApiCall
from sandbox.pushes import PushType
from sandbox.records import Kind
from sandbox.restli import ApiError, Key, batch_response, canonical, entity_error, paged, parse_entity_key
from sandbox.state import Sandbox
from sandbox.validation import CONTRACT_URN, HTTP_URL, ORGANIZATION_URN

KEY_FIELDS = frozenset({"integrationContext", "integrationType", "tenantType", "dataProvider"})


class IntegrationType(StrEnum):
    ONE_CLICK_EXPORT = "ONE_CLICK_EXPORT"
    IN_ATS_INDICATOR = "IN_ATS_INDICATOR"
    PROFILE_PLUGIN = "PROFILE_PLUGIN"
    #: The only contract-keyed integration.
    CSA_API = "CSA_API"


class IntegrationStatus(StrEnum):
    NOT_ENABLED = "NOT_ENABLED"
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


#: Which configurations hang off which integration, and the values they take (None: any http(s) URL).
CONFIGURATIONS: dict[str, tuple[IntegrationType, tuple[str, ...] | None]] = {
    "CALLBACK_URL": (IntegrationType.ONE_CLICK_EXPORT, None),
    "JOB_POSTING_VIEWERS": (IntegrationType.ONE_CLICK_EXPORT, ("ALL_PRODUCT_USERS", "ACL_BASED")),
    "APPLICATION_VIEWERS": (IntegrationType.IN_ATS_INDICATOR, ("ALL_PRODUCT_USERS", "ACL_BASED")),
}


def integration_key(context: str, integration_type: str) -> Key:
    return {
        "integrationContext": context,
        "integrationType": integration_type,
        "tenantType": "RECRUITER",
        "dataProvider": "ATS",
    }


def key_problem(app: App, key: Key) -> tuple[int, str] | None:
    """Why ``app`` may not touch the integration ``key``: (status, message), or None."""
    integration_type, context = key["integrationType"], key["integrationContext"]
    if integration_type not in IntegrationType.__members__:
        return 422, f"integrationType must be one of {', '.join(IntegrationType)}, got {integration_type!r}"
    if key["tenantType"] != "RECRUITER" or key["dataProvider"] != "ATS":
        return 422, "tenantType must be RECRUITER and dataProvider ATS"
    if integration_type == IntegrationType.CSA_API:
        if not CONTRACT_URN.fullmatch(context):
            return 422, f"CSA_API is keyed by a contract URN (urn:li:contract:N), got {context!r}"
        if context not in app.contracts:
            return 403, f"contract {context} is not one this application was authorized for"
        return None
    if not ORGANIZATION_URN.fullmatch(context):
        return (
            422,
            f"{integration_type} is keyed by an organization URN (urn:li:organization:N), got {context!r}",
        )
    if context != app.organization:
        return 403, f"integrationContext {context} is not this application's organization"
    return None


def integration_view(record: dict[str, Any]) -> dict[str, Any]:
    return {
        **record["key"],
        "integrationName": record.get("integrationName"),
        "status": record["status"],
        "lastModifiedAt": record["lastModifiedAt"],
    }


async def partial_update(call: ApiCall) -> Response:
    sandbox, app, org = call.sandbox, call.customer, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for item in body_entities(call, KEY_FIELDS):
            problem = key_problem(app, item.key)
            patch = item.entity.get("patch") if isinstance(item.entity, dict) else None
            changes = patch.get("$set") if isinstance(patch, dict) else None
            if problem is None and (not isinstance(changes, dict) or set(changes) - {"integrationName"}):
                problem = (422, 'the patch must be {"$set": {"integrationName": "..."}}')
            if problem is None and not (
                isinstance(changes, dict) and isinstance(changes["integrationName"], str)
            ):
                problem = (422, "integrationName must be a string")
            if problem is not None:
                errors[item.sent] = entity_error(*problem)
                continue
            assert isinstance(changes, dict)
            record = sandbox.records.get(Kind.INTEGRATION, org, item.canonical) or {
                "key": integration_key(item.key["integrationContext"], item.key["integrationType"]),
                "status": IntegrationStatus.NOT_ENABLED,
            }
            record.update(integrationName=changes["integrationName"], lastModifiedAt=sandbox.clock.now_ms())
            sandbox.records.put(Kind.INTEGRATION, org, item.canonical, record)
            results[item.sent] = {"status": 204}
    return batch_response(results, errors)


async def get(call: ApiCall) -> Response:
    if call.param("q") is not None:
        return _find_by_request(call)
    sandbox, app, org = call.sandbox, call.customer, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, key in query_keys(call, KEY_FIELDS).items():
        shown = display_key(key)
        problem = key_problem(app, key)
        record = sandbox.records.get(Kind.INTEGRATION, org, name) if problem is None else None
        if problem is not None:
            errors[shown] = entity_error(*problem)
        elif record is None:
            errors[shown] = entity_error(404, f"integration {shown} has not been named yet")
        else:
            results[shown] = integration_view(record)
    return batch_response(results, errors)


def _find_by_request(call: ApiCall) -> Response:
    if call.param("q") != "request":
        raise ApiError(400, "atsIntegrations supports the finder q=request")
    request_id = call.param("requestId", required=True)
    row = call.sandbox.db.one("SELECT org, body FROM status_changes WHERE request_id = ?", (request_id,))
    if row is None or row["org"] != call.organization:
        raise ApiError(
            404, f"no integration status change with requestId {request_id!r} for this organization"
        )
    elements = json.loads(row["body"])["integrations"]
    return paged(elements, 0, len(elements), len(elements))


def _owning_integration(call: ApiCall) -> tuple[str, Key]:
    key = parse_entity_key(call.path_param("key"))
    if set(key) != KEY_FIELDS:
        raise ApiError(
            400, f"the integration key in the path must have the fields {', '.join(sorted(KEY_FIELDS))}"
        )
    problem = key_problem(call.customer, key)
    if problem is not None:
        raise ApiError(*problem)
    name = canonical(key)
    if call.sandbox.records.get(Kind.INTEGRATION, call.organization, name) is None:
        raise ApiError(
            404,
            f"integration {display_key(key)} has not been named yet; name it with a "
            "batch_partial_update on atsIntegrations first",
        )
    return name, key


def _configuration_problem(
    sandbox: Sandbox, app: App, integration: Key, name: str, entity: Any
) -> str | None:
    if name not in CONFIGURATIONS:
        return f"unknown configuration {name!r}; known: {', '.join(CONFIGURATIONS)}"
    owner, allowed = CONFIGURATIONS[name]
    if integration["integrationType"] != owner:
        return f"{name} belongs to the {owner} integration"
    value = entity.get("configurationValue", {}).get("string") if isinstance(entity, dict) else None
    if not isinstance(value, str):
        return 'the configuration must be {"configurationValue": {"string": "..."}}'
    if allowed is not None and value not in allowed:
        return f"{name} must be one of {', '.join(allowed)}, got {value!r}"
    if allowed is None:
        if not HTTP_URL.fullmatch(value):
            return f"{name} must be an http(s) URL, got {value!r}"
        other = sandbox.apps.find(callback_url=value)
        if other is not None and other.client_id != app.client_id:
            return "this callback URL is registered for another customer; each customer needs its own URL"
    return None


async def put_configurations(call: ApiCall) -> Response:
    sandbox, app, org = call.sandbox, call.customer, call.organization
    parent, integration = _owning_integration(call)
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    new_callback: str | None = None
    with sandbox.db.transaction():
        for name, entity in simple_entities(call).items():
            problem = _configuration_problem(sandbox, app, integration, name, entity)
            if problem is not None:
                errors[name] = entity_error(422, problem)
                continue
            value = entity["configurationValue"]["string"]
            sandbox.records.put(
                Kind.CONFIGURATION, org, name, {"configurationValue": {"string": value}}, parent
            )
            if name == "CALLBACK_URL":
                new_callback = value
            results[name] = {"status": 204}
        if new_callback is not None:
            pending = {"url": new_callback, "passed": None, "detail": "validation pending"}
            app = sandbox.apps.update(app, callback_url=new_callback, callback_check=pending)
    if new_callback is not None and sandbox.settings.validate_callbacks:
        sandbox.in_background(sandbox.check_callback(app, new_callback))
    return batch_response(results, errors)


async def get_configurations(call: ApiCall) -> Response:
    parent, _ = _owning_integration(call)
    stored = call.sandbox.records.children(Kind.CONFIGURATION, call.organization, parent)
    results = {name: stored[name] for name in simple_ids(call) if name in stored}
    errors = {
        name: entity_error(404, f"configuration {name} is not set")
        for name in simple_ids(call)
        if name not in stored
    }
    return batch_response(results, errors)


async def delete_configurations(call: ApiCall) -> Response:
    sandbox, app, org = call.sandbox, call.customer, call.organization
    parent, _ = _owning_integration(call)
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for name in simple_ids(call):
            if sandbox.records.delete(Kind.CONFIGURATION, org, name, parent, client_id=app.client_id):
                results[name] = {"status": 204}
                if name == "CALLBACK_URL":
                    sandbox.apps.update(app, callback_url=None, callback_check=None)
            else:
                errors[name] = entity_error(404, f"configuration {name} is not set")
    return batch_response(results, errors)


def change_status(
    sandbox: Sandbox,
    app: App,
    status: IntegrationStatus,
    types: list[IntegrationType] | None = None,
    push: bool = True,
) -> dict[str, Any]:
    """The customer enables or disables the integration in Recruiter: record it and push the change."""
    org = app.organization
    if org is None:
        raise ValueError(f"app '{app.client_id}' has no organization; bind one first")
    wanted = types or list(IntegrationType)
    keys = [
        integration_key(contract, IntegrationType.CSA_API)
        for contract in app.contracts
        if IntegrationType.CSA_API in wanted
    ]
    keys += [integration_key(org, t) for t in wanted if t != IntegrationType.CSA_API]
    request_id = str(uuid.uuid4())
    now = sandbox.clock.now_ms()
    views = []
    with sandbox.db.transaction():
        for key in keys:
            name = canonical(key)
            record = sandbox.records.get(Kind.INTEGRATION, org, name) or {"key": key, "integrationName": None}
            record.update(status=status, lastModifiedAt=now)
            sandbox.records.put(Kind.INTEGRATION, org, name, record)
            views.append({**integration_view(record), "requestId": request_id})
        sandbox.db.execute(
            "INSERT INTO status_changes (request_id, org, created_at, body) VALUES (?, ?, ?, ?)",
            (request_id, org, now, json.dumps({"status": status, "integrations": views})),
        )
    push_id = sandbox.pushes.push(app, PushType.INTEGRATION_STATUS_CHANGE, request_id) if push else None
    return {"requestId": request_id, "pushId": push_id, "status": status, "integrations": views}
