"""Integrations (``/v2/atsIntegrations``, ``/rest/integrations``): naming the customer's integrations,
their configurations (CALLBACK_URL among them) and the INTEGRATION_STATUS_CHANGE the customer
triggers in Recruiter (§3.2). Both shapes read and write the same records, stored under v2's keys."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.responses import Response

from sandbox.apps import App
from sandbox.batch import body_entities, display_key, query_keys, simple_entities, simple_ids
from sandbox.enablement import IntegrationStatus, IntegrationType, integration_key, set_status
from sandbox.gateway import ApiCall
from sandbox.pushes import PushType
from sandbox.records import Kind
from sandbox.restli import ApiError, Key, batch_response, canonical, entity_error, paged, parse_entity_key
from sandbox.rules import (
    AUTH_SCOPE,
    CALLBACK_UNIQUE,
    FIELD_CONFIGURATION,
    FIELD_INTEGRATION,
    FINDER_Q,
    KEY_SHAPE,
    ONBOARDING_ORDER,
    Rule,
)
from sandbox.shapes import Dialect
from sandbox.state import Sandbox
from sandbox.validation import CONTRACT_URN, HTTP_URL, ORGANIZATION_URN

#: Which configurations hang off which integration, and the values they take (None: any http(s) URL).
CONFIGURATIONS: dict[str, tuple[IntegrationType, tuple[str, ...] | None]] = {
    "CALLBACK_URL": (IntegrationType.ONE_CLICK_EXPORT, None),
    "JOB_POSTING_VIEWERS": (IntegrationType.ONE_CLICK_EXPORT, ("ALL_PRODUCT_USERS", "ACL_BASED")),
    "APPLICATION_VIEWERS": (IntegrationType.IN_ATS_INDICATOR, ("ALL_PRODUCT_USERS", "ACL_BASED")),
}


def key_fields(dialect: Dialect) -> frozenset[str]:
    names = {"integrationContext", "integrationType", "tenantType"}
    return frozenset(names | {"dataProvider"} if dialect.data_provider else names)


def stored_name(key: Key) -> str:
    """The stored integration's name for a key of either shape (stored with v2's dataProvider=ATS)."""
    return canonical({**key, "dataProvider": key.get("dataProvider", "ATS")})


def key_problem(app: App, key: Key) -> tuple[Rule, int, str] | None:
    """Why ``app`` may not touch the integration ``key``: (rule, status, message), or None."""
    integration_type, context = key["integrationType"], key["integrationContext"]
    if integration_type not in IntegrationType.__members__:
        return (
            FIELD_INTEGRATION,
            422,
            f"integrationType must be one of {', '.join(IntegrationType)}, got {integration_type!r}",
        )
    if key["tenantType"] != "RECRUITER" or key.get("dataProvider", "ATS") != "ATS":
        return KEY_SHAPE, 422, "tenantType must be RECRUITER and dataProvider ATS"
    if integration_type == IntegrationType.CSA_API:
        if not CONTRACT_URN.fullmatch(context):
            return (
                FIELD_INTEGRATION,
                422,
                f"CSA_API is keyed by a contract URN (urn:li:contract:N), got {context!r}",
            )
        if context not in app.contracts:
            return AUTH_SCOPE, 403, f"contract {context} is not one this application was authorized for"
        return None
    if not ORGANIZATION_URN.fullmatch(context):
        return (
            FIELD_INTEGRATION,
            422,
            f"{integration_type} is keyed by an organization URN (urn:li:organization:N), got {context!r}",
        )
    if context != app.organization:
        return AUTH_SCOPE, 403, f"integrationContext {context} is not this application's organization"
    return None


def integration_view(record: dict[str, Any], dialect: Dialect | None = None) -> dict[str, Any]:
    """An integration as a shape shows it (v2's, with dataProvider, when ``dialect`` is None)."""
    key = dict(record["key"])
    if dialect is not None and not dialect.data_provider:
        key.pop("dataProvider", None)
    return {
        **key,
        "integrationName": record.get("integrationName"),
        "status": record["status"],
        "lastModifiedAt": record["lastModifiedAt"],
    }


async def partial_update(call: ApiCall, dialect: Dialect) -> Response:
    sandbox, app, org = call.sandbox, call.customer, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for item in body_entities(call, key_fields(dialect)):
            problem = key_problem(app, item.key)
            patch = item.entity.get("patch") if isinstance(item.entity, dict) else None
            changes = patch.get("$set") if isinstance(patch, dict) else None
            if problem is None and (not isinstance(changes, dict) or set(changes) - {"integrationName"}):
                problem = (FIELD_INTEGRATION, 422, 'the patch must be {"$set": {"integrationName": "..."}}')
            if problem is None and not (
                isinstance(changes, dict) and isinstance(changes["integrationName"], str)
            ):
                problem = (FIELD_INTEGRATION, 422, "integrationName must be a string")
            if problem is not None:
                errors[item.sent] = call.refuse_entity(*problem)
                continue
            assert isinstance(changes, dict)
            name = stored_name(item.key)
            record = sandbox.records.get(Kind.INTEGRATION, org, name) or {
                "key": integration_key(item.key["integrationContext"], item.key["integrationType"]),
                "status": IntegrationStatus.NOT_ENABLED,
            }
            record.update(integrationName=changes["integrationName"], lastModifiedAt=sandbox.clock.now_ms())
            sandbox.records.put(Kind.INTEGRATION, org, name, record)
            results[item.sent] = {"status": 204}
    return batch_response(results, errors)


async def get(call: ApiCall, dialect: Dialect) -> Response:
    if call.param("q") is not None:
        return _find_by_request(call, dialect)
    sandbox, app, org = call.sandbox, call.customer, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for key in query_keys(call, key_fields(dialect)).values():
        shown = display_key(key)
        problem = key_problem(app, key)
        record = sandbox.records.get(Kind.INTEGRATION, org, stored_name(key)) if problem is None else None
        if problem is not None:
            errors[shown] = call.refuse_entity(*problem)
        elif record is None:
            errors[shown] = entity_error(404, f"integration {shown} has not been named yet")
        else:
            results[shown] = integration_view(record, dialect)
    return batch_response(results, errors)


def _find_by_request(call: ApiCall, dialect: Dialect) -> Response:
    if call.param("q") != "request":
        raise ApiError(400, "integrations support the finder q=request", rule=FINDER_Q)
    request_id = call.param("requestId", required=True)
    row = call.sandbox.db.one("SELECT org, body FROM status_changes WHERE request_id = ?", (request_id,))
    if row is None or row["org"] != call.organization:
        raise ApiError(
            404, f"no integration status change with requestId {request_id!r} for this organization"
        )
    elements = json.loads(row["body"])["integrations"]
    if not dialect.data_provider:
        elements = [{k: v for k, v in e.items() if k != "dataProvider"} for e in elements]
    return paged(elements, 0, len(elements), len(elements))


def _owning_integration(call: ApiCall, dialect: Dialect) -> tuple[str, Key]:
    fields = key_fields(dialect)
    key = parse_entity_key(call.path_param("key"))
    if set(key) != fields:
        raise ApiError(
            400,
            f"the integration key in the path must have the fields {', '.join(sorted(fields))}",
            rule=KEY_SHAPE,
        )
    problem = key_problem(call.customer, key)
    if problem is not None:
        rule, status, message = problem
        raise ApiError(status, message, rule=rule)
    name = stored_name(key)
    if call.sandbox.records.get(Kind.INTEGRATION, call.organization, name) is None:
        raise ApiError(
            404,
            f"integration {display_key(key)} has not been named yet; name it with a "
            "batch_partial_update on the integrations resource first",
            rule=ONBOARDING_ORDER,
        )
    return name, key


def _configuration_problem(
    sandbox: Sandbox, app: App, integration: Key, name: str, entity: Any
) -> tuple[Rule, str] | None:
    if name not in CONFIGURATIONS:
        return FIELD_CONFIGURATION, f"unknown configuration {name!r}; known: {', '.join(CONFIGURATIONS)}"
    owner, allowed = CONFIGURATIONS[name]
    if integration["integrationType"] != owner:
        return FIELD_CONFIGURATION, f"{name} belongs to the {owner} integration"
    configuration = entity.get("configurationValue") if isinstance(entity, dict) else None
    value = configuration.get("string") if isinstance(configuration, dict) else None
    if not isinstance(value, str):
        return FIELD_CONFIGURATION, 'the configuration must be {"configurationValue": {"string": "..."}}'
    if allowed is not None and value not in allowed:
        return FIELD_CONFIGURATION, f"{name} must be one of {', '.join(allowed)}, got {value!r}"
    if allowed is None:
        if not HTTP_URL.fullmatch(value):
            return FIELD_CONFIGURATION, f"{name} must be an http(s) URL, got {value!r}"
        other = sandbox.apps.find(callback_url=value)
        if other is not None and other.client_id != app.client_id:
            return (
                CALLBACK_UNIQUE,
                "this callback URL is registered for another customer; each customer needs its own URL",
            )
    return None


async def put_configurations(call: ApiCall, dialect: Dialect) -> Response:
    sandbox, app, org = call.sandbox, call.customer, call.organization
    parent, integration = _owning_integration(call, dialect)
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    new_callback: str | None = None
    with sandbox.db.transaction():
        for name, entity in simple_entities(call).items():
            problem = _configuration_problem(sandbox, app, integration, name, entity)
            if problem is not None:
                errors[name] = call.refuse_entity(problem[0], 422, problem[1])
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


async def get_configurations(call: ApiCall, dialect: Dialect) -> Response:
    parent, _ = _owning_integration(call, dialect)
    stored = call.sandbox.records.children(Kind.CONFIGURATION, call.organization, parent)
    results = {name: stored[name] for name in simple_ids(call) if name in stored}
    errors = {
        name: entity_error(404, f"configuration {name} is not set")
        for name in simple_ids(call)
        if name not in stored
    }
    return batch_response(results, errors)


async def delete_configurations(call: ApiCall, dialect: Dialect) -> Response:
    sandbox, app, org = call.sandbox, call.customer, call.organization
    parent, _ = _owning_integration(call, dialect)
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
    request_id = str(uuid.uuid4())
    with sandbox.db.transaction():
        views = [
            {**integration_view(record), "requestId": request_id}
            for record in set_status(sandbox, app, status, types)
        ]
        sandbox.db.execute(
            "INSERT INTO status_changes (request_id, org, created_at, body) VALUES (?, ?, ?, ?)",
            (
                request_id,
                app.organization,
                sandbox.clock.now_ms(),
                json.dumps({"status": status, "integrations": views}),
            ),
        )
    push_id = sandbox.pushes.push(app, PushType.INTEGRATION_STATUS_CHANGE, request_id) if push else None
    return {"requestId": request_id, "pushId": push_id, "status": status, "integrations": views}
