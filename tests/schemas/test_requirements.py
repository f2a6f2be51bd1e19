"""The pre-flight of what LinkedIn requires of a record: each missing field named with the rule and what
to send, never its value; nothing is required of a draft job, which is never sent."""

from __future__ import annotations

from schemas.ats import CandidateSnapshot, JobSnapshot
from schemas.requirements import JOB_TITLE_MAX, required_fields, sync_problems
from tests import ats_events as ats


def test_a_complete_job_and_candidate_have_no_problems() -> None:
    assert sync_problems(ats.job("J-1")) == []
    assert sync_problems(ats.candidate("C-1")) == []


def test_each_missing_field_of_a_listed_job_is_named_with_its_rule() -> None:
    event = ats.job("J-1", title="T" * (JOB_TITLE_MAX + 1), description="  ", location={"city": "Berlin"})
    assert [problem.split(":")[0] for problem in sync_problems(event)] == ["title", "description", "location"]
    assert "T" * 10 not in " ".join(sync_problems(event))  # the rule, never the value


def test_a_location_is_a_city_with_region_or_country_or_a_country_with_postal_code() -> None:
    for location in ({"city": "Austin", "region": "TX"}, {"country_code": "US", "postal_code": "78701"}):
        assert sync_problems(ats.job("J-1", location=location)) == []
    assert sync_problems(ats.job("J-1", location={"country_code": "US"})) == [
        "location: LinkedIn requires a job's location: data.location with city and region or country_code, "
        "or with country_code and postal_code"
    ]


def test_a_draft_job_is_never_sent_so_nothing_is_required_of_it() -> None:
    assert sync_problems(ats.job("J-1", state="draft", description=None)) == []
    assert sync_problems(ats.job("J-1", state="closed", description=None)) != []


def test_a_candidate_needs_a_first_name() -> None:
    assert sync_problems(ats.candidate("C-1", first_name=" ")) == [
        "first_name: LinkedIn requires a candidate's first name (and refuses its applications without one); "
        "send data.first_name"
    ]


def test_the_catalogue_reads_the_same_rules() -> None:
    assert list(required_fields(JobSnapshot)) == ["title", "description", "location"]
    assert list(required_fields(CandidateSnapshot)) == ["first_name"]
    assert required_fields(CandidateSnapshot)["first_name"].startswith("LinkedIn requires")
