"""The sync ledger: each record's timeline, and the records that do not sync and why.

``sync_ledger`` holds one entry per thing that happened to a record on its way to LinkedIn: an event
received (its id, source and time) and stored or ignored as older, a push (which call, LinkedIn's
answer), a refusal (the reason, never personal data), a wait (for what), a deletion. Entries are
written in the same transaction as what they describe, so the ledger never tells what did not happen.

``sync_problems`` holds the current problem of each record that has one (refused by LinkedIn or by
the pipeline's own check of what LinkedIn requires, or waiting for a record it needs), so that
``rsc sync problems`` and the metrics read one small table. A record's problem goes when it syncs.

Entries name the candidate, application and member they concern, so the erasure deletes them with
the person (``workers.erasure`` deletes the rows of every table naming an erased one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Index, String, Text, delete, event, func, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, BigId, TenantScoped, utcnow


class RecordType(StrEnum):
    JOB = "job"
    CANDIDATE = "candidate"
    APPLICATION = "application"
    NOTE = "note"
    EXPORT = "export"
    INMAIL = "inmail"


class Step(StrEnum):
    """What happened to a record."""

    #: An event about it arrived and changed it (created it, or a newer snapshot).
    STORED = "stored"
    #: An event about it arrived and changed nothing (older than the stored state, or deleted since).
    IGNORED = "ignored"
    #: LinkedIn took it.
    PUSHED = "pushed"
    #: LinkedIn, or the pipeline's check of what LinkedIn requires, refused it; it is sent again once
    #: it changes.
    REFUSED = "refused"
    #: Nothing to send in this state (a draft job).
    SKIPPED = "skipped"
    #: It waits for another record it needs.
    WAITING = "waiting"
    #: It has waited longer than ``RSC_DEPENDENCY_WAIT_S``: a problem now, still sent once it can be.
    OVERDUE = "overdue"
    #: LinkedIn failed transiently; the next sweep sends it again.
    FAILED = "failed"
    #: A message about it was dead-lettered (``rsc dlq``): it took no effect.
    DEAD_LETTERED = "dead_lettered"
    #: LinkedIn applied it (a job posting's task succeeded).
    CONFIRMED = "confirmed"
    #: LinkedIn never said whether it applied it (a job posting's task polled until the bound).
    UNCONFIRMED = "unconfirmed"


class ProblemKind(StrEnum):
    REFUSED = "refused"
    WAITING = "waiting"
    STUCK = "stuck"


@dataclass(frozen=True)
class Waiting:
    """What a record waits for: a reason code (``waiting_for_job``) and the record (``job 'J-1'``)."""

    code: str
    what: str


class LedgerEntry(Base):
    __tablename__ = "sync_ledger"
    __table_args__ = (
        Index("ix_sync_ledger_record", "tenant_id", "record_type", "record_id", "id"),
        Index("ix_sync_ledger_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    step: Mapped[str] = mapped_column(String(16))
    #: The event that caused it, for steps caused by an event.
    event_id: Mapped[str | None] = mapped_column(String(200))
    event_source: Mapped[str | None] = mapped_column(String(500))
    event_time: Mapped[datetime | None]
    #: The call made, for pushes and LinkedIn's refusals (``atsApplications batch upsert``).
    call: Mapped[str | None] = mapped_column(String(100))
    #: What happened, in words: LinkedIn's answer, the reason, what it waits for. No personal data.
    detail: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(48))
    #: Whom it concerns, for the erasure.
    candidate_id: Mapped[str | None] = mapped_column(String(200))
    application_id: Mapped[str | None] = mapped_column(String(200))
    member_urn: Mapped[str | None] = mapped_column(String(200))


class SyncProblem(TenantScoped, Base):
    __tablename__ = "sync_problems"

    #: The outbox resource (``store.linkedin_sync.Resource``): a candidate and its member link apart.
    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str] = mapped_column(String(48))
    detail: Mapped[str | None] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(default=utcnow)
    #: A wait that outlasted ``RSC_DEPENDENCY_WAIT_S`` (a shorter one is the ordinary race, no problem).
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    candidate_id: Mapped[str | None] = mapped_column(String(200))
    application_id: Mapped[str | None] = mapped_column(String(200))


def entry(
    tenant: str,
    record_type: RecordType,
    record_id: str,
    step: Step,
    *,
    about: Mapping[str, str | None] | None = None,
    at: datetime | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """One ledger row (for ``SyncLedger.add``); ``about``: candidate_id, application_id, member_urn."""
    about = about or {}
    return {
        "tenant_id": tenant,
        "record_type": record_type.value,
        "record_id": record_id,
        "at": at or utcnow(),
        "step": step.value,
        "event_id": fields.get("event_id"),
        "event_source": fields.get("event_source"),
        "event_time": fields.get("event_time"),
        "call": fields.get("call"),
        "detail": fields.get("detail"),
        "reason_code": fields.get("reason_code"),
        "candidate_id": about.get("candidate_id"),
        "application_id": about.get("application_id"),
        "member_urn": about.get("member_urn"),
    }


class SyncLedger:
    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def add(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append entries to the caller's transaction. They are written when it commits, with the
        entries of every other event of the transaction in one statement (a group commit of many
        application events costs one insert), and forgotten if it rolls back."""
        if rows:
            self.session.info.setdefault(_PENDING, []).extend(rows)

    def timeline(self, record_type: RecordType, record_id: str, *, limit: int = 500) -> list[LedgerEntry]:
        """The record's entries, oldest first (the latest ``limit``)."""
        rows = self.session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.tenant_id == self.tenant,
                LedgerEntry.record_type == record_type.value,
                LedgerEntry.record_id == record_id,
            )
            .order_by(LedgerEntry.id.desc())
            .limit(limit)
        )
        return list(reversed(list(rows)))

    def ids_starting(self, record_type: RecordType, prefix: str, *, limit: int = 6) -> list[str]:
        """Record ids with ledger entries that start with ``prefix`` (for ``show`` by prefix)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return list(
            self.session.scalars(
                select(LedgerEntry.record_id)
                .where(
                    LedgerEntry.tenant_id == self.tenant,
                    LedgerEntry.record_type == record_type.value,
                    LedgerEntry.record_id.like(f"{escaped}%", escape="\\"),
                )
                .distinct()
                .order_by(LedgerEntry.record_id)
                .limit(limit)
            )
        )

    # problems

    def problems_of(self, resource: str, record_ids: Iterable[str]) -> dict[str, SyncProblem]:
        ids = list(record_ids)
        if not ids:
            return {}
        rows = self.session.scalars(
            select(SyncProblem).where(
                SyncProblem.tenant_id == self.tenant,
                SyncProblem.resource == resource,
                SyncProblem.record_id.in_(ids),
            )
        )
        return {row.record_id: row for row in rows}

    def set_problems(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Make each row the record's current problem (replacing the one it had)."""
        if not rows:
            return
        by_resource: dict[str, list[str]] = {}
        for row in rows:
            by_resource.setdefault(row["resource"], []).append(row["record_id"])
        for resource, ids in by_resource.items():
            self.clear_problems(resource, ids)
        self.session.execute(insert(SyncProblem), [{"tenant_id": self.tenant, **row} for row in rows])

    def clear_problems(self, resource: str, record_ids: Iterable[str]) -> None:
        ids = list(record_ids)
        if ids:
            self.session.execute(
                delete(SyncProblem)
                .where(
                    SyncProblem.tenant_id == self.tenant,
                    SyncProblem.resource == resource,
                    SyncProblem.record_id.in_(ids),
                )
                .execution_options(synchronize_session=False)
            )

    def problems(self, *, waiting_too: bool = False) -> list[SyncProblem]:
        """The tenant's problems: refusals, and waits that outlasted the wait (all waits with
        ``waiting_too``), oldest first."""
        stmt = select(SyncProblem).where(SyncProblem.tenant_id == self.tenant)
        if not waiting_too:
            stmt = stmt.where(_is_problem())
        return list(self.session.scalars(stmt.order_by(SyncProblem.since, SyncProblem.record_id)))


