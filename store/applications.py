"""Applications of candidates to jobs, and their stage history (one row per status transition)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from schemas.ats import ApplicationSnapshot, StageTransition
from store.base import Base, TenantScoped, to_ms, utcnow
from store.candidates import CandidateOrigin
from store.linkedin_sync import LinkedInOutbox, Resource, SyncState, bump_version
from store.repository import TenantRepository
from store.tombstones import Guard, Tombstone, deletion_times, erased
from store.upsert import (
    SNAPSHOT_ORDER,
    insert_from_json,
    insert_ignore,
    insert_row,
    json_row,
    update_if_newer,
    upsert_snapshot,
)


class Application(TenantScoped, Base):
    __tablename__ = "applications"
    __table_args__ = (
        # Serves "this candidate's applications" and, with job_id and id, "this candidate's first
        # application to this job" as one ordered index range: without them PostgreSQL may walk the
        # tenant's primary key for the latter, reading every application of the tenant.
        Index("ix_applications_candidate_job", "tenant_id", "candidate_id", "job_id", "id"),
        Index("ix_applications_job", "tenant_id", "job_id"),
    )

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(200))
    job_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    disposition_reason: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(32), default=CandidateOrigin.ATS)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]
    source_modified_ms: Mapped[int] = mapped_column(BigInteger)
    source_revision: Mapped[int] = mapped_column(Integer, default=0)


class ApplicationStage(TenantScoped, Base):
    """One status transition; LinkedIn shows these as the application's stage history."""

    __tablename__ = "application_stages"

    application_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    transition_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime]
    #: When LinkedIn confirmed it holds this stage record; NULL until then. A stage never changes
    #: once recorded, so each is sent until LinkedIn has it, and never again.
    synced_at: Mapped[datetime | None]


STAGE_KEY = ("tenant_id", "application_id", "transition_id")
#: Columns of an application an ATS snapshot updates (``origin`` is kept from its first insert).
SNAPSHOT_COLUMNS = (
    "candidate_id",
    "job_id",
    "status",
    "source",
    "disposition_reason",
    "created_at",
    "modified_at",
    "source_modified_ms",
    "source_revision",
)


@dataclass(frozen=True)
class ApplicationChange:
    """What an ATS application event did (``Applications.apply_change``)."""

    #: The application or its candidate was deleted after the snapshot was taken: nothing stored.
    erased: bool = False
    #: The snapshot was newer than the stored one (or the first).
    changed: bool = False
    #: Its transition was not recorded yet.
    new_stage: bool = False


