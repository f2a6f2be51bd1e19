"""Candidates, applications and their sub-resources: the records the ATS syncs to LinkedIn (§3.4-§3.6).

One set of batch handlers serves every resource; a :class:`SyncedResource` says what differs
(record kind, key fields, field rules). PUT replaces the whole record, so a field left out is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from sandbox.batch import body_entities, display_key, query_keys, simple_entities, simple_ids
from sandbox.gateway import ApiCall
from sandbox.records import Kind
from sandbox.restli import ApiError, Key, bad_request, batch_response, entity_error, parse_entity_key
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
)


@dataclass(frozen=True)
class SyncedResource:
    kind: Kind
    #: The id field of the composite key (the rest/ variant calls it plain ``id``).
    id_field: str
    #: v2 keys carry dataProvider=ATS; rest/ keys do not.
    with_data_provider: bool
    check: Checker
    fields: frozenset[str]
    #: Computed fields shown by batch GET (name -> function of sandbox and stored record).
    computed: Mapping[str, Callable[[Sandbox, dict[str, Any]], Any]] | None = None

    @property
    def key_fields(self) -> frozenset[str]:
        names = {self.id_field, "integrationContext"}
        return frozenset(names | {"dataProvider"} if self.with_data_provider else names)


@dataclass(frozen=True)
class SubResource:
    parent: SyncedResource
    kind: Kind
    check: Checker
    fields: frozenset[str]


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


CANDIDATES = SyncedResource(
    Kind.CANDIDATE,
    "atsCandidateId",
    True,
    check_candidate,
    CANDIDATE_FIELDS,
    computed={"matchedMembers": matched_members},
)
APPLICATIONS = SyncedResource(
    Kind.APPLICATION, "atsJobApplicationId", True, check_application, APPLICATION_FIELDS
)
REST_APPLICATIONS = SyncedResource(Kind.APPLICATION, "id", False, check_application, APPLICATION_FIELDS)

CANDIDATE_NOTES = SubResource(CANDIDATES, Kind.CANDIDATE_NOTE, check_note, NOTE_FIELDS)
APPLICATION_STAGES = SubResource(APPLICATIONS, Kind.APPLICATION_STAGE, check_stage, STAGE_FIELDS)
APPLICATION_NOTES = SubResource(APPLICATIONS, Kind.APPLICATION_NOTE, check_note, NOTE_FIELDS)
INTERVIEW_FEEDBACK = SubResource(
    APPLICATIONS, Kind.INTERVIEW_FEEDBACK, check_interview_feedback, FEEDBACK_FIELDS
)
REST_APPLICATION_STAGES = SubResource(REST_APPLICATIONS, Kind.APPLICATION_STAGE, check_stage, STAGE_FIELDS)
REST_APPLICATION_NOTES = SubResource(REST_APPLICATIONS, Kind.APPLICATION_NOTE, check_note, NOTE_FIELDS)
REST_INTERVIEW_FEEDBACK = SubResource(
    REST_APPLICATIONS, Kind.INTERVIEW_FEEDBACK, check_interview_feedback, FEEDBACK_FIELDS
)


def _key_problem(call: ApiCall, resource: SyncedResource, key: Key) -> tuple[int, str] | None:
    context = key["integrationContext"]
    if resource.with_data_provider and key["dataProvider"] != "ATS":
        return 400, f"dataProvider must be ATS, got {key['dataProvider']!r}"
    if not key[resource.id_field]:
        return 400, f"{resource.id_field} must not be empty"
    if not ORGANIZATION_URN.fullmatch(context):
        return 400, f"integrationContext must be an organization URN (urn:li:organization:N), got {context!r}"
    if context != call.organization:
        return 403, f"integrationContext {context} is not this application's organization"
    return None


def _problems(sandbox: Sandbox, resource: SyncedResource, org: str, entity: Any) -> list[str]:
    if not isinstance(entity, dict):
        return ["the entity must be a JSON object"]
    problems = resource.check(entity, sandbox.settings.strict_fields)
    if resource.kind is Kind.APPLICATION and sandbox.settings.require_known_job:
        job_id = entity.get("atsJobPostingId")
        if isinstance(job_id, str) and sandbox.records.get(Kind.JOB, org, job_id) is None:
            problems.append(f"atsJobPostingId {job_id!r} is not a job synced with simpleJobPostings")
    return problems


def render(
    sandbox: Sandbox, resource: SyncedResource, stored: dict[str, Any], projection: list[str]
) -> dict[str, Any]:
    """A stored record as batch GET shows it: every known field (null when absent) and computed ones."""
    shown: dict[str, Any] = {name: stored.get(name) for name in sorted(resource.fields)}
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
            problem = _key_problem(call, resource, item.key)
            if problem is not None:
                errors[item.sent] = entity_error(*problem)
                continue
            problems = _problems(sandbox, resource, org, item.entity)
            if problems:
                errors[item.sent] = entity_error(422, "; ".join(problems))
                continue
            sandbox.records.put(resource.kind, org, item.key[resource.id_field], dict(item.entity))
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
        problem = _key_problem(call, resource, key)
        record = stored.get(key[resource.id_field])
        if problem is not None:
            errors[shown] = entity_error(*problem)
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
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for item in body_entities(call, resource.key_fields):
            problem = _key_problem(call, resource, item.key)
            if problem is not None:
                errors[item.sent] = entity_error(*problem)
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
                updated = _apply_patch(record, patch)
            except ValueError as exc:
                errors[item.sent] = entity_error(422, str(exc))
                continue
            problems = _problems(sandbox, resource, org, updated)
            if problems:
                errors[item.sent] = entity_error(422, "; ".join(problems))
                continue
            sandbox.records.put(resource.kind, org, record_id, updated)
            results[item.sent] = {"status": 204}
    return batch_response(results, errors)


async def batch_delete(call: ApiCall, resource: SyncedResource) -> Response:
    sandbox, org = call.sandbox, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for key in query_keys(call, resource.key_fields).values():
            shown = display_key(key)
            problem = _key_problem(call, resource, key)
            if problem is not None:
                errors[shown] = entity_error(*problem)
            elif sandbox.records.delete(
                resource.kind, org, key[resource.id_field], client_id=call.customer.client_id
            ):
                results[shown] = {"status": 204}
            else:
                errors[shown] = entity_error(404, f"no {resource.kind} {key[resource.id_field]!r}")
    return batch_response(results, errors)


def _parent_id(call: ApiCall, sub: SubResource) -> str:
    """The owning record's id from the path; the whole call fails if it is not this org's record."""
    key = parse_entity_key(call.path_param("key"))
    if set(key) != sub.parent.key_fields:
        raise bad_request(
            f"the key in the path must have the fields {', '.join(sorted(sub.parent.key_fields))}"
        )
    problem = _key_problem(call, sub.parent, key)
    if problem is not None:
        raise ApiError(*problem)
    parent_id = key[sub.parent.id_field]
    if call.sandbox.records.get(sub.parent.kind, call.organization, parent_id) is None:
        raise ApiError(404, f"no {sub.parent.kind} {parent_id!r}; sync it before its {sub.kind} records")
    return parent_id


async def sub_update(call: ApiCall, sub: SubResource) -> Response:
    sandbox, org = call.sandbox, call.organization
    parent_id = _parent_id(call, sub)
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with sandbox.db.transaction():
        for item_id, entity in simple_entities(call).items():
            problems = (
                sub.check(entity, sandbox.settings.strict_fields)
                if isinstance(entity, dict)
                else ["the entity must be a JSON object"]
            )
            if problems:
                errors[item_id] = entity_error(422, "; ".join(problems))
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