#: ``session.info`` key of the entries a transaction will write when it commits.
_PENDING = "sync_ledger_pending"


#: The entries' INSERT, built once: an ORM bulk insert costs several times its CPU per commit.
_INSERT_ENTRIES = insert(LedgerEntry.__table__)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.flush()  # what the transaction holds goes first, as the ORM's autoflush sent it
        session.connection().execute(_INSERT_ENTRIES, rows)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


def _is_problem() -> Any:
    """A refusal, or a wait that outlasted ``RSC_DEPENDENCY_WAIT_S``."""
    return or_(SyncProblem.kind != ProblemKind.WAITING.value, SyncProblem.overdue.is_(True))


def problem_counts(session: Session) -> dict[tuple[str, str, str], int]:
    """Every tenant's problems (refusals, overdue waits), counted by (tenant, kind, reason code)."""
    rows = session.execute(
        select(SyncProblem.tenant_id, SyncProblem.kind, SyncProblem.reason_code, func.count())
        .where(_is_problem())
        .group_by(SyncProblem.tenant_id, SyncProblem.kind, SyncProblem.reason_code)
    )
    return {(tenant, kind, code): int(count) for tenant, kind, code, count in rows}


def delete_entries_before(session: Session, cutoff: datetime) -> int:
    """Delete every tenant's ledger entries older than ``cutoff`` (the retention); how many went."""
    result = session.execute(
        delete(LedgerEntry).where(LedgerEntry.at < cutoff).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
