"""What the strict sandbox refuses in a record, field by field, with a message that names the field and
what LinkedIn wants instead (reference §3): candidates, applications, notes, stages, feedback, jobs."""

from __future__ import annotations

from typing import Any

from sandbox.validation import (
    check_application,
    check_candidate,
    check_interview_feedback,
    check_job,
    check_note,
    check_stage,
    renamed,
    unrecognized,
)

NOW = 1_700_000_000_000
CANDIDATE: dict[str, Any] = {
    "firstName": "Ada", "atsCreatedAt": NOW, "atsLastModifiedAt": NOW, "addresses": [], "phoneNumbers": [],
    "emailAddresses": ["ada@example.com"],
}  # fmt: skip
JOB: dict[str, Any] = {
    "integrationContext": "urn:li:organization:1", "externalJobPostingId": "J-1", "title": "Engineer",
    "description": "Builds", "location": "Berlin, DE", "state": "LISTED", "availability": "PUBLIC",
}  # fmt: skip


def test_a_complete_candidate_and_job_pass() -> None:
    assert check_candidate(CANDIDATE) == []
    assert check_job(JOB) == []


def test_a_candidates_problems_are_each_named() -> None:
    problems = check_candidate(
        {**CANDIDATE, "firstName": "", "addresses": None, "emailAddresses": ["not-an-address"],
         "doNotContact": "no", "manualMatchedMember": "ada"}
    )  # fmt: skip
    assert "addresses is required (send [] when there are none)" in problems
    assert "emailAddresses entry 'not-an-address' is not an e-mail address (X@X.X)" in problems
    assert "doNotContact must be true or false" in problems
    assert "manualMatchedMember must be a person URN (urn:li:person:...), got 'ada'" in problems
    assert any(problem.startswith("firstName") for problem in problems)


def test_a_job_needs_a_location_or_a_country_and_postal_code_and_known_states() -> None:
    without = {k: v for k, v in JOB.items() if k != "location"}
    assert check_job(without) == [
        'location is required ("CITY, STATE" or "CITY, COUNTRY"), or else countryCode and postalCode'
    ]
    assert check_job({**without, "countryCode": "US", "postalCode": "78701"}) == []
    problems = check_job({**JOB, "state": "OPEN", "title": "T" * 201, "companyApplyUrl": "ftp://x"})
    assert "state must be LISTED or CLOSED, got 'OPEN'" in problems
    assert "title is 201 characters; at most 200 are allowed" in problems
    assert "companyApplyUrl must be an http(s) URL, got 'ftp://x'" in problems


def test_sub_records_name_their_missing_parts() -> None:
    assert "candidateEmail 'x' is not an e-mail address (X@X.X)" in check_application({"candidateEmail": "x"})
    assert "author.lastName is required when author is sent" in check_note({"author": {"firstName": "R"}})
    assert "atsCreatedAt is required (epoch milliseconds > 0)" in check_stage({"stage": "Screen"})
    assert "evaluations[0].attribute is required" in check_interview_feedback({"evaluations": [{}]})


def test_fields_are_renamed_per_shape_and_unknown_ones_are_named() -> None:
    assert renamed({"atsCreatedAt", "firstName"}, {"atsCreatedAt": "externalCreatedAt"}) == {
        "externalCreatedAt",
        "firstName",
    }
    assert unrecognized({"firstName": "Ada", "nickname": "A"}, {"firstName"}) == [
        "unrecognized field 'nickname'"
    ]
