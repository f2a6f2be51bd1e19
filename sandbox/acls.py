"""ACLs (``/v2/atsEntityAcls``, ``/v2/atsEntityAclAssignees``; ``/rest/entityAcls`` and
``/rest/entityAclAssignees`` since 202511): who may see a synced entity when the customer's viewers
are ``ACL_BASED`` (reference §3.7).

As the reference has them: ``PUT`` with ``batch_update``, keys in the query string and empty entity
bodies; ``GET ?q=criteria`` (an ACL by ``atsEntityId`` and ``atsEntityType``, assignees by
``assignee``); ``DELETE`` by the same keys. An assignee is a person URN. The reference elides part of
an assignee's key (``ids[0]...``): the sandbox reads it as the ACL's key plus ``assignee``. Records are
stored under v2's keys (``dataProvider=ATS``), so both shapes see the same ACLs.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.batch import body_entities, display_key, query_keys
from sandbox.gateway import ApiCall
from sandbox.records import Kind
from sandbox.restli import ApiError, Key, batch_response, canonical, entity_error, paged
from sandbox.rules import AUTH_SCOPE, FIELD_ACL, FINDER_Q, KEY_SHAPE, Rule
from sandbox.shapes import Dialect
from sandbox.validation import PERSON_URN

#: Entity types an ACL may govern (the reference shows JOB_POSTING only).
ENTITY_TYPES = ("JOB_POSTING",)
_ACL_FIELDS = ("atsEntityAclId", "integrationContext", "atsEntityType", "atsEntityId")


def acl_fields(dialect: Dialect) -> frozenset[str]:
    return frozenset((*_ACL_FIELDS, "dataProvider") if dialect.data_provider else _ACL_FIELDS)


def assignee_fields(dialect: Dialect) -> frozenset[str]:
    return acl_fields(dialect) | {"assignee"}


def _stored(key: Key) -> str:
    return canonical({**key, "dataProvider": key.get("dataProvider", "ATS")})


def _problem(call: ApiCall, key: Key) -> tuple[Rule, int, str] | None:
    if key.get("dataProvider", "ATS") != "ATS":
        return KEY_SHAPE, 422, "dataProvider must be ATS"
    if key["integrationContext"] != call.organization:
        return (
            AUTH_SCOPE,
            403,
            f"integrationContext {key['integrationContext']} is not this app's organization",
        )
    if key["atsEntityType"] not in ENTITY_TYPES:
        return FIELD_ACL, 422, f"atsEntityType must be one of {', '.join(ENTITY_TYPES)}"
    if "assignee" in key and not PERSON_URN.fullmatch(key["assignee"]):
        return FIELD_ACL, 422, f"assignee must be a person URN (urn:li:person:...), got {key['assignee']!r}"
    return None


def _kind(assignees: bool) -> Kind:
    return Kind.ENTITY_ACL_ASSIGNEE if assignees else Kind.ENTITY_ACL


async def batch_update(call: ApiCall, dialect: Dialect, *, assignees: bool) -> Response:
    fields = assignee_fields(dialect) if assignees else acl_fields(dialect)
    sandbox, org = call.sandbox, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for item in body_entities(call, fields):
            problem = _problem(call, item.key)
            if problem is None and item.entity != {}:
                problem = FIELD_ACL, 422, f"{display_key(item.key)}: the entity body must be empty ({{}})"
            if problem is not None:
                errors[item.sent] = call.refuse_entity(*problem)
                continue
            record = {**item.key, "dataProvider": "ATS", "lastModifiedAt": sandbox.clock.now_ms()}
            sandbox.records.put(_kind(assignees), org, _stored(item.key), record)
            results[item.sent] = {"status": 204}
    return batch_response(results, errors)


async def batch_delete(call: ApiCall, dialect: Dialect, *, assignees: bool) -> Response:
    fields = assignee_fields(dialect) if assignees else acl_fields(dialect)
    sandbox, org = call.sandbox, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for key in query_keys(call, fields).values():
            shown = display_key(key)
            problem = _problem(call, key)
            if problem is not None:
                errors[shown] = call.refuse_entity(*problem)
            elif sandbox.records.delete(
                _kind(assignees), org, _stored(key), client_id=call.customer.client_id
            ):
                results[shown] = {"status": 204}
            else:
                # Deleting what is not there is fine (a retried delete): answered 404, no violation.
                errors[shown] = entity_error(404, f"no such entry {shown}")
    return batch_response(results, errors)


async def find(call: ApiCall, dialect: Dialect, *, assignees: bool) -> Response:
    if call.param("q") != "criteria":
        raise ApiError(400, "this resource supports the finder q=criteria", rule=FINDER_Q)
    if assignees:
        wanted = {"assignee": call.param("assignee", required=True)}
    else:
        wanted = {
            "atsEntityId": call.param("atsEntityId", required=True),
            "atsEntityType": call.param("atsEntityType", required=True),
        }
    records = call.sandbox.records.all_of(_kind(assignees), call.organization)
    elements = [
        _view(r["body"], dialect)
        for r in records
        if all(r["body"].get(name) == value for name, value in wanted.items())
    ]
    return paged(elements, 0, len(elements), len(elements))


def _view(record: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    if dialect.data_provider:
        return dict(record)
    return {name: value for name, value in record.items() if name != "dataProvider"}
