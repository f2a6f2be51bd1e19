"""ATS users: who may see a synced prospect note, and who is e-mailed about replies to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from schemas.ats import UserSnapshot
from store.base import Base, TenantScoped, to_ms, utcnow
from store.candidates import email_key
from store.repository import TenantRepository
from store.upsert import upsert_snapshot


class AtsUser(TenantScoped, Base):
    __tablename__ = "ats_users"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    #: ``email_key`` of the e-mail address: seats are matched on it.
    email_key: Mapped[str | None] = mapped_column(String(320), index=True)
    person_urn: Mapped[str | None] = mapped_column(String(200))
    notify_collaboration_email: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Set when the ATS deleted the user; the row stays so a late snapshot cannot bring it back.
    deleted_at: Mapped[datetime | None]
    source_modified_ms: Mapped[int] = mapped_column(BigInteger)
    source_revision: Mapped[int] = mapped_column(Integer, default=0)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_present(self) -> bool:
        """An active user the ATS has not deleted."""
        return self.active and self.deleted_at is None


class Users(TenantRepository):
    def get(self, user_id: str) -> AtsUser | None:
        return self.session.get(AtsUser, (self.tenant, user_id))

    def apply(self, snapshot: UserSnapshot) -> bool:
        """Store the snapshot unless the stored one is as new or newer. True when it changed."""
        values = {
            "tenant_id": self.tenant,
            "id": snapshot.user_id,
            "first_name": snapshot.first_name,
            "last_name": snapshot.last_name,
            "email": str(snapshot.email) if snapshot.email else None,
            "email_key": email_key(str(snapshot.email)) if snapshot.email else None,
            "person_urn": snapshot.person_urn,
            "notify_collaboration_email": snapshot.notify_collaboration_email,
            "active": snapshot.active,
            "deleted_at": None,
            "source_modified_ms": to_ms(snapshot.modified_at),
            "source_revision": snapshot.revision,
            "stored_at": utcnow(),
        }
        return upsert_snapshot(
            self.session,
            AtsUser.__table__,
            values,
        )

    def delete(self, user_id: str, deleted_at: datetime) -> bool:
        """Mark the user deleted; a snapshot older than the deletion changes nothing afterwards."""
        order = to_ms(deleted_at)
        return upsert_snapshot(
            self.session,
            AtsUser.__table__,
            {
                "tenant_id": self.tenant,
                "id": user_id,
                "active": False,
                "deleted_at": deleted_at,
                "notify_collaboration_email": False,
                "source_modified_ms": order,
                # A deletion outranks any snapshot with the same modified time.
                "source_revision": 2**31 - 1,
                "stored_at": utcnow(),
            },
        )

    def present(self) -> list[AtsUser]:
        return list(
            self.session.scalars(
                select(AtsUser)
                .where(AtsUser.tenant_id == self.tenant, AtsUser.active, AtsUser.deleted_at.is_(None))
                .order_by(AtsUser.id)
            )
        )

    def by_person_urn(self, person_urn: str) -> list[AtsUser]:
        return [u for u in self.present() if u.person_urn == person_urn]

    def by_email(self, email: str) -> list[AtsUser]:
        return list(
            self.session.scalars(
                select(AtsUser)
                .where(
                    AtsUser.tenant_id == self.tenant,
                    AtsUser.email_key == email_key(email),
                    AtsUser.active,
                    AtsUser.deleted_at.is_(None),
                )
                .order_by(AtsUser.id)
            )
        )
