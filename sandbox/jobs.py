"""``simpleJobPostings`` and ``simpleJobPostingTasks`` (v2 and rest/): asynchronous job sync (§3.3).

A batch_create answers at once with one task per element; the task reports IN_PROGRESS until
``job_task_delay_s`` sandbox seconds have passed, then SUCCEEDED, or FAILED for the share
``job_task_failure_rate`` of tasks (decided when the task is made, from its id) with
``job_task_failure_message`` as its ``failureReason``. The reference documents the task call but
not its fields: ``failureReason`` is an ASSUMPTION (``sandbox.shapes.TASK_FAILURE_FIELD``). Field
errors are answered per element straight away (422), so a rejected element has no task.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.batch import simple_ids
from sandbox.gateway import ApiCall
from sandbox.records import Kind
from sandbox.restli import batch_response, entity_error, error_body, malformed_body
from sandbox.rules import AUTH_SCOPE, BODY_SHAPE, FIELD_JOB
from sandbox.shapes import TASK_FAILURE_FIELD
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
                "INSERT INTO job_tasks (task_id, org, external_job_posting_id, job_posting, created_at,"
                " failure) VALUES (?, ?, ?, ?, ?, ?)",
                (task_id, org, external_id, job_posting, sandbox.clock.now_ms(), _failure(sandbox, task_id)),
            )
            sandbox.records.put(
                Kind.JOB, org, external_id, {**element, "jobPosting": job_posting, "task": task_id}
            )
            answers.append({"status": 202, "id": task_id})
    return JSONResponse({"elements": answers})


def _failure(sandbox: Any, task_id: str) -> str | None:
    """The message of a task that is to fail, or None: the task's id decides, so the same share of
    tasks fails whatever order they are made in."""
    rate = sandbox.settings.job_task_failure_rate
    draw = int.from_bytes(hashlib.sha256(task_id.encode()).digest()[:8], "big") / 2**64
    return sandbox.settings.job_task_failure_message if draw < rate else None


def task_status(sandbox: Any, created_at: int, failure: str | None = None) -> str:
    done_at = created_at + sandbox.settings.job_task_delay_s * 1000
    if sandbox.clock.now_ms() < done_at:
        return "IN_PROGRESS"
    return "FAILED" if failure else "SUCCEEDED"


async def get_tasks(call: ApiCall) -> Response:
    sandbox, org = call.sandbox, call.organization
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for task_id in simple_ids(call):
        row = sandbox.db.one("SELECT * FROM job_tasks WHERE task_id = ?", (task_id,))
        if row is None or row["org"] != org:
            errors[task_id] = entity_error(404, f"no job posting task {task_id!r} for this organization")
            continue
        status = task_status(sandbox, row["created_at"], row["failure"])
        results[task_id] = {
            "id": task_id,
            "status": status,
            "jobPosting": row["job_posting"],
            "externalJobPostingId": row["external_job_posting_id"],
            "integrationContext": org,
        }
        if status == "FAILED":
            results[task_id][TASK_FAILURE_FIELD] = row["failure"]
    return batch_response(results, errors)