class Applications(TenantRepository):
    def get(self, application_id: str) -> Application | None:
        return self.session.get(Application, (self.tenant, application_id))

    def many(self, application_ids: Collection[str]) -> dict[str, Application]:
        """The applications of ``application_ids`` that exist, by id, in one query."""
        rows = self.session.scalars(
            select(Application).where(
                Application.tenant_id == self.tenant, Application.id.in_(list(application_ids))
            )
        )
        return {application.id: application for application in rows}

    def for_candidate(self, candidate_id: str) -> list[Application]:
        return list(
            self.session.scalars(
                select(Application)
                .where(Application.tenant_id == self.tenant, Application.candidate_id == candidate_id)
                .order_by(Application.created_at, Application.id)
            )
        )

    def ids_for_candidate(self, candidate_id: str) -> list[str]:
        table = Application.__table__.c
        return list(
            self.session.scalars(
                select(table.id)
                .where(table.tenant_id == self.tenant, table.candidate_id == candidate_id)
                .order_by(table.id)
            )
        )

    def create(self, **values: object) -> None:
        """Insert a new application in one statement (the export hot path)."""
        insert_row(self.session, Application.__table__, {"tenant_id": self.tenant, **values})

    def add(self, application: Application) -> Application:
        application.tenant_id = self.tenant
        self.session.add(application)
        self.session.flush()
        return application

    def apply_change(self, snapshot: ApplicationSnapshot, guards: Sequence[Guard]) -> ApplicationChange:
        """Store an ATS application event unless ``guards`` (the application's and its candidate's
        tombstone guards, locked by the inbox claim) show a later deletion: the snapshot if newer,
        its transition if new, and an outbox mark when either changed.

        On PostgreSQL one statement (the tombstone read and data-modifying CTEs); on SQLite one
        statement each.
        """
        values = self._values(snapshot)
        stage = self.stage_row(snapshot.application_id, snapshot.transition) if snapshot.transition else None
        (outbox_row,) = LinkedInOutbox(self.session, self.tenant).rows(
            [(Resource.APPLICATION, snapshot.application_id)]
        )
        subjects = [guard.subject for guard in guards]
        if self.session.get_bind().dialect.name != "postgresql":
            self.session.flush()
            times = self.session.connection().execute(
                select(*(t for subject in subjects for t in deletion_times(self.tenant, subject)))
            )
            row = times.one()
            if any(
                erased(row[2 * n], row[2 * n + 1], snapshot.modified_at, linkedin=False)
                for n in range(len(subjects))
            ):
                return ApplicationChange(erased=True)
            changed = self.apply(snapshot)
            new_stage = stage is not None and self.add_stage(snapshot.application_id, snapshot.transition)  # type: ignore[arg-type]
            if changed or new_stage:
                LinkedInOutbox(self.session, self.tenant).mark_changed(
                    Resource.APPLICATION, snapshot.application_id
                )
            return ApplicationChange(changed=changed, new_stage=new_stage)
        params: dict[str, Any] = {
            "tenant": self.tenant,
            "at": snapshot.modified_at,
            **{f"subject_{n}": subject for n, subject in enumerate(subjects)},
            "application": json_row(Application.__table__, {**values, "origin": CandidateOrigin.ATS.value}),
            "outbox": json_row(SyncState.__table__, outbox_row),
        }
        if stage is not None:
            params["stage"] = json_row(ApplicationStage.__table__, stage)
        self.session.flush()
        statement = _change_statement(len(subjects), stage is not None)
        erased_, changed, new_stages = self.session.connection().execute(statement, params).one()
        return ApplicationChange(erased=bool(erased_), changed=bool(changed), new_stage=bool(new_stages))

    def _values(self, snapshot: ApplicationSnapshot) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant,
            "id": snapshot.application_id,
            "candidate_id": snapshot.candidate_id,
            "job_id": snapshot.job_id,
            "status": snapshot.status,
            "source": snapshot.source,
            "disposition_reason": snapshot.disposition_reason,
            "created_at": snapshot.created_at,
            "modified_at": snapshot.modified_at,
            "source_modified_ms": to_ms(snapshot.modified_at),
            "source_revision": snapshot.revision,
        }

    def apply(self, snapshot: ApplicationSnapshot) -> bool:
        """Store the ATS snapshot unless the stored one is as new or newer. True when it changed."""
        values = self._values(snapshot)
        return upsert_snapshot(
            self.session,
            Application.__table__,
            {**values, "origin": CandidateOrigin.ATS.value},
            update=SNAPSHOT_COLUMNS,
        )

    def add_stage(self, application_id: str, transition: StageTransition) -> bool:
        """Record a transition once, whatever order transitions arrive in. True when new."""
        return insert_ignore(
            self.session,
            ApplicationStage.__table__,
            self.stage_row(application_id, transition),
            key=STAGE_KEY,
        )

    def stage_row(self, application_id: str, transition: StageTransition) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant,
            "application_id": application_id,
            "transition_id": transition.transition_id,
            "status": transition.status,
            "changed_at": transition.changed_at,
        }

    def for_job(self, job_id: str) -> list[str]:
        """Ids of the job's applications."""
        return list(
            self.session.scalars(
                select(Application.id)
                .where(Application.tenant_id == self.tenant, Application.job_id == job_id)
                .order_by(Application.id)
            )
        )

    def unsynced_stages(self, application_id: str) -> list[ApplicationStage]:
        """The application's stages LinkedIn has not confirmed yet, oldest first."""
        return [stage for stage in self.stages(application_id) if stage.synced_at is None]

    def unsynced_stages_of(self, application_ids: Collection[str]) -> dict[str, list[ApplicationStage]]:
        """``unsynced_stages`` of many applications in one query (those with none are left out)."""
        rows = self.session.scalars(
            select(ApplicationStage)
            .where(
                ApplicationStage.tenant_id == self.tenant,
                ApplicationStage.application_id.in_(list(application_ids)),
                ApplicationStage.synced_at.is_(None),
            )
            .order_by(ApplicationStage.changed_at, ApplicationStage.transition_id)
        )
        stages: dict[str, list[ApplicationStage]] = {}
        for stage in rows:
            stages.setdefault(stage.application_id, []).append(stage)
        return stages

    def mark_stages_synced(self, application_id: str, transition_ids: list[str]) -> None:
        self.session.execute(
            update(ApplicationStage)
            .where(
                ApplicationStage.tenant_id == self.tenant,
                ApplicationStage.application_id == application_id,
                ApplicationStage.transition_id.in_(transition_ids),
                ApplicationStage.synced_at.is_(None),
            )
            .values(synced_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    def mark_many_stages_synced(self, transitions: Mapping[str, Collection[str]]) -> None:
        """``mark_stages_synced`` of many applications ({application id: transition ids}) at once."""
        keys = [(app, transition) for app, ids in transitions.items() for transition in ids]
        if not keys:
            return
        self.session.execute(
            update(ApplicationStage)
            .where(
                ApplicationStage.tenant_id == self.tenant,
                tuple_(ApplicationStage.application_id, ApplicationStage.transition_id).in_(keys),
                ApplicationStage.synced_at.is_(None),
            )
            .values(synced_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    def stages(self, application_id: str) -> list[ApplicationStage]:
        return list(
            self.session.scalars(
                select(ApplicationStage)
                .where(
                    ApplicationStage.tenant_id == self.tenant,
                    ApplicationStage.application_id == application_id,
                )
                .order_by(ApplicationStage.changed_at, ApplicationStage.transition_id)
            )
        )


@cache
def _change_statement(guards: int, with_stage: bool) -> Any:
    """``apply_change`` on PostgreSQL: SELECT erased, applications changed (0/1), stages new (0/1)."""
    applications = Application.__table__
    stages = ApplicationStage.__table__
    tombstones = Tombstone.__table__.c
    erased_ = (
        select(tombstones.subject)
        .where(
            tombstones.tenant_id == bindparam("tenant"),
            tombstones.subject.in_([bindparam(f"subject_{n}") for n in range(guards)]),
            tombstones.deleted_at >= bindparam("at", type_=tombstones.deleted_at.type),
        )
        .exists()
    )
    upsert = insert_from_json(applications, "application", where=~erased_)
    changed = (
        update_if_newer(
            upsert, applications, key=("tenant_id", "id"), order=SNAPSHOT_ORDER, columns=SNAPSHOT_COLUMNS
        )
        .returning(applications.c.id)
        .cte("changed_application")
    )
    touched = [select(changed.c.id)]
    new_stages: Any = literal(0)
    if with_stage:
        new_stage = (
            insert_from_json(stages, "stage", where=~erased_)
            .on_conflict_do_nothing(index_elements=list(STAGE_KEY))
            .returning(stages.c.transition_id)
            .cte("new_stage")
        )
        touched.append(select(new_stage.c.transition_id))
        new_stages = select(func.count()).select_from(new_stage).scalar_subquery()
    marked = bump_version(
        insert_from_json(SyncState.__table__, "outbox", where=or_(*(t.exists() for t in touched)))
    ).cte("outbox")
    return select(erased_, select(func.count()).select_from(changed).scalar_subquery(), new_stages).add_cte(
        marked
    )
