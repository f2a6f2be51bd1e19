"""Jobs as the ATS publishes them; exports may only target published ones."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from schemas.ats import JobSnapshot, JobState
from store.base import Base, Json, TenantScoped, to_ms, utcnow
from store.repository import TenantRepository
from store.upsert import upsert_snapshot


class Job(TenantScoped, Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    location: Mapped[dict[str, Any] | None] = mapped_column(Json)
    state: Mapped[str] = mapped_column(String(16))
    apply_url: Mapped[str | None] = mapped_column(Text)
    company_name: Mapped[str | None] = mapped_column(Text)
    #: ATS user ids of the job's hiring team (its ACL when the tenant's viewers are ACL_BASED).
    hiring_team: Mapped[list[str] | None] = mapped_column(Json)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]
    #: Ordering key of the snapshot this row holds: (modified_at in ms, revision).
    source_modified_ms: Mapped[int] = mapped_column(BigInteger)
    source_revision: Mapped[int] = mapped_column(Integer, default=0)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_published(self) -> bool:
        return self.state == JobState.PUBLISHED


class Jobs(TenantRepository):
    def get(self, job_id: str) -> Job | None:
        return self.session.get(Job, (self.tenant, job_id))

    def many(self, job_ids: Collection[str]) -> dict[str, Job]:
        """The jobs of ``job_ids`` that exist, by id, in one query."""
        rows = self.session.scalars(
            select(Job).where(Job.tenant_id == self.tenant, Job.id.in_(list(job_ids)))
        )
        return {job.id: job for job in rows}

    def apply(self, snapshot: JobSnapshot) -> bool:
        """Store the snapshot unless the stored one is as new or newer. True when it changed."""
        values = {
            "tenant_id": self.tenant,
            "id": snapshot.job_id,
            "title": snapshot.title,
            "description": snapshot.description,
            "location": snapshot.location.model_dump(mode="json") if snapshot.location else None,
            "state": snapshot.state.value,
            "apply_url": snapshot.apply_url,
            "company_name": snapshot.company_name,
            "hiring_team": list(snapshot.hiring_team) if snapshot.hiring_team is not None else None,
            "created_at": snapshot.created_at,
            "modified_at": snapshot.modified_at,
            "source_modified_ms": to_ms(snapshot.modified_at),
            "source_revision": snapshot.revision,
            "stored_at": utcnow(),
        }
        return upsert_snapshot(self.session, Job.__table__, values)

    def ids(self) -> list[str]:
        return list(self.session.scalars(select(Job.id).where(Job.tenant_id == self.tenant)))
