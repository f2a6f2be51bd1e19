"""Applications through the client, on each API shape: records, stages, notes, feedback, deletes."""

from __future__ import annotations

from typing import Any

import pytest

from linkedin.applications import Applications
from linkedin.client import LinkedInClient
from tests.helpers import ORG
from tests.linkedin.conftest import application_id_field, expected_path
from tests.sandbox_harness import SandboxHarness

NOW = 1_700_000_000_000


def application(**overrides: Any) -> dict[str, Any]:
    body = {
        "atsCandidateId": "C-1",
        "atsCreatedAt": NOW,
        "atsLastModifiedAt": NOW + 1000,
        "atsJobPostingId": "J-1",
        "atsJobPostingName": "Engineer",
        "candidateEmail": "ada@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "source": "Referral",
    }
    return {**body, **overrides}


def writes(sandbox: SandboxHarness, path_prefix: str) -> list[dict[str, Any]]:
    return [
        r
        for r in sandbox.control("GET", "/requests")["requests"]
        if r["method"] != "GET" and r["path"].startswith(path_prefix)
    ]


def test_an_application_and_its_stage_history_reach_linkedin(
    sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    assert set(linkedin.applications.upsert({"A-1": application()}).ok) == {"A-1"}
    stages = {
        "T-1": {"atsCreatedAt": NOW, "stage": "New"},
        "T-2": {"atsCreatedAt": NOW + 500, "stage": "Phone Screen"},
    }
    assert set(linkedin.applications.stages("A-1").upsert(stages).ok) == {"T-1", "T-2"}
    remote = sandbox.record(ORG, "applications", "A-1")
    assert remote["firstName"] == "Ada" and remote["atsJobPostingName"] == "Engineer"
    assert {k: v["stage"] for k, v in remote["stages"].items()} == {"T-1": "New", "T-2": "Phone Screen"}
    read = linkedin.applications.stages("A-1").get(["T-2", "T-9"])
    assert read.ok["T-2"]["stage"] == "Phone Screen"
    assert read.rejected["T-9"][0] == 404


def test_a_put_replaces_the_whole_record(sandbox: SandboxHarness, linkedin: LinkedInClient) -> None:
    linkedin.applications.upsert({"A-1": application(dispositionReason="Withdrew")})
    linkedin.applications.upsert({"A-1": application()})
    assert sandbox.record(ORG, "applications", "A-1")["dispositionReason"] is None


@pytest.mark.sandbox_violations("field.application")
def test_invalid_records_are_refused_one_by_one(sandbox: SandboxHarness, linkedin: LinkedInClient) -> None:
    result = linkedin.applications.upsert(
        {
            "A-1": application(),
            "A-2": application(candidateEmail="not-an-address"),
            "A-3": application(atsLastModifiedAt=NOW - 1),
        }
    )
    assert set(result.ok) == {"A-1"}
    assert {k: status for k, (status, _) in result.rejected.items()} == {"A-2": 422, "A-3": 422}
    # The offending value LinkedIn quotes back is not kept.
    assert "not-an-address" not in result.rejected["A-2"][1]
    assert "candidateEmail" in result.rejected["A-2"][1]


def test_notes_and_interview_feedback(sandbox: SandboxHarness, linkedin: LinkedInClient) -> None:
    linkedin.applications.upsert({"A-1": application()})
    note = {"atsCreatedAt": NOW, "note": "Strong", "author": {"firstName": "Rita", "lastName": "Book"}}
    feedback = {
        "atsCreatedAt": NOW,
        "feedback": "Good",
        "evaluations": [{"attribute": "Skills", "result": "Strong yes"}],
        "interviewer": {"firstName": "Rita", "lastName": "Book"},
    }
    assert set(linkedin.applications.notes("A-1").upsert({"N-1": note}).ok) == {"N-1"}
    assert set(linkedin.applications.interview_feedback("A-1").upsert({"F-1": feedback}).ok) == {"F-1"}
    remote = sandbox.record(ORG, "applications", "A-1")
    assert remote["notes"]["N-1"]["note"] == "Strong"
    assert remote["interviewFeedback"]["F-1"]["evaluations"][0]["attribute"] == "Skills"
    assert set(linkedin.applications.notes("A-1").delete(["N-1", "N-404"]).ok) == {"N-1", "N-404"}
    assert sandbox.record(ORG, "applications", "A-1")["notes"] == {}


def test_deleting_an_application_takes_its_stages_along_and_a_second_delete_is_harmless(
    sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    linkedin.applications.upsert({"A-1": application(), "A-2": application()})
    linkedin.applications.stages("A-1").upsert({"T-1": {"atsCreatedAt": NOW, "stage": "New"}})
    assert set(linkedin.applications.delete(["A-1"]).ok) == {"A-1"}
    again = linkedin.applications.delete(["A-1"])
    assert set(again.ok) == {"A-1"} and not again.rejected
    assert sandbox.record(ORG, "applications", "A-1") is None
    assert sandbox.record(ORG, "applications", "A-2") is not None
    kinds = sorted(d["kind"] for d in sandbox.records(ORG, "deletions")["deletions"])
    assert kinds == ["application", "applicationStage"]


def test_a_large_batch_goes_in_sequential_calls_of_at_most_100(
    sandbox: SandboxHarness, linkedin: LinkedInClient, api_version: str
) -> None:
    result = linkedin.applications.upsert({f"A-{i:03d}": application() for i in range(230)})
    assert len(result.ok) == 230
    puts = writes(sandbox, expected_path(api_version, "applications"))
    key_field = application_id_field(api_version)
    assert [r["body"].count(f'"{key_field}=') for r in puts] == [100, 100, 30]
    assert [r["seq"] for r in puts] == sorted(r["seq"] for r in puts)


@pytest.mark.sandbox_violations("auth.scope")
def test_applications_are_keyed_by_the_organization_the_client_was_built_for(
    sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    assert set(linkedin.applications.upsert({"A-1": application()}).ok) == {"A-1"}
    assert set(Applications(linkedin.http, ORG).get(["A-1"]).ok) == {"A-1"}
    other = Applications(linkedin.http, "urn:li:organization:999").get(["A-1"])
    assert other.rejected["A-1"][0] == 403 and not other.ok
