"""Job ACLs: which Recruiter users LinkedIn lets see each job, as LinkedIn holds them.

When a tenant's job posting viewers are ``ACL_BASED`` (reference §3.2), LinkedIn shows a job only to
the assignees of the job's ``atsEntityAcls`` entry (``atsEntityAclAssignees``, reference §3.7). One
row per job whose ACL LinkedIn holds, with the person URNs assigned to it, so a change of the hiring
team or of the seat mapping sends only the difference, and a purge knows what to delete.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, Json, TenantScoped, utcnow
from store.repository import TenantRepository


class JobAcl(TenantScoped, Base):
    __tablename__ = "job_acls"

    job_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: Person URNs (urn:li:person:...) LinkedIn holds as the ACL's assignees, sorted.
    assignees: Mapped[list[str]] = mapped_column(Json)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class JobAcls(TenantRepository):
    def held(self, job_ids: Iterable[str]) -> dict[str, list[str]]:
        """The assignees LinkedIn holds of each job that has an ACL there."""
        rows = self.session.scalars(
            select(JobAcl).where(JobAcl.tenant_id == self.tenant, JobAcl.job_id.in_(list(job_ids)))
        )
        return {row.job_id: list(row.assignees) for row in rows}

    def synced(self, job_id: str, assignees: list[str] | None) -> None:
        """LinkedIn now holds the job's ACL with ``assignees`` (None: it holds no ACL of the job)."""
        row = self.session.get(JobAcl, (self.tenant, job_id))
        if assignees is None:
            if row is not None:
                self.session.delete(row)
            return
        if row is None:
            self.session.add(JobAcl(tenant_id=self.tenant, job_id=job_id, assignees=sorted(assignees)))
        else:
            row.assignees = sorted(assignees)

    def job_ids(self) -> list[str]:
        return list(
            self.session.scalars(
                select(JobAcl.job_id).where(JobAcl.tenant_id == self.tenant).order_by(JobAcl.job_id)
            )
        )

    def forget(self, job_ids: Iterable[str]) -> None:
        ids = list(job_ids)
        if ids:
            self.session.execute(
                delete(JobAcl).where(JobAcl.tenant_id == self.tenant, JobAcl.job_id.in_(ids))
            )
