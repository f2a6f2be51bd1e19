"""A log of processed LinkedIn export requests: which candidate and application each produced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, TenantScoped, utcnow


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


class Exports:
    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def get(self, request_id: str) -> ExportRecord | None:
        return self.session.get(ExportRecord, (self.tenant, request_id))

    def add(self, record: ExportRecord) -> None:
        record.tenant_id = self.tenant
        self.session.add(record)
