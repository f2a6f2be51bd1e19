"""A tenant's history written straight into the store, fast and in bounded memory: the data a
historical backfill sends (jobs, candidates, applications with stages, notes), as the ATS events
would have left it (every record stored and marked in the outbox, nothing synced yet)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert

from store.applications import Application, ApplicationStage
from store.ats_notes import AtsNote
from store.base import to_ms
from store.candidates import Candidate
from store.db import Store
from store.jobs import Job
from store.linkedin_sync import Resource, SyncState

T0 = datetime(2024, 1, 1, tzinfo=UTC)
#: Rows per INSERT statement.
CHUNK = 2_000


@dataclass(frozen=True)
class History:
    """How many records of each kind (``records`` is what the backfill sends, stages aside)."""

    jobs: int
    candidates: int
    applications: int
    notes: int

    @classmethod
    def of(cls, records: int) -> History:
        """1 % jobs, 40 % candidates, 50 % applications, the rest notes."""
        jobs = max(1, records // 100)
        candidates = records * 40 // 100
        applications = records // 2
        return cls(jobs, candidates, applications, records - jobs - candidates - applications)

    @property
    def records(self) -> int:
        return self.jobs + self.candidates + self.applications + self.notes

    @property
    def stages(self) -> int:
        """Stage records: one per application, a second one for every other application."""
        return self.applications + self.applications // 2


def job_id(i: int) -> str:
    return f"J{i:07d}"


def candidate_id(i: int) -> str:
    return f"C{i:08d}"


def application_id(i: int) -> str:
    return f"A{i:08d}"


def note_id(i: int) -> str:
    return f"N{i:08d}"


def _when(i: int) -> datetime:
    return T0 + timedelta(minutes=i)


def _jobs(tenant: str, n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        at = _when(i)
        yield {
            "tenant_id": tenant,
            "id": job_id(i),
            "title": f"Engineer {i}",
            "description": "Builds and runs the systems that keep the lights on.",
            "location": {"city": "Berlin", "country_code": "DE"},
            "state": "closed" if i % 4 == 0 else "published",
            "apply_url": f"https://jobs.example/{i}",
            "company_name": "Example Corp",
            "created_at": at,
            "modified_at": at,
            "source_modified_ms": to_ms(at),
            "source_revision": 0,
            "stored_at": at,
        }


def _candidates(tenant: str, n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        at = _when(i)
        yield {
            "tenant_id": tenant,
            "id": candidate_id(i),
            "origin": "ats",
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "addresses": [{"city": "Berlin", "country": "DE"}],
            "emails": [f"person{i}@example.com"],
            "phones": [{"number": f"+49 30 {i:07d}"}],
            "current_company": f"Company {i % 997}",
            "current_title": "Engineer",
            "current_companies": [],
            "created_at": at,
            "modified_at": at,
            "source_modified_ms": to_ms(at),
            "source_revision": 0,
        }


def _applications(tenant: str, n: int, history: History) -> Iterator[dict[str, Any]]:
    for i in range(n):
        at = _when(i)
        yield {
            "tenant_id": tenant,
            "id": application_id(i),
            "candidate_id": candidate_id(i % history.candidates),
            "job_id": job_id(i % history.jobs),
            "status": "Screen" if i % 2 else "New",
            "source": "Referral",
            "origin": "ats",
            "created_at": at,
            "modified_at": at + timedelta(hours=1) if i % 2 else at,
            "source_modified_ms": to_ms(at),
            "source_revision": i % 2,
        }


def _stages(tenant: str, n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        at = _when(i)
        yield {
            "tenant_id": tenant,
            "application_id": application_id(i),
            "transition_id": f"{application_id(i)}-0",
            "status": "New",
            "changed_at": at,
        }
        if i % 2:
            yield {
                "tenant_id": tenant,
                "application_id": application_id(i),
                "transition_id": f"{application_id(i)}-1",
                "status": "Screen",
                "changed_at": at + timedelta(hours=1),
            }


def _notes(tenant: str, n: int, history: History) -> Iterator[dict[str, Any]]:
    for i in range(n):
        at = _when(i)
        on_application = i % 2 == 1 and history.applications > 0
        application = i % history.applications if on_application else None
        yield {
            "tenant_id": tenant,
            "id": note_id(i),
            "candidate_id": candidate_id(
                (application % history.candidates) if application is not None else i % history.candidates
            ),
            "application_id": application_id(application) if application is not None else None,
            "text": f"Spoke on the phone, round {i}",
            "author_first_name": "Rita",
            "author_last_name": "Recruiter",
            "created_at": at,
            "modified_at": at,
            "source_modified_ms": to_ms(at),
            "source_revision": 0,
        }


def _outbox(tenant: str, resource: Resource, ids: Iterator[str]) -> Iterator[dict[str, Any]]:
    for entity_id in ids:
        yield {
            "tenant_id": tenant,
            "resource": resource.value,
            "entity_id": entity_id,
            "version": 1,
            "synced_version": 0,
            "changed_at": T0,
            "dirty_since": T0,
        }


def _insert(store: Store, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    written = 0
    batch: list[dict[str, Any]] = []
    with store.engine.begin() as connection:
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK:
                connection.execute(insert(table), batch)
                written += len(batch)
                batch = []
        if batch:
            connection.execute(insert(table), batch)
            written += len(batch)
    return written


def seed_history(store: Store, tenant: str, history: History, *, outbox: bool = True) -> None:
    """Write ``history`` for ``tenant``; every record is marked in the outbox (``outbox``), none is
    synced. Without ``outbox`` the records are only stored: none is due for LinkedIn."""
    tables: list[tuple[Any, Iterator[dict[str, Any]]]] = [
        (Job, _jobs(tenant, history.jobs)),
        (Candidate, _candidates(tenant, history.candidates)),
        (Application, _applications(tenant, history.applications, history)),
        (ApplicationStage, _stages(tenant, history.applications)),
        (AtsNote, _notes(tenant, history.notes, history)),
    ]
    if outbox:
        tables += _outboxes(tenant, history)
    for model, rows in tables:
        _insert(store, model.__table__, rows)


def _outboxes(tenant: str, history: History) -> list[tuple[Any, Iterator[dict[str, Any]]]]:
    return [
        (SyncState, _outbox(tenant, Resource.JOB, (job_id(i) for i in range(history.jobs)))),
        (
            SyncState,
            _outbox(tenant, Resource.CANDIDATE, (candidate_id(i) for i in range(history.candidates))),
        ),
        (
            SyncState,
            _outbox(tenant, Resource.APPLICATION, (application_id(i) for i in range(history.applications))),
        ),
        (SyncState, _outbox(tenant, Resource.NOTE, (note_id(i) for i in range(history.notes)))),
    ]
