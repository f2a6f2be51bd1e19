"""A log of processed LinkedIn export requests: which candidate and application each produced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, String, bindparam, func, select
from sqlalchemy.orm import Mapped, mapped_column

from store.applications import STAGE_KEY, Application, Applications, ApplicationStage
from store.base import Base, TenantScoped, utcnow
from store.candidates import Candidate, Candidates
from store.jobs import Job
from store.linkedin_sync import LinkedInOutbox, Resource, SyncState, bump_version
from store.members import Member, MemberObservation, Members
from store.repository import TenantRepository
from store.tombstones import Guard, deletion_times, erased
from store.upsert import insert_from_json, insert_ignore, insert_row, json_row


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
    #: The exported member's tombstone times (deleted_at, erased_at), None when not erased.
    member_tombstone: tuple[datetime, datetime] | None = None

    def member_erased_since(self, at: datetime) -> bool:
        """Whether the export, made at ``at``, predates the erasure of its member (``tombstones``)."""
        deleted_at, erased_at = self.member_tombstone or (None, None)
        return erased(deleted_at, erased_at, at, linkedin=True)


@dataclass(frozen=True)
class ImportRows:
    """What an import writes besides its inbox row, as rows of their tables (without tenant_id)."""

    record: dict[str, Any]
    #: A candidate it creates, an application it creates and that application's first stage.
    candidate: dict[str, Any] | None
    application: dict[str, Any] | None
    stage: dict[str, Any] | None
    #: Records LinkedIn must learn about (the outbox).
    changed: list[tuple[Resource, str]]
    #: The exported member, inserted unless the store knows them already.
    member: MemberObservation


class Exports(TenantRepository):
    def get(self, request_id: str) -> ExportRecord | None:
        return self.session.get(ExportRecord, (self.tenant, request_id))

    def add(self, record: ExportRecord) -> None:
        record.tenant_id = self.tenant
        self.session.add(record)

    def context(self, *, request_id: str, job_id: str, person_urn: str, guard: Guard) -> ExportContext:
        """Read in one statement; ``guard`` is the member's tombstone guard, whose lock the inbox
        claim took (``Inbox.record``)."""
        params = {
            "tenant": self.tenant,
            "request_id": request_id,
            "job_id": job_id,
            "person_urn": person_urn,
            "subject": guard.subject,
        }
        self.session.flush()
        row = self.session.connection().execute(_context_query(), params).one()
        outcome, recorded_candidate, recorded_application, job_state, candidate_id, application_id = row[:6]
        deleted_at, erased_at = row[6:]
        return ExportContext(
            recorded=(outcome, recorded_candidate, recorded_application) if outcome is not None else None,
            job_state=job_state,
            candidate_id=candidate_id,
            application_id=application_id,
            member_tombstone=(deleted_at, erased_at) if deleted_at is not None else None,
        )

    def write(self, rows: ImportRows) -> None:
        """Write an import: on PostgreSQL in one statement (an INSERT per table, as data-modifying
        CTEs), on SQLite one statement per table. A member the store knew already is merged after."""
        members = Members(self.session, self.tenant)
        if self.session.get_bind().dialect.name != "postgresql":
            if rows.candidate is not None:
                Candidates(self.session, self.tenant).create(**rows.candidate)
            applications = Applications(self.session, self.tenant)
            if rows.application is not None:
                applications.create(**rows.application)
            if rows.stage is not None:
                insert_ignore(self.session, ApplicationStage.__table__, rows.stage, key=STAGE_KEY)
            LinkedInOutbox(self.session, self.tenant).mark_all_changed(rows.changed)
            self.insert(**rows.record)
            members.observe(rows.member)
            return
        parts = {
            "new_member": members.first_seen(rows.member),
            "export_record": {"tenant_id": self.tenant, "processed_at": utcnow(), **rows.record},
            "new_candidate": rows.candidate and {"tenant_id": self.tenant, **rows.candidate},
            "new_application": rows.application and {"tenant_id": self.tenant, **rows.application},
            "first_stage": rows.stage,
        }
        params: dict[str, Any] = {
            part: json_row(_TABLES[part], values) for part, values in parts.items() if values is not None
        }
        outbox = LinkedInOutbox(self.session, self.tenant).rows(rows.changed)
        if outbox:
            params["outbox"] = [json_row(SyncState.__table__, row) for row in outbox]
        self.session.flush()
        if not self.session.connection().execute(_import_statement(tuple(params)), params).scalar():
            members.merge_known(rows.member)

    def insert(self, **values: object) -> None:
        insert_row(
            self.session,
            ExportRecord.__table__,
            {"tenant_id": self.tenant, "processed_at": utcnow(), **values},
        )


@cache
def _context_query() -> Select[Any]:
    """Everything an export needs to know, in one statement built once (bound per export)."""
    return select(*_columns(), *deletion_times(bindparam("tenant"), bindparam("subject")))


def _columns() -> tuple[Any, ...]:
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

    return (
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


_TABLES: dict[str, Any] = {
    "new_member": Member.__table__,
    "export_record": ExportRecord.__table__,
    "new_candidate": Candidate.__table__,
    "new_application": Application.__table__,
    "first_stage": ApplicationStage.__table__,
    "outbox": SyncState.__table__,
}


@cache
def _import_statement(parts: tuple[str, ...]) -> Any:
    """An import's INSERTs as data-modifying CTEs of one SELECT, which counts the new members (0 or 1).

    Built once per shape (the parts present; ``new_member`` first); each part is one JSON parameter.
    """
    ctes = []
    for part in parts:
        insert = insert_from_json(_TABLES[part], part, many=part == "outbox")
        if part == "new_member":
            insert = insert.on_conflict_do_nothing(index_elements=["tenant_id", "person_urn"])
            insert = insert.returning(Member.__table__.c.person_urn)
        elif part == "first_stage":
            insert = insert.on_conflict_do_nothing(index_elements=list(STAGE_KEY))
        elif part == "outbox":
            insert = bump_version(insert)
        ctes.append(insert.cte(part))
    member, *others = ctes
    return select(func.count()).select_from(member).add_cte(*others)
