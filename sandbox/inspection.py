"""The control API's read-only views: an organization's records as LinkedIn holds them, and the pushes
the sandbox sent."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from starlette.requests import Request

from sandbox.control_protocol import PUSH_WAIT_S, ControlError, organization_urn
from sandbox.exports import exports_of
from sandbox.jobs import task_status
from sandbox.records import Kind
from sandbox.state import Sandbox
from sandbox.synced import APPLICATIONS, CANDIDATES, render


def _candidate(sandbox: Sandbox, org: str, candidate_id: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "atsCandidateId": candidate_id,
        **render(sandbox, CANDIDATES, record, []),
        "notes": sandbox.records.children(Kind.CANDIDATE_NOTE, org, candidate_id),
    }


def _application(sandbox: Sandbox, org: str, application_id: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "atsJobApplicationId": application_id,
        **render(sandbox, APPLICATIONS, record, []),
        "stages": sandbox.records.children(Kind.APPLICATION_STAGE, org, application_id),
        "notes": sandbox.records.children(Kind.APPLICATION_NOTE, org, application_id),
        "interviewFeedback": sandbox.records.children(Kind.INTERVIEW_FEEDBACK, org, application_id),
    }


def _job(sandbox: Sandbox, org: str, record: dict[str, Any], updated_at: int) -> dict[str, Any]:
    row = sandbox.db.one("SELECT created_at, failure FROM job_tasks WHERE task_id = ?", (record["task"],))
    return {
        **record,
        "taskStatus": task_status(sandbox, row["created_at"], row["failure"]) if row else None,
        "updatedAt": updated_at,
    }


def _inspect(sandbox: Sandbox, org: str, resource: str) -> list[dict[str, Any]]:
    records = sandbox.records
    if resource == "jobs":
        return [_job(sandbox, org, r["body"], r["updatedAt"]) for r in records.all_of(Kind.JOB, org)]
    if resource == "candidates":
        return [_candidate(sandbox, org, r["key"], r["body"]) for r in records.all_of(Kind.CANDIDATE, org)]
    if resource == "applications":
        return [
            _application(sandbox, org, r["key"], r["body"]) for r in records.all_of(Kind.APPLICATION, org)
        ]
    if resource == "integrations":
        return [
            {**r["body"], "configurations": records.children(Kind.CONFIGURATION, org, r["key"])}
            for r in records.all_of(Kind.INTEGRATION, org)
        ]
    if resource == "deletions":
        return records.deletions(org)
    if resource == "pushes":
        return sandbox.pushes.list(org=org)
    if resource == "exports":
        return exports_of(sandbox, org)
    raise ControlError(404, f"unknown resource {resource!r}; known: {', '.join(INSPECTABLE)}")


INSPECTABLE = ("jobs", "candidates", "applications", "integrations", "deletions", "pushes", "exports")


_DETAIL_KINDS = {"jobs": Kind.JOB, "candidates": Kind.CANDIDATE, "applications": Kind.APPLICATION}


async def org_resource(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    org = organization_urn(request.path_params["org"])
    resource = request.path_params["resource"]
    return {"organization": org, resource: _inspect(sandbox, org, resource)}


async def org_record(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    org = organization_urn(request.path_params["org"])
    resource, record_id = request.path_params["resource"], request.path_params["record_id"]
    kind = _DETAIL_KINDS.get(resource)
    if kind is None:
        raise ControlError(404, f"single records are served for {', '.join(_DETAIL_KINDS)}")
    record = sandbox.records.get(kind, org, record_id)
    if record is None:
        raise ControlError(404, f"{org} has no {resource[:-1]} {record_id!r}")
    if kind is Kind.CANDIDATE:
        return _candidate(sandbox, org, record_id, record)
    if kind is Kind.APPLICATION:
        return _application(sandbox, org, record_id, record)
    return _job(sandbox, org, record, 0)


async def pushes(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    params = request.query_params
    org = organization_urn(params["org"]) if "org" in params else None
    return {"pushes": sandbox.pushes.list(org=org, client_id=params.get("client_id"))}


async def push_detail(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    push = sandbox.pushes.get(request.path_params["push_id"])
    if push is None:
        raise ControlError(404, f"no push {request.path_params['push_id']!r}")
    if request.query_params.get("wait"):
        with suppress(TimeoutError):
            await sandbox.pushes.wait(push["id"], float(request.query_params.get("timeout_s", PUSH_WAIT_S)))
        push = sandbox.pushes.get(push["id"]) or push
    return push
