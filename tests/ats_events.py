"""Builders of ATS events (full snapshots) for tests and scenarios."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.catalog import parse_event
from schemas.envelope import Event

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SOURCE = "ats://tests"


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def event(kind: str, event_id: str, data: dict[str, Any], tenant: str = "acme") -> Event:
    return parse_event(
        {"type": f"ats.{kind}.v1", "id": event_id, "source": SOURCE, "tenant": tenant, "data": data}
    )


def job(job_id: str, *, state: str = "published", modified: float = 0, **fields: Any) -> Event:
    data = {
        "job_id": job_id,
        "title": "Engineer",
        "description": "Builds engines",
        "location": {"city": "Berlin", "country_code": "DE"},
        "state": state,
        "created_at": at(0),
        "modified_at": at(modified),
        **fields,
    }
    kind = {"published": "job.published", "closed": "job.closed"}.get(state, "job.updated")
    return event(kind, f"{job_id}@{modified}-{state}", data)


def candidate(candidate_id: str, *, modified: float = 0, **fields: Any) -> Event:
    data = {
        "candidate_id": candidate_id,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "emails": [f"{candidate_id.lower()}@example.com"],
        "created_at": at(0),
        "modified_at": at(modified),
        **fields,
    }
    return event("candidate.updated" if modified else "candidate.created", f"{candidate_id}@{modified}", data)


def application(
    application_id: str,
    *,
    candidate_id: str = "C-1",
    job_id: str = "J-1",
    status: str = "New",
    step: int = 0,
    **fields: Any,
) -> Event:
    """The application after its ``step``-th status transition (step 0: created as ``status``)."""
    data = {
        "application_id": application_id,
        "candidate_id": candidate_id,
        "job_id": job_id,
        "status": status,
        "created_at": at(0),
        "modified_at": at(step),
        "revision": step,
        "transition": {
            "transition_id": f"{application_id}-t{step}",
            "status": status,
            "changed_at": at(step),
        },
        **fields,
    }
    kind = "application.created" if step == 0 else "application.status_changed"
    return event(kind, f"{application_id}@{step}", data)


def note(
    note_id: str,
    *,
    candidate_id: str = "C-1",
    application_id: str | None = None,
    modified: float = 0,
    text: str = "Strong systems background",
    **fields: Any,
) -> Event:
    """A note about a candidate (or, with ``application_id``, about one of its applications)."""
    data = {
        "note_id": note_id,
        "candidate_id": candidate_id,
        "application_id": application_id,
        "text": text,
        "author": {"first_name": "Rita", "last_name": "Recruiter"},
        "created_at": at(0),
        "modified_at": at(modified),
        **fields,
    }
    kind = "candidate_note.updated" if modified else "candidate_note.created"
    return event(kind, f"{note_id}@{modified}", data)
