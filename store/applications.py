"""Applications of candidates to jobs, and their stage history (one row per status transition)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, select, tuple_, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from schemas.ats import ApplicationSnapshot, StageTransition
from store.base import Base, TenantScoped, to_ms, utcnow
from store.candidates import CandidateOrigin
from store.upsert import insert_ignore, insert_row, upsert_newer


class Application(TenantScoped, Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_candidate", "tenant_id", "candidate_id"),
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


class Applications:
    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

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

    def for_candidate_and_job(self, candidate_id: str, job_id: str) -> Application | None:
        return self.session.scalars(
            select(Application).where(
                Application.tenant_id == self.tenant,
                Application.candidate_id == candidate_id,
                Application.job_id == job_id,
            )
        ).first()

    def create(self, **values: object) -> None:
        """Insert a new application in one statement (the export hot path)."""
        insert_row(self.session, Application.__table__, {"tenant_id": self.tenant, **values})  # type: ignore[arg-type]

    def add(self, application: Application) -> Application:
        application.tenant_id = self.tenant
        self.session.add(application)
        self.session.flush()
        return application

    def apply(self, snapshot: ApplicationSnapshot) -> bool:
        """Store the ATS snapshot unless the stored one is as new or newer. True when it changed."""
        values = {
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
        changed = upsert_newer(
            self.session,
            Application.__table__,  # type: ignore[arg-type]
            {**values, "origin": CandidateOrigin.ATS.value},
            key=("tenant_id", "id"),
            order=("source_modified_ms", "source_revision"),
            update=[c for c in values if c not in ("tenant_id", "id")],
        )
        if changed:
            self.session.expire_all()
        return changed

    def add_stage(self, application_id: str, transition: StageTransition) -> bool:
        """Record a transition once, whatever order transitions arrive in. True when new."""
        return insert_ignore(
            self.session,
            ApplicationStage.__table__,  # type: ignore[arg-type]
            {
                "tenant_id": self.tenant,
                "application_id": application_id,
                "transition_id": transition.transition_id,
                "status": transition.status,
                "changed_at": transition.changed_at,
            },
            key=("tenant_id", "application_id", "transition_id"),
        )

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
