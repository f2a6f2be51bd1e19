"""simpleJobPostings through the client, on each API shape: batch_create, per-element outcomes, tasks."""

from __future__ import annotations

from typing import Any

import pytest

from linkedin.client import LinkedInClient
from tests.helpers import ORG
from tests.linkedin.conftest import expected_path
from tests.sandbox_harness import SandboxHarness


def posting(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Engineer",
        "description": "Builds engines",
        "location": "Berlin, DE",
        "availability": "PRIVATE_TO_ATS_INTEGRATION",
        "state": "LISTED",
    }
    return {**body, **overrides}


def test_listed_and_closed_jobs_are_posted_and_each_gets_a_task(
    sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    result = linkedin.jobs.upsert({"J-1": posting(), "J-2": posting(state="CLOSED", availability="PUBLIC")})
    assert set(result.ok) == {"J-1", "J-2"} and not result.rejected and not result.failed
    jobs = {job["externalJobPostingId"]: job for job in sandbox.records(ORG, "jobs")["jobs"]}
    assert (jobs["J-1"]["state"], jobs["J-2"]["state"]) == ("LISTED", "CLOSED")
    assert jobs["J-2"]["availability"] == "PUBLIC"
    assert jobs["J-1"]["integrationContext"] == ORG

    tasks = linkedin.jobs.tasks([result.ok["J-1"], result.ok["J-2"]])
    assert {task["status"] for task in tasks.ok.values()} == {"IN_PROGRESS"}
    sandbox.control("PUT", "/clock", json={"advance_s": 10})
    tasks = linkedin.jobs.tasks([result.ok["J-1"]])
    (task,) = tasks.ok.values()
    assert (task["status"], task["externalJobPostingId"]) == ("SUCCEEDED", "J-1")


@pytest.mark.sandbox_violations("field.job")
def test_an_invalid_posting_is_refused_alone_and_not_retried(
    sandbox: SandboxHarness, linkedin: LinkedInClient, api_version: str
) -> None:
    result = linkedin.jobs.upsert({"J-1": posting(), "J-2": posting(title="x" * 201), "J-3": posting()})
    assert set(result.ok) == {"J-1", "J-3"}
    status, message = result.rejected["J-2"]
    assert status == 422 and "at most 200" in message
    posts = [
        r
        for r in sandbox.control("GET", "/requests")["requests"]
        if r["path"] == expected_path(api_version, "jobs")
    ]
    assert len(posts) == 1


def test_reposting_a_job_updates_it_and_250_jobs_take_three_calls(
    sandbox: SandboxHarness, linkedin: LinkedInClient, api_version: str
) -> None:
    linkedin.jobs.upsert({"J-1": posting()})
    linkedin.jobs.upsert({"J-1": posting(state="CLOSED")})
    (job,) = sandbox.records(ORG, "jobs")["jobs"]
    assert job["state"] == "CLOSED"

    result = linkedin.jobs.upsert({f"K-{i:03d}": posting() for i in range(250)})
    assert len(result.ok) == 250
    posts = [
        r
        for r in sandbox.control("GET", "/requests")["requests"]
        if r["method"] == "POST" and r["path"] == expected_path(api_version, "jobs")
    ]
    assert [r["body"].count("externalJobPostingId") for r in posts[2:]] == [100, 100, 50]


@pytest.mark.parametrize(
    ("task", "outcome"),
    [
        ({"status": "SUCCEEDED"}, ("SUCCEEDED", None)),
        ({"status": "success"}, ("SUCCEEDED", None)),
        ({"status": "Completed"}, ("SUCCEEDED", None)),
        ({"status": "FAILED", "failureReason": "title too long"}, ("FAILED", "title too long")),
        ({"status": "error", "error": {"message": "bad location"}}, ("FAILED", "bad location")),
        ({"status": "IN_PROGRESS"}, ("IN_PROGRESS", None)),
        ({"status": "in progress"}, ("IN_PROGRESS", None)),
        ({}, ("", None)),
        ({"status": "ARCHIVED"}, ("ARCHIVED", None)),
    ],
)
def test_a_task_s_status_is_read_in_any_plausible_spelling_and_the_unknown_stays_unsettled(
    task: dict[str, Any], outcome: tuple[str, str | None]
) -> None:
    from linkedin.jobs import task_outcome

    assert task_outcome(task) == outcome
