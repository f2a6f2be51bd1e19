"""Jobs as LinkedIn's ``simpleJobPostings`` want them: listed, closed too, never invented.

Recruiters can only pick a job in LinkedIn's export dialog if LinkedIn has it, closed ones included
(reference §3.3), so every published or closed job is sent. A draft is not sent; a job that was
listed and went back to draft is sent as closed, so it stops being offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from linkedin.client import LinkedInClient
from linkedin.restli import BatchResult
from rsc.settings import Settings
from schemas.ats import JobState
from store.jobs import Job
from store.linkedin_sync import Resource, SyncOutcome
from store.sync_ledger import Waiting
from store.tenants import JobAvailability, job_availability_of
from store.uow import UnitOfWork
from workers.ledger import hooks as ledger

#: LinkedIn's longest job title.
TITLE_MAX = 200


class Unsendable(ValueError):
    """The record cannot be sent as the ATS holds it; the message names the field and the fix."""


def job_posting(job: Job, availability: JobAvailability, *, state: str) -> dict[str, Any]:
    """The full simpleJobPostings element of ``job`` (without the key fields the client adds)."""
    if len(job.title) > TITLE_MAX:
        raise Unsendable(
            f"job {job.id!r} has a title of {len(job.title)} characters; LinkedIn takes at most "
            f"{TITLE_MAX}: shorten it in the ATS"
        )
    if not (job.description or "").strip():
        raise Unsendable(f"job {job.id!r} has no description and LinkedIn requires one: add it in the ATS")
    posting: dict[str, Any] = {
        "title": job.title,
        "description": job.description,
        **_location(job),
        "availability": availability.value,
        "state": state,
        "companyApplyUrl": job.apply_url,
        "companyName": job.company_name,
    }
    return {name: value for name, value in posting.items() if value is not None}


def _location(job: Job) -> dict[str, Any]:
    """``"CITY, STATE"`` or ``"CITY, COUNTRY"``, else country code and postal code (reference §3.3)."""
    where = job.location or {}
    city, region = where.get("city"), where.get("region")
    country = (where.get("country_code") or "").upper() or None
    postal = where.get("postal_code")
    fields: dict[str, Any] = {"countryCode": country, "postalCode": postal}
    if city and (region or country):
        fields["location"] = f"{city}, {region or country}"
    elif not (country and postal):
        raise Unsendable(
            f"job {job.id!r} has no location LinkedIn accepts: it needs a city with a region or "
            f"country, or a country code with a postal code; complete it in the ATS"
        )
    return fields


def build_jobs(
    uow: UnitOfWork, claimed: Mapping[str, int], settings: Settings
) -> tuple[dict[str, Any], dict[str, str], dict[str, Waiting]]:
    bodies: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    availability = job_availability_of(uow.session, uow.tenant)
    jobs = uow.jobs.many(claimed)
    for job_id, version in claimed.items():
        job = jobs.get(job_id)
        if job is None:
            invalid[job_id] = "the job no longer exists in the store"
            continue
        state = _linkedin_state(uow, job)
        if state is None:
            skipped = "a draft LinkedIn never listed; it is sent once published"
            uow.outbox.settle(Resource.JOB, {job_id: version}, outcome=SyncOutcome.SKIPPED, error=skipped)
            ledger.skipped(uow, Resource.JOB, job_id, skipped)
            continue
        try:
            bodies[job_id] = job_posting(job, availability, state=state)
        except Unsendable as exc:
            invalid[job_id] = str(exc)
    return bodies, invalid, {}


def _linkedin_state(uow: UnitOfWork, job: Job) -> str | None:
    if job.state == JobState.PUBLISHED:
        return "LISTED"
    if job.state == JobState.CLOSED:
        return "CLOSED"
    sync = uow.outbox.state(Resource.JOB, job.id)
    was_listed = sync is not None and sync.synced_version > 0 and sync.last_outcome == SyncOutcome.OK
    return "CLOSED" if was_listed else None


def send_jobs(linkedin: LinkedInClient, postings: Mapping[str, Any]) -> BatchResult:
    return linkedin.jobs.upsert(postings)


def postings_taken(uow: UnitOfWork, answers: Mapping[str, tuple[Any, int]], settings: Settings) -> None:
    """LinkedIn took the postings: each job's task (its answer) is recorded for the task poll."""
    tasks = {job_id: (task, version) for job_id, (task, version) in answers.items() if isinstance(task, str)}
    first_poll = timedelta(seconds=settings.job_task_poll_first_s)
    uow.job_postings.submitted(tasks, first_poll_in=first_poll)
