"""Candidates, whether the ATS created them or a LinkedIn export did."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    delete,
    exists,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from schemas.ats import CandidateSnapshot
from store.base import Base, Json, TenantScoped, only_where, to_ms
from store.repository import TenantRepository
from store.tombstones import Guard, deletion_times
from store.upsert import insert_row, upsert_snapshot


class CandidateOrigin(StrEnum):
    ATS = "ats"
    LINKEDIN_EXPORT = "linkedin_export"
    LINKEDIN_INMAIL = "linkedin_inmail"


class Candidate(TenantScoped, Base):
    __tablename__ = "candidates"
    __table_args__ = (
        # Partial: most candidates have no member, and an index of the tenant's NULLs could be picked
        # for a lookup by primary key (``store.base.only_where``).
        Index(
            "uq_candidates_tenant_id_person_urn",
            "tenant_id",
            "person_urn",
            unique=True,
            **only_where("person_urn IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    origin: Mapped[str] = mapped_column(String(32), default=CandidateOrigin.ATS)
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    middle_initial: Mapped[str | None] = mapped_column(String(8))
    prefix: Mapped[str | None] = mapped_column(Text)
    suffix: Mapped[str | None] = mapped_column(Text)
    #: The location as displayed on the LinkedIn profile (exports carry nothing finer).
    location_text: Mapped[str | None] = mapped_column(Text)
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    emails: Mapped[list[str]] = mapped_column(Json, default=list)
    phones: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    current_company: Mapped[str | None] = mapped_column(Text)
    current_title: Mapped[str | None] = mapped_column(Text)
    #: Names of all current employers (an export can carry several).
    current_companies: Mapped[list[str]] = mapped_column(Json, default=list)
    linkedin_profile_url: Mapped[str | None] = mapped_column(Text)
    profile_url: Mapped[str | None] = mapped_column(Text)
    do_not_contact: Mapped[bool | None] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(Text)
    #: The LinkedIn member this candidate is, once known (export, InMail, match or manual link).
    person_urn: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]
    source_modified_ms: Mapped[int] = mapped_column(BigInteger)
    source_revision: Mapped[int] = mapped_column(Integer, default=0)


class CandidateEmail(TenantScoped, Base):
    """Lookup of candidates by normalised e-mail address (merge rule, matching)."""

    __tablename__ = "candidate_emails"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "candidate_id"], ["candidates.tenant_id", "candidates.id"], ondelete="CASCADE"
        ),
        # A candidate's addresses: refiled by each snapshot, deleted with the candidate. Led by the
        # candidate, it offers no read by tenant alone (every address of it), which PostgreSQL took
        # for a few rows while the table had no statistics.
        Index("ix_candidate_emails_candidate", "candidate_id", "tenant_id"),
    )

    email_key: Mapped[str] = mapped_column(String(320), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(200), primary_key=True)


#: What LinkedIn's applications show of their candidate: first name, last name, first e-mail address.
ShownOnApplications = tuple[str | None, str | None, str | None]


@dataclass(frozen=True)
class BeforeSnapshot:
    """What storing a candidate's snapshot needs to know first (``Candidates.before_snapshot``)."""

    #: The candidate's tombstone times, None without one.
    deleted_at: datetime | None
    erased_at: datetime | None
    #: None when the store holds no such candidate.
    shown: ShownOnApplications | None


def shown_on_applications(
    first_name: str | None, last_name: str | None, emails: Sequence[object] | None
) -> ShownOnApplications:
    return (first_name, last_name, str(emails[0]) if emails else None)


def snapshot_values(tenant: str, snapshot: CandidateSnapshot) -> dict[str, Any]:
    """The candidate's row as an ATS snapshot sets it."""
    return {
        "tenant_id": tenant,
        "id": snapshot.candidate_id,
        "first_name": snapshot.first_name,
        "last_name": snapshot.last_name,
        "middle_initial": snapshot.middle_initial,
        "prefix": snapshot.prefix,
        "suffix": snapshot.suffix,
        "addresses": [a.model_dump(mode="json") for a in snapshot.addresses],
        "emails": [str(e) for e in snapshot.emails],
        "phones": [p.model_dump(mode="json") for p in snapshot.phones],
        "current_company": snapshot.current_company,
        "current_title": snapshot.current_title,
        "linkedin_profile_url": snapshot.linkedin_profile_url,
        "profile_url": snapshot.profile_url,
        "do_not_contact": snapshot.do_not_contact,
        "source": snapshot.source,
        "created_at": snapshot.created_at,
        "modified_at": snapshot.modified_at,
        "source_modified_ms": to_ms(snapshot.modified_at),
        "source_revision": snapshot.revision,
    }


