"""Candidates, applications and their sub-resources: the records the ATS syncs to LinkedIn (§3.4-§3.6).

One set of batch handlers serves every resource in both shapes; a :class:`SyncedResource` says what
differs (record kind, the shape's key and field names, field rules). Records are stored in v2's
field names whatever shape wrote them, so either shape reads what the other wrote. PUT replaces the
whole record, so a field left out is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from starlette.responses import Response

from sandbox.batch import body_entities, display_key, query_keys, simple_entities, simple_ids
from sandbox.gateway import ApiCall
from sandbox.records import Kind
from sandbox.restli import ApiError, Key, bad_request, batch_response, entity_error, parse_entity_key
from sandbox.rules import (
    AUTH_SCOPE,
    FIELD_APPLICATION,
    FIELD_CANDIDATE,
    FIELD_FEEDBACK,
    FIELD_NOTE,
    FIELD_PATCH,
    FIELD_STAGE,
    KEY_SHAPE,
    ORDER_PARENT,
    Rule,
)
from sandbox.shapes import V2_APPLICATIONS, V2_CANDIDATES, Dialect
from sandbox.state import Sandbox
from sandbox.validation import (
    APPLICATION_FIELDS,
    CANDIDATE_FIELDS,
    FEEDBACK_FIELDS,
    NOTE_FIELDS,
    ORGANIZATION_URN,
    STAGE_FIELDS,
    Checker,
    check_application,
    check_candidate,
    check_interview_feedback,
    check_note,
    check_stage,
    renamed,
)

#: An entity's problems: the rule each breaks and what to fix.
Problems = list[tuple[Rule, str]]


@dataclass(frozen=True)
class SyncedResource:
    kind: Kind
    #: How the shape serving it names its key and fields.
    dialect: Dialect
    check: Checker
    #: The fields the resource lists, in v2's names (records are stored under them).
    fields: frozenset[str]
    #: The field rule an entity that fails ``check`` breaks.
    rule: Rule
    #: Computed fields shown by batch GET (name -> function of sandbox and stored record).
    computed: Mapping[str, Callable[[Sandbox, dict[str, Any]], Any]] | None = None

    @property
    def id_field(self) -> str:
        return self.dialect.id_field

    @property
    def key_fields(self) -> frozenset[str]:
        names = {self.id_field, "integrationContext"}
        return frozenset(names | {"dataProvider"} if self.dialect.data_provider else names)

    @cached_property
    def wire_fields(self) -> frozenset[str]:
        return renamed(self.fields, self.dialect.renames)


@dataclass(frozen=True)
class SubResource:
    parent: SyncedResource
    kind: Kind
    check: Checker
    fields: frozenset[str]
    rule: Rule


def matched_members(sandbox: Sandbox, candidate: dict[str, Any]) -> list[str]:
    """LinkedIn's own matches: seeded members with one of the candidate's e-mails or its profile URL."""
    emails = [e.lower() for e in candidate.get("emailAddresses") or [] if isinstance(e, str)]
    url = candidate.get("linkedInProfileUrl")
    urls = [url.rstrip("/").lower()] if isinstance(url, str) else []
    if not emails and not urls:
        return []
    rows = sandbox.db.all(
        f"SELECT member FROM members WHERE email IN ({','.join('?' * len(emails)) or 'NULL'})"  # noqa: S608
        f" OR profile_url IN ({','.join('?' * len(urls)) or 'NULL'}) ORDER BY member",
        (*emails, *urls),
    )
    return [row["member"] for row in rows]


def candidates(dialect: Dialect) -> SyncedResource:
    return SyncedResource(
        Kind.CANDIDATE,
        dialect,
        check_candidate,
        CANDIDATE_FIELDS,
        FIELD_CANDIDATE,
        computed={"matchedMembers": matched_members},
    )


def applications(dialect: Dialect) -> SyncedResource:
    return SyncedResource(Kind.APPLICATION, dialect, check_application, APPLICATION_FIELDS, FIELD_APPLICATION)


def candidate_notes(dialect: Dialect) -> SubResource:
    return SubResource(candidates(dialect), Kind.CANDIDATE_NOTE, check_note, NOTE_FIELDS, FIELD_NOTE)


def application_stages(dialect: Dialect) -> SubResource:
    return SubResource(applications(dialect), Kind.APPLICATION_STAGE, check_stage, STAGE_FIELDS, FIELD_STAGE)


def application_notes(dialect: Dialect) -> SubResource:
    return SubResource(applications(dialect), Kind.APPLICATION_NOTE, check_note, NOTE_FIELDS, FIELD_NOTE)


def interview_feedback(dialect: Dialect) -> SubResource:
    return SubResource(
        applications(dialect),
        Kind.INTERVIEW_FEEDBACK,
        check_interview_feedback,
        FEEDBACK_FIELDS,
        FIELD_FEEDBACK,
    )


#: The v2 vocabulary, in which the control API shows records whatever shape wrote them.
CANDIDATES = candidates(V2_CANDIDATES)
APPLICATIONS = applications(V2_APPLICATIONS)


def _key_problem(call: ApiCall, resource: SyncedResource, key: Key) -> tuple[Rule, int, str] | None:
    context = key["integrationContext"]
    if resource.dialect.data_provider and key["dataProvider"] != "ATS":
        return KEY_SHAPE, 400, f"dataProvider must be ATS, got {key['dataProvider']!r}"
    if not key[resource.id_field]:
        return KEY_SHAPE, 400, f"{resource.id_field} must not be empty"
    if not ORGANIZATION_URN.fullmatch(context):
        return (
            KEY_SHAPE,
            400,
            f"integrationContext must be an organization URN (urn:li:organization:N), got {context!r}",
        )
    if context != call.organization:
        return AUTH_SCOPE, 403, f"integrationContext {context} is not this application's organization"
    return None


def _problems(call: ApiCall, resource: SyncedResource, org: str, label: str, entity: Any) -> Problems:
    """What is wrong with an entity as the caller sent it (in its shape's names)."""
    sandbox = call.sandbox
    if not isinstance(entity, dict):
        return [(resource.rule, "the entity must be a JSON object")]
    problems = call.unlisted(entity, resource.wire_fields, label)
    problems += [(resource.rule, p) for p in resource.check(entity, resource.dialect.renames)]
    if resource.kind is Kind.APPLICATION and sandbox.settings.require_known_job:
        job_id = entity.get("atsJobPostingId")
        if isinstance(job_id, str) and sandbox.records.get(Kind.JOB, org, job_id) is None:
            problems.append(
                (FIELD_APPLICATION, f"atsJobPostingId {job_id!r} is not a job synced with simpleJobPostings")
            )
    return problems


def _refused(call: ApiCall, label: str, problems: Problems) -> dict[str, Any]:
    """The 422 of an entity with ``problems``; each rule it broke is noted with the entity's id."""
    for rule, problem in problems:
        call.breaches.note(rule, f"{label}: {problem}")
    return entity_error(422, "; ".join(problem for _, problem in problems))


def _key_error(call: ApiCall, problem: tuple[Rule, int, str]) -> dict[str, Any]:
    rule, status, message = problem
    return call.refuse_entity(rule, status, message)


def render(
    sandbox: Sandbox, resource: SyncedResource, stored: dict[str, Any], projection: list[str]
) -> dict[str, Any]:
    """A stored record as batch GET shows it in the resource's shape: every known field (null when
    absent) and computed ones."""
    wire = resource.dialect.wire
    shown: dict[str, Any] = {wire(name): stored.get(name) for name in sorted(resource.fields)}
    for name, compute in (resource.computed or {}).items():
        shown[name] = compute(sandbox, stored)
    if projection:
        shown = {name: value for name, value in shown.items() if name in projection}
    return shown


async def batch_update(call: ApiCall, resource: SyncedResource) -> Response:
    sandbox, org = call.sandbox, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for item in body_entities(call, resource.key_fields):
            key_problem = _key_problem(call, resource, item.key)
            if key_problem is not None:
                errors[item.sent] = _key_error(call, key_problem)
                continue
            record_id = item.key[resource.id_field]
            problems = _problems(call, resource, org, record_id, item.entity)
            if problems:
                errors[item.sent] = _refused(call, record_id, problems)
                continue
            sandbox.records.put(resource.kind, org, record_id, resource.dialect.to_canonical(item.entity))
            results[item.sent] = {"status": 204}
    return batch_response(results, errors)


async def batch_get(call: ApiCall, resource: SyncedResource) -> Response:
    sandbox, org = call.sandbox, call.organization
    projection = [name for value in call.params("fields") for name in value.split(",") if name]
    keys = query_keys(call, resource.key_fields)
    stored = sandbox.records.get_many(resource.kind, org, [key[resource.id_field] for key in keys.values()])
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for key in keys.values():
        shown = display_key(key)
        key_problem = _key_problem(call, resource, key)
        record = stored.get(key[resource.id_field])
        if key_problem is not None:
            errors[shown] = _key_error(call, key_problem)
        elif record is None:
            errors[shown] = entity_error(404, f"no {resource.kind} {key[resource.id_field]!r}")
        else:
            results[shown] = render(sandbox, resource, record, projection)
    return batch_response(results, errors)


def _apply_patch(record: dict[str, Any], patch: Any) -> dict[str, Any]:
    if not isinstance(patch, dict) or not set(patch) <= {"$set", "$delete"} or not patch:
        raise ValueError('the patch must be {"$set": {...}} and/or {"$delete": [...]}')
    to_set, to_delete = patch.get("$set", {}), patch.get("$delete", [])
    if not isinstance(to_set, dict) or not isinstance(to_delete, list):
        raise ValueError("$set takes an object and $delete a list of field names")
    updated = {name: value for name, value in record.items() if name not in to_delete}
    updated.update(to_set)
    return updated


async def batch_partial_update(call: ApiCall, resource: SyncedResource) -> Response:
    sandbox, org = call.sandbox, call.organization
    dialect = resource.dialect
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for item in body_entities(call, resource.key_fields):
            key_problem = _key_problem(call, resource, item.key)
            if key_problem is not None:
                errors[item.sent] = _key_error(call, key_problem)
                continue
            record_id = item.key[resource.id_field]
            record = sandbox.records.get(resource.kind, org, record_id)
            if record is None:
                errors[item.sent] = entity_error(
                    404, f"no {resource.kind} {record_id!r}; create it with a PUT first"
                )
                continue
            try:
                patch = item.entity.get("patch") if isinstance(item.entity, dict) else None
                updated = _apply_patch(dialect.to_wire(record), patch)
            except ValueError as exc:
                errors[item.sent] = call.refuse_entity(FIELD_PATCH, 422, f"{record_id}: {exc}")
                continue
            problems = _problems(call, resource, org, record_id, updated)
            if problems:
                errors[item.sent] = _refused(call, record_id, problems)
                continue
            sandbox.records.put(resource.kind, org, record_id, dialect.to_canonical(updated))
            results[item.sent] = {"status": 204}
    return batch_response(results, errors)


async def batch_delete(call: ApiCall, resource: SyncedResource) -> Response:
    sandbox, org = call.sandbox, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for key in query_keys(call, resource.key_fields).values():
            shown = display_key(key)
            key_problem = _key_problem(call, resource, key)
            if key_problem is not None:
                errors[shown] = _key_error(call, key_problem)
            elif sandbox.records.delete(
                resource.kind, org, key[resource.id_field], client_id=call.customer.client_id
            ):
                results[shown] = {"status": 204}
            else:
                # Deleting what is not there is fine (a retried delete): answered 404, no violation.
                errors[shown] = entity_error(404, f"no {resource.kind} {key[resource.id_field]!r}")
    return batch_response(results, errors)


def _parent_id(call: ApiCall, sub: SubResource, *, writing: bool = False) -> str:
    """The owning record's id from the path; the whole call fails if it is not this org's record."""
    key = parse_entity_key(call.path_param("key"))
    if set(key) != sub.parent.key_fields:
        raise bad_request(
            f"the key in the path must have the fields {', '.join(sorted(sub.parent.key_fields))}", KEY_SHAPE
        )
    problem = _key_problem(call, sub.parent, key)
    if problem is not None:
        rule, status, message = problem
        raise ApiError(status, message, rule=rule)
    parent_id = key[sub.parent.id_field]
    if call.sandbox.records.get(sub.parent.kind, call.organization, parent_id) is None:
        raise ApiError(
            404,
            f"no {sub.parent.kind} {parent_id!r}; sync it before its {sub.kind} records",
            # Reading or deleting under a record that is gone is an answer, not a mistake.
            rule=ORDER_PARENT if writing else None,
        )
    return parent_id


async def sub_update(call: ApiCall, sub: SubResource) -> Response:
    sandbox, org = call.sandbox, call.organization
    parent_id = _parent_id(call, sub, writing=True)
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for item_id, entity in simple_entities(call).items():
            problems: Problems
            if not isinstance(entity, dict):
                problems = [(sub.rule, "the entity must be a JSON object")]
            else:
                problems = call.unlisted(entity, sub.fields, item_id)
                problems += [(sub.rule, p) for p in sub.check(entity, {})]
            if problems:
                errors[item_id] = _refused(call, item_id, problems)
                continue
            sandbox.records.put(sub.kind, org, item_id, dict(entity), parent_id)
            results[item_id] = {"status": 204}
    return batch_response(results, errors)


async def sub_get(call: ApiCall, sub: SubResource) -> Response:
    sandbox, org = call.sandbox, call.organization
    parent_id = _parent_id(call, sub)
    stored = sandbox.records.get_many(sub.kind, org, simple_ids(call), parent_id)
    results = {item_id: stored[item_id] for item_id in simple_ids(call) if item_id in stored}
    errors = {
        item_id: entity_error(404, f"no {sub.kind} {item_id!r}")
        for item_id in simple_ids(call)
        if item_id not in stored
    }
    return batch_response(results, errors)


async def sub_delete(call: ApiCall, sub: SubResource) -> Response:
    sandbox, org = call.sandbox, call.organization
    parent_id = _parent_id(call, sub)
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for item_id in simple_ids(call):
            if sandbox.records.delete(sub.kind, org, item_id, parent_id, client_id=call.customer.client_id):
                results[item_id] = {"status": 204}
            else:
                errors[item_id] = entity_error(404, f"no {sub.kind} {item_id!r}")
    return batch_response(results, errors)
