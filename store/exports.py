"""A log of processed LinkedIn export requests: which candidate and application each produced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.applications import Application
from store.base import Base, TenantScoped, utcnow
from store.candidates import Candidate
from store.jobs import Job
from store.upsert import insert_row


class ExportRecord(TenantScoped, Base):
    __tablename__ = "exports"

    request_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    push_id: Mapped[str] = mapped_column(String(200))
    job_id: Mapped[str] = mapped_column(String(200))
    candidate_id: Mapped[str] = mapped_column(String(200))
    application_id: Mapped[str] = mapped_column(String(200))
    #: created: a new candidate; linked: an existing candidate of that member got the application;
    #: already_applied: the candidate had applied to that job, nothing new was made.
    outcome: Mapped[str] = mapped_column(String(32))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class ExportContext:
    """What an export needs to know from the store, read in one round trip."""

    #: (outcome, candidate id, application id) when this request was already imported.
    recorded: tuple[str, str, str] | None
    #: The target job's state, None when the job is not in the store.
    job_state: str | None
    #: The candidate already linked to the exported member, if any.
    candidate_id: str | None
    #: That candidate's application to the target job, if any.
    application_id: str | None


class Exports:
    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def get(self, request_id: str) -> ExportRecord | None:
        return self.session.get(ExportRecord, (self.tenant, request_id))

    def add(self, record: ExportRecord) -> None:
        record.tenant_id = self.tenant
        self.session.add(record)

    def context(self, *, request_id: str, job_id: str, person_urn: str) -> ExportContext:
        params = {"tenant": self.tenant, "request_id": request_id, "job_id": job_id, "person_urn": person_urn}
        self.session.flush()
        row = self.session.connection().execute(_context_query(), params).one()
        outcome, recorded_candidate, recorded_application, job_state, candidate_id, application_id = row
        return ExportContext(
            recorded=(outcome, recorded_candidate, recorded_application) if outcome is not None else None,
            job_state=job_state,
            candidate_id=candidate_id,
            application_id=application_id,
        )

    def insert(self, **values: object) -> None:
        insert_row(
            self.session,
            ExportRecord.__table__,  # type: ignore[arg-type]
            {"tenant_id": self.tenant, "processed_at": utcnow(), **values},
        )


@cache
def _context_query() -> Select[Any]:
    """Everything an export needs to know, in one statement built once (bound per export)."""
    tenant: Any = bindparam("tenant")
    request_id: Any = bindparam("request_id")
    job_id: Any = bindparam("job_id")
    person_urn: Any = bindparam("person_urn")
    exports, jobs = ExportRecord.__table__.c, Job.__table__.c
    candidates, applications = Candidate.__table__.c, Application.__table__.c
    candidate = (
        select(candidates.id)
        .where(candidates.tenant_id == tenant, candidates.person_urn == person_urn)
        .scalar_subquery()
    )

    def recorded(column: Any) -> Any:
        return (
            select(column)
            .where(exports.tenant_id == tenant, exports.request_id == request_id)
            .scalar_subquery()
        )

    return select(
        recorded(exports.outcome),
        recorded(exports.candidate_id),
        recorded(exports.application_id),
        select(jobs.state).where(jobs.tenant_id == tenant, jobs.id == job_id).scalar_subquery(),
        candidate,
        select(applications.id)
        .where(
            applications.tenant_id == tenant,
            applications.candidate_id == candidate,
            applications.job_id == job_id,
        )
        .order_by(applications.id)
        .limit(1)
        .scalar_subquery(),
    )