#: The columns a newer snapshot updates (fields learned from LinkedIn are left as they are).
SNAPSHOT_COLUMNS = (
    "first_name", "last_name", "middle_initial", "prefix", "suffix", "addresses", "emails", "phones",
    "current_company", "current_title", "linkedin_profile_url", "profile_url", "do_not_contact", "source",
    "created_at", "modified_at", "source_modified_ms", "source_revision",
)  # fmt: skip
#: Columns only a new candidate's row sets.
INSERT_ONLY = {"origin": CandidateOrigin.ATS.value, "current_companies": []}


def email_key(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().casefold()


class Candidates(TenantRepository):
    def get(self, candidate_id: str, *, lock: bool = False) -> Candidate | None:
        """The candidate; ``lock``: read afresh and hold ``FOR KEY SHARE`` on PostgreSQL until the
        transaction ends (an erasure waits for it, ordinary updates do not; ``store.match_keys``)."""
        return self.session.get(
            Candidate,
            (self.tenant, candidate_id),
            with_for_update={"read": True, "key_share": True} if lock else None,
            populate_existing=lock,
        )

    def many(self, candidate_ids: Collection[str]) -> dict[str, Candidate]:
        """The candidates of ``candidate_ids`` that exist, by id, in one query."""
        rows = self.session.scalars(
            select(Candidate).where(Candidate.tenant_id == self.tenant, Candidate.id.in_(list(candidate_ids)))
        )
        return {candidate.id: candidate for candidate in rows}

    def by_person_urn(self, person_urn: str) -> Candidate | None:
        return self.session.scalars(
            select(Candidate).where(Candidate.tenant_id == self.tenant, Candidate.person_urn == person_urn)
        ).first()

    def by_email(self, email: str) -> list[Candidate]:
        return list(
            self.session.scalars(
                select(Candidate)
                .join(
                    CandidateEmail,
                    (CandidateEmail.tenant_id == Candidate.tenant_id)
                    & (CandidateEmail.candidate_id == Candidate.id),
                )
                .where(Candidate.tenant_id == self.tenant, CandidateEmail.email_key == email_key(email))
                .order_by(Candidate.id)
            )
        )

    def create(self, **values: Any) -> None:
        """Insert a new candidate (one statement, no identity-map bookkeeping: the export hot path)."""
        insert_row(self.session, Candidate.__table__, {"tenant_id": self.tenant, **values})
        if values.get("emails"):
            self.index_emails(values["id"], values["emails"])

    def add(self, candidate: Candidate) -> Candidate:
        candidate.tenant_id = self.tenant
        self.session.add(candidate)
        self.session.flush()
        self.index_emails(candidate.id, candidate.emails or [])
        return candidate

    def before_snapshot(self, candidate_id: str, guard: Guard) -> BeforeSnapshot:
        """The candidate's tombstone times (``guard``: its tombstone guard) and what its
        applications show of it, in one statement."""
        table = Candidate.__table__.c
        where = (table.tenant_id == self.tenant, table.id == candidate_id)
        deleted_at, erased_at = deletion_times(self.tenant, guard.subject)
        row = self.session.execute(
            select(
                deleted_at,
                erased_at,
                exists().where(*where),
                select(table.first_name).where(*where).scalar_subquery(),
                select(table.last_name).where(*where).scalar_subquery(),
                select(table.emails).where(*where).scalar_subquery(),
            )
        ).one()
        return BeforeSnapshot(row[0], row[1], shown_on_applications(*row[3:]) if row[2] else None)

    def apply(self, snapshot: CandidateSnapshot, *, new: bool = False) -> bool:
        """Store the ATS snapshot unless the stored one is as new or newer. True when it changed.

        Fields the pipeline learned from LinkedIn (person URN, export location, employers) are
        not in the snapshot and are left as they are. ``new``: the caller found no such candidate
        in this transaction (it has no e-mail addresses filed yet).
        """
        values = snapshot_values(self.tenant, snapshot)
        changed = upsert_snapshot(
            self.session,
            Candidate.__table__,
            {**values, **INSERT_ONLY},
            update=SNAPSHOT_COLUMNS,
        )
        if changed:
            self.index_emails(snapshot.candidate_id, values["emails"], replace=not new)
        return changed

    def index_emails(self, candidate_id: str, emails: list[str], *, replace: bool = True) -> None:
        """File the candidate under its e-mail addresses' keys (``replace``: instead of the ones
        filed before). Plain statements on the table: no objects in the session to keep in step."""
        table = CandidateEmail.__table__
        if replace:
            self.session.execute(
                delete(table).where(table.c.tenant_id == self.tenant, table.c.candidate_id == candidate_id)
            )
        keys = sorted({email_key(e) for e in emails})
        if keys:
            self.session.execute(
                insert(table),
                [{"tenant_id": self.tenant, "email_key": k, "candidate_id": candidate_id} for k in keys],
            )
