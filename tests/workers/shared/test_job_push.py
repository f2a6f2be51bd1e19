"""Jobs as LinkedIn's simpleJobPostings want them: published ones listed, closed ones closed, drafts not
sent, and a job LinkedIn would refuse named with the field and the fix; on both stores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from rsc.settings import get_settings
from store.db import Store
from store.jobs import Job
from store.tenants import JobAvailability
from store.uow import UnitOfWork
from tests import ats_events as ats
from workers.shared.job_push import TITLE_MAX, Unsendable, build_jobs, job_posting
from workers.status_push.ats_records import handle_job_event

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def job(**fields: Any) -> Job:
    values: dict[str, Any] = {
        "id": "J-1",
        "title": "Engineer",
        "description": "Builds engines",
        "location": {"city": "Berlin", "country_code": "de"},
        "state": "published",
        **fields,
    }
    return Job(tenant_id="acme", created_at=T0, modified_at=T0, source_modified_ms=0, **values)


def test_a_posting_carries_the_jobs_fields_and_leaves_out_what_it_lacks() -> None:
    assert job_posting(job(), JobAvailability.PUBLIC, state="LISTED") == {
        "title": "Engineer",
        "description": "Builds engines",
        "location": "Berlin, DE",
        "countryCode": "DE",
        "availability": "PUBLIC",
        "state": "LISTED",
    }


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (
            {"city": "Austin", "region": "TX", "country_code": "us"},
            {"location": "Austin, TX", "countryCode": "US"},
        ),
        ({"country_code": "us", "postal_code": "78701"}, {"countryCode": "US", "postalCode": "78701"}),
    ],
)
def test_a_location_is_a_city_with_its_region_or_a_country_with_a_postal_code(
    location: dict[str, str], expected: dict[str, str]
) -> None:
    posting = job_posting(job(location=location), JobAvailability.PRIVATE, state="CLOSED")
    assert {k: posting[k] for k in ("location", "countryCode", "postalCode") if k in posting} == expected
    assert posting["availability"] == "PRIVATE_TO_ATS_INTEGRATION"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "x" * (TITLE_MAX + 1)}, "has a title of 201 characters; LinkedIn takes at most 200"),
        ({"description": "  "}, "has no description and LinkedIn requires one: add it in the ATS"),
        ({"location": {"city": "Berlin"}}, "has no location LinkedIn accepts"),
        ({"location": None}, "has no location LinkedIn accepts"),
    ],
)
def test_a_job_linkedin_would_refuse_is_unsendable_with_the_fix(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(Unsendable, match=message):
        job_posting(job(**fields), JobAvailability.PUBLIC, state="LISTED")


def test_build_jobs_lists_published_closes_closed_skips_drafts_and_names_the_rest(store: Store) -> None:
    for event in (
        ats.job("J-1"),
        ats.job("J-2", state="closed"),
        ats.job("J-3", state="draft"),
        ats.job("J-4", description=""),
    ):
        handle_job_event(event, UnitOfWork("acme", store))  # type: ignore[arg-type]
    with UnitOfWork("acme", store) as uow:
        bodies, invalid, waiting = build_jobs(
            uow, {"J-1": 1, "J-2": 1, "J-3": 1, "J-4": 1, "J-9": 1}, get_settings()
        )
    assert {job_id: body["state"] for job_id, body in bodies.items()} == {"J-1": "LISTED", "J-2": "CLOSED"}
    assert invalid == {
        "J-4": "job 'J-4' has no description and LinkedIn requires one: add it in the ATS",
        "J-9": "the job no longer exists in the store",
    }
    assert waiting == {}
