"""InMail stub profiles: the contact details a member shared, and when they consented to share them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, Json, TenantScoped, utcnow
from store.repository import TenantRepository


class MailStubRecord(TenantScoped, Base):
    __tablename__ = "mail_stubs"
    __table_args__ = (Index("ix_mail_stubs_member", "tenant_id", "member_urn"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    member_urn: Mapped[str] = mapped_column(String(200))
    contract: Mapped[str] = mapped_column(String(200))
    owners: Mapped[list[str]] = mapped_column(Json, default=list)
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    #: Further addresses and numbers when the stub listed several.
    other_emails: Mapped[list[str]] = mapped_column(Json, default=list)
    other_phones: Mapped[list[str]] = mapped_column(Json, default=list)
    company: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    #: When the member agreed to share these details (the stub's creation on LinkedIn).
    consented_at: Mapped[datetime]
    created_ms: Mapped[int] = mapped_column(BigInteger)
    last_modified_ms: Mapped[int] = mapped_column(BigInteger)
    #: The candidate the details were applied to.
    candidate_id: Mapped[str | None] = mapped_column(String(200))
    stored_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def emails(self) -> list[str]:
        return ([self.email] if self.email else []) + list(self.other_emails or [])

    @property
    def phones(self) -> list[str]:
        return ([self.phone] if self.phone else []) + list(self.other_phones or [])


class MailStubs(TenantRepository):
    def get(self, stub_id: str) -> MailStubRecord | None:
        return self.session.get(MailStubRecord, (self.tenant, stub_id))

    def add(self, stub: MailStubRecord) -> MailStubRecord:
        stub.tenant_id = self.tenant
        self.session.add(stub)
        self.session.flush()
        return stub

    def of_member(self, member_urn: str) -> list[MailStubRecord]:
        return list(
            self.session.scalars(
                select(MailStubRecord)
                .where(MailStubRecord.tenant_id == self.tenant, MailStubRecord.member_urn == member_urn)
                .order_by(MailStubRecord.created_ms, MailStubRecord.id)
            )
        )

    def latest_of_member(self, member_urn: str) -> MailStubRecord | None:
        stubs = self.of_member(member_urn)
        return stubs[-1] if stubs else None
