"""``simpleJobPostings``: jobs are created or updated asynchronously, one task per posting.

A ``batch_create`` answers each element with a task id (202) or an error; the task reports
``IN_PROGRESS`` until LinkedIn has applied the posting, then ``SUCCEEDED`` (or ``FAILED``). Posting
the same ``externalJobPostingId`` again updates that job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linkedin.batching import retry_failed_keys
from linkedin.http import LinkedInHttp
from linkedin.restli import BatchResult, parse_batch_response, safe_message
from linkedin.versions import Family


class Jobs:
    def __init__(self, http: LinkedInHttp, org_urn: str) -> None:
        self._http = http
        self._org = org_urn
        self._postings = http.api.shape(Family.JOB_POSTINGS)

    def upsert(self, postings: Mapping[str, Mapping[str, Any]]) -> BatchResult:
        """Post whole jobs (job id -> simpleJobPostings element); ``ok`` maps each job id to its task id.

        Every element carries its ``integrationContext`` and ``externalJobPostingId`` (the job id).
        """

        def send(job_ids: list[str]) -> BatchResult:
            elements = [
                self._postings.to_linkedin(
                    {**postings[job_id], "integrationContext": self._org, "externalJobPostingId": job_id}
                )
                for job_id in job_ids
            ]
            response = self._http.call(
                "POST",
                self._http.api.endpoint(Family.JOB_POSTINGS),
                json={"elements": elements},
                restli_method="batch_create",
            )
            answers = (response.json() if response.content else {}).get("elements") or []
            return _by_position(job_ids, answers)

        return retry_failed_keys(list(postings), send)

    def tasks(self, task_ids: list[str]) -> BatchResult:
        """Task states by task id: ``{id, status, jobPosting, externalJobPostingId, integrationContext}``."""

        def send(ids: list[str]) -> BatchResult:
            endpoint = self._http.api.endpoint(Family.JOB_POSTING_TASKS)
            response = self._http.call("GET", endpoint, params=[("ids", i) for i in ids])
            result = parse_batch_response(response.json() if response.content else {}, ids, plain_ids=True)
            shape = self._http.api.shape(Family.JOB_POSTING_TASKS)
            result.ok = {task_id: shape.from_linkedin(task) for task_id, task in result.ok.items()}
            return result

        return retry_failed_keys(list(task_ids), send)


#: Fields a FAILED task may carry LinkedIn's reason in. The reference documents the task call, not its
#: fields: ``failureReason`` is an ASSUMPTION (``linkedin.versions``), the others are read as well.
_FAILURE_FIELDS = ("failureReason", "message", "errorMessage", "statusReason")


#: Spellings of a settled task's status the reader takes (the reference names no values): anything
#: else, an absent status included, counts as still in progress, so nothing is confirmed on a guess.
_SUCCEEDED = frozenset({"SUCCEEDED", "SUCCESS", "SUCCESSFUL", "COMPLETED", "DONE"})
_FAILED = frozenset({"FAILED", "FAILURE", "ERROR", "REJECTED"})
#: The statuses the pipeline understands as "not settled yet".
IN_PROGRESS_STATUSES = frozenset({"IN_PROGRESS", "PENDING", "PROCESSING", "QUEUED", "SUBMITTED"})


def task_outcome(task: Mapping[str, Any]) -> tuple[str, str | None]:
    """A task's status (``SUCCEEDED``, ``FAILED``, or as LinkedIn spelled it, upper-cased, while it is
    not settled) and LinkedIn's reason for a failure, from whichever field carries it."""
    status = str(task.get("status") or "").strip().upper().replace(" ", "_")
    if status in _SUCCEEDED:
        status = "SUCCEEDED"
    elif status in _FAILED:
        status = "FAILED"
    for name in _FAILURE_FIELDS:
        if isinstance(task.get(name), str) and task[name]:
            return status, safe_message(task[name])
    error = task.get("error")
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return status, safe_message(error["message"])
    return status, None


def _by_position(job_ids: list[str], answers: list[Any]) -> BatchResult:
    """batch_create answers element by element, in the order they were sent."""
    result = BatchResult()
    for index, job_id in enumerate(job_ids):
        answer = answers[index] if index < len(answers) and isinstance(answers[index], Mapping) else None
        if answer is None:
            result.failed[job_id] = (0, "no answer for this element in LinkedIn's response")
            continue
        status = int(answer.get("status", 500))
        error = answer.get("error") if isinstance(answer.get("error"), Mapping) else {}
        message = safe_message(str(error.get("message", ""))) if error else ""
        if status < 400:
            result.ok[job_id] = answer.get("id")
        elif status == 429 or status >= 500:
            result.failed[job_id] = (status, message)
        else:
            result.rejected[job_id] = (status, message)
    return result
