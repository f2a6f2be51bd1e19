"""``simpleJobPostings`` and ``simpleJobPostingTasks`` (v2 and rest/): asynchronous job sync (§3.3).

A batch_create answers at once with one task per element; the task reports IN_PROGRESS until
``job_task_delay_s`` sandbox seconds have passed, then SUCCEEDED. Field errors are answered per
element straight away (422), so a rejected element has no task.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.batch import simple_ids
from sandbox.gateway import ApiCall
from sandbox.records import Kind
from sandbox.restli import batch_response, entity_error, error_body, malformed_body
from sandbox.rules import AUTH_SCOPE, BODY_SHAPE, FIELD_JOB
from sandbox.validation import JOB_FIELDS, check_job

TASK_URN_PREFIX = "urn:li:simpleJobPostingTask:"


def _job_posting_urn(sandbox: Any, org: str, external_id: str) -> str:
    """Stable per (organization, externalJobPostingId), as re-posting updates the same job."""
    row = sandbox.db.one(
        "SELECT job_posting FROM job_tasks WHERE org = ? AND external_job_posting_id = ? LIMIT 1",
        (org, external_id),
    )
    if row is not None:
        return str(row["job_posting"])
    number = (sandbox.db.one("SELECT COUNT(DISTINCT job_posting) AS n FROM job_tasks") or {"n": 0})["n"]
    return f"urn:li:jobPosting:{3_000_000_000 + number + 1}"


async def batch_create(call: ApiCall) -> Response:
    sandbox, org = call.sandbox, call.organization
    elements = call.body.get("elements") if isinstance(call.body, dict) else None
    if not isinstance(elements, list):
        raise malformed_body('the body must be {"elements": [...]}')
    answers: list[dict[str, Any]] = []
    with sandbox.db.transaction():
        for index, element in enumerate(elements):
            if not isinstance(element, dict):
                message = f"element {index} must be a JSON object"
                answers.append({"status": 400, "error": error_body(400, message)})
                call.breaches.note(BODY_SHAPE, message)
                continue
            label = str(element.get("externalJobPostingId", f"element {index}"))
            problems = call.unlisted(element, JOB_FIELDS, label)
            problems += [(FIELD_JOB, p) for p in check_job(element)]
            context = element.get("integrationContext")
            if not problems and context != org:
                message = f"{label}: integrationContext {context} is not this application's organization"
                answers.append({"status": 403, "error": call.refuse_entity(AUTH_SCOPE, 403, message)})
                continue
            if problems:
                for rule, problem in problems:
                    call.breaches.note(rule, f"{label}: {problem}")
                error = entity_error(422, "; ".join(problem for _, problem in problems))
                answers.append({"status": 422, "error": error})
                continue
            external_id = element["externalJobPostingId"]
            job_posting = _job_posting_urn(sandbox, org, external_id)
            task_id = TASK_URN_PREFIX + str(uuid.uuid4())
            sandbox.db.execute(
                "INSERT INTO job_tasks (task_id, org, external_job_posting_id, job_posting, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (task_id, org, external_id, job_posting, sandbox.clock.now_ms()),
            )
            sandbox.records.put(
                Kind.JOB, org, external_id, {**element, "jobPosting": job_posting, "task": task_id}
            )
            answers.append({"status": 202, "id": task_id})
    return JSONResponse({"elements": answers})


def task_status(sandbox: Any, created_at: int) -> str:
    done_at = created_at + sandbox.settings.job_task_delay_s * 1000
    return "SUCCEEDED" if sandbox.clock.now_ms() >= done_at else "IN_PROGRESS"


async def get_tasks(call: ApiCall) -> Response:
    sandbox, org = call.sandbox, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for task_id in simple_ids(call):
        row = sandbox.db.one("SELECT * FROM job_tasks WHERE task_id = ?", (task_id,))
        if row is None or row["org"] != org:
            errors[task_id] = entity_error(404, f"no job posting task {task_id!r} for this organization")
            continue
        results[task_id] = {
            "id": task_id,
            "status": task_status(sandbox, row["created_at"]),
            "jobPosting": row["job_posting"],
            "externalJobPostingId": row["external_job_posting_id"],
            "integrationContext": org,
        }
    return batch_response(results, errors)
