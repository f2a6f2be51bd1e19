"""LinkedIn members the pipeline has learned about: the member side of candidate matching.

LinkedIn has no member search, so a tenant knows a member only through what LinkedIn sent it: a
1-click export (name, profile URL, current employers, title, location), an InMail stub (name,
e-mail, phone, company, title), LinkedIn's own matches of a synced candidate (the person URN only),
or a person linking a candidate by hand. Each feature records what it learned with
``Members.observe``; observations merge field by field, newer over older, so they may arrive in any
order. A member whose data changed is *due*: the profile match sweep re-matches the candidates its
old and new data could concern, then settles it (the same version pair as the LinkedIn outbox).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, Json, TenantScoped, only_where, to_ms, utcnow
from store.repository import TenantRepository, in_chunks
from store.upsert import insert_ignore

#: How long a sweep holds the members it claimed.
MATCH_LEASE = timedelta(minutes=2)
#: E-mail addresses and phone numbers kept per member (the most recently seen first).
MAX_CONTACTS = 5


class MemberSource(StrEnum):
    EXPORT = "export"
    INMAIL_STUB = "inmail_stub"
    #: LinkedIn returned the member in a synced candidate's ``matchedMembers``.
    LINKEDIN_MATCH = "linkedin_match"
    MANUAL_LINK = "manual_link"


class Member(TenantScoped, Base):
    __tablename__ = "members"
    __table_args__ = (
        # Partial, as its queries are (``store.base.only_where``).
        Index(
            "ix_members_match_due",
            "tenant_id",
            "match_due_since",
            **only_where("match_due_since IS NOT NULL"),
        ),
    )

    person_urn: Mapped[str] = mapped_column(String(200), primary_key=True)
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    emails: Mapped[list[str]] = mapped_column(Json, default=list)
    phones: Mapped[list[str]] = mapped_column(Json, default=list)
    profile_url: Mapped[str | None] = mapped_column(Text)
    companies: Mapped[list[str]] = mapped_column(Json, default=list)
    title: Mapped[str | None] = mapped_column(Text)
    #: The location as LinkedIn displays it ("London, England, United Kingdom").
    location: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(Json, default=list)
    #: When the newest observation applied was made (epoch ms); older ones only fill gaps.
    observed_ms: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    matched_version: Mapped[int] = mapped_column(Integer, default=0)
    #: Set while candidates have not been re-matched against the member's latest data.
    match_due_since: Mapped[datetime | None]
    match_lease_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


#: Single-valued fields an observation may carry.
_SCALARS = ("first_name", "last_name", "profile_url", "title", "location")


@dataclass(frozen=True)
class MemberObservation:
    """What one source said about a member at one time. ``None`` (or empty) means "not carried"."""

    person_urn: str
    source: MemberSource
    observed_at: datetime
    first_name: str | None = None
    last_name: str | None = None
    emails: Sequence[str] = ()
    phones: Sequence[str] = ()
    profile_url: str | None = None
    #: Current employers; a newer observation replaces them (people change jobs).
    companies: Sequence[str] = ()
    title: str | None = None
    location: str | None = None


class Members(TenantRepository):
    def get(self, person_urn: str) -> Member | None:
        return self.session.get(Member, (self.tenant, person_urn))

    def get_many(self, person_urns: Iterable[str]) -> list[Member]:
        found: list[Member] = []
        for chunk in in_chunks(person_urns):
            found.extend(
                self.session.scalars(
                    select(Member).where(Member.tenant_id == self.tenant, Member.person_urn.in_(chunk))
                )
            )
        return sorted(found, key=lambda m: m.person_urn)

    def observe(self, observation: MemberObservation) -> bool:
        """Merge what a source learned about a member. True when the member's data changed.

        A member seen for the first time (an export's usual case) is one INSERT ... ON CONFLICT DO
        NOTHING; only a member already known is read, locked and merged.
        """
        if self._insert_new(observation):
            return True
        return self.merge_known(observation)

    def merge_known(self, observation: MemberObservation) -> bool:
        """``observe`` for a member already stored (its row is read, locked and merged)."""
        stmt = select(Member).where(
            Member.tenant_id == self.tenant, Member.person_urn == observation.person_urn
        )
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        member = self.session.scalars(stmt).first()
        at_ms = to_ms(observation.observed_at)
        now = utcnow()
        if member is None:
            member = Member(
                tenant_id=self.tenant,
                person_urn=observation.person_urn,
                emails=[],
                phones=[],
                companies=[],
                sources=[],
                observed_ms=at_ms,
                version=0,
                matched_version=0,
            )
            self.session.add(member)
        changed = _merge(member, observation, newer=at_ms >= member.observed_ms)
        if not changed and member.version > 0:
            return False
        member.observed_ms = max(member.observed_ms, at_ms)
        member.version += 1
        member.match_due_since = member.match_due_since or now
        member.updated_at = now
        self.session.flush()
        return True

    def _insert_new(self, observation: MemberObservation) -> bool:
        """Insert the member as this observation describes it, unless the member is known already."""
        values = self.first_seen(observation)
        return insert_ignore(self.session, Member.__table__, values, key=("tenant_id", "person_urn"))

    def first_seen(self, observation: MemberObservation) -> dict[str, Any]:
        """The row of a member this observation is the first thing known of."""
        at_ms = to_ms(observation.observed_at)
        member = Member(emails=[], phones=[], companies=[], sources=[], observed_ms=at_ms)
        _merge(member, observation, newer=True)
        now = utcnow()
        return {
            "tenant_id": self.tenant,
            "person_urn": observation.person_urn,
            **{
                name: getattr(member, name)
                for name in (*_SCALARS, "emails", "phones", "companies", "sources")
            },
            "observed_ms": at_ms,
            "version": 1,
            "matched_version": 0,
            "match_due_since": now,
            "match_lease_until": None,
            "updated_at": now,
        }

    def iter_all(self, batch: int = 2000) -> Iterator[Member]:
        """Every member of the tenant, streamed (bulk matching)."""
        stmt = select(Member).where(Member.tenant_id == self.tenant).order_by(Member.person_urn)
        yield from self.session.scalars(stmt.execution_options(yield_per=batch))

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).where(Member.tenant_id == self.tenant)) or 0)

    def claim_due(self, limit: int, lease: timedelta = MATCH_LEASE) -> dict[str, int]:
        """Lease up to ``limit`` members whose candidates need re-matching: {person URN: version}."""
        now = utcnow()
        stmt = (
            select(Member.person_urn, Member.version)
            .where(
                Member.tenant_id == self.tenant,
                Member.match_due_since.is_not(None),
                or_(Member.match_lease_until.is_(None), Member.match_lease_until < now),
            )
            .order_by(Member.match_due_since, Member.person_urn)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        claimed = {urn: version for urn, version in self.session.execute(stmt)}
        if claimed:
            self.session.execute(
                update(Member)
                .where(Member.tenant_id == self.tenant, Member.person_urn.in_(list(claimed)))
                .values(match_lease_until=now + lease)
                .execution_options(synchronize_session=False)
            )
        return claimed

    def settle(self, matched: dict[str, int]) -> None:
        """Record that candidates were re-matched against these versions; newer changes stay due."""
        by_version: dict[int, list[str]] = {}
        for urn, version in matched.items():
            by_version.setdefault(version, []).append(urn)
        for version, urns in sorted(by_version.items()):
            for chunk in in_chunks(urns):
                listed = Member.person_urn.in_(chunk)
                self.session.execute(
                    update(Member)
                    .where(Member.tenant_id == self.tenant, listed)
                    .values(matched_version=version, match_lease_until=None)
                    .execution_options(synchronize_session=False)
                )
                self.session.execute(
                    update(Member)
                    .where(Member.tenant_id == self.tenant, listed, Member.version <= version)
                    .values(match_due_since=None)
                    .execution_options(synchronize_session=False)
                )

    def due_count(self) -> int:
        return int(
            self.session.scalar(
                select(func.count()).where(
                    Member.tenant_id == self.tenant, Member.match_due_since.is_not(None)
                )
            )
            or 0
        )


def _merge(member: Member, seen: MemberObservation, *, newer: bool) -> bool:
    """Apply ``seen`` to ``member``: a newer observation overwrites, an older one only fills gaps."""
    before: dict[str, Any] = {
        name: getattr(member, name) for name in (*_SCALARS, "emails", "phones", "companies", "sources")
    }
    for name in _SCALARS:
        value = getattr(seen, name)
        if value and (newer or not getattr(member, name)):
            setattr(member, name, value)
    for name in ("emails", "phones"):
        incoming = [v for v in getattr(seen, name) if v]
        stored = list(getattr(member, name) or [])
        merged = [*incoming, *stored] if newer else [*stored, *incoming]
        setattr(member, name, list(dict.fromkeys(merged))[:MAX_CONTACTS])
    companies = [c for c in seen.companies if c]
    if companies and (newer or not member.companies):
        member.companies = list(dict.fromkeys(companies))
    if seen.source.value not in (member.sources or []):
        member.sources = sorted({*(member.sources or []), seen.source.value})
    return any(getattr(member, name) != value for name, value in before.items())


def tenants_with_due_members(session: Session) -> list[str]:
    """Tenants with members whose candidates need re-matching and no sweep holds (operator query)."""
    now = utcnow()
    return list(
        session.scalars(
            select(Member.tenant_id)
            .where(
                Member.match_due_since.is_not(None),
                or_(Member.match_lease_until.is_(None), Member.match_lease_until < now),
            )
            .distinct()
            .order_by(Member.tenant_id)
        )
    )
