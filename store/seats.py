"""LinkedIn Recruiter seats and the ATS user each one is connected to.

A seat is connected automatically (``seatsV2`` member URN or e-mail equals the user's) or by hand
(``rsc seat map``). A hand-made connection, or a hand-made disconnection, is never undone by the
automatic one. Seats nobody is connected to and users with no seat are reported, not dropped.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text, select, text
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.candidates import email_key
from store.repository import TenantRepository

ACTIVE = "ACTIVE"


class MappedBy(StrEnum):
    PERSON_URN = "person_urn"
    EMAIL = "email"
    #: Connected, or disconnected (``user_id`` NULL), by an operator; automatic mapping leaves it alone.
    MANUAL = "manual"


class Seat(TenantScoped, Base):
    __tablename__ = "seats"

    urn: Mapped[str] = mapped_column(String(200), primary_key=True)
    contract: Mapped[str] = mapped_column(String(200))
    member: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    email_key: Mapped[str | None] = mapped_column(String(320))
    #: seatsV2 state: ACTIVE, INACTIVE, INVITED, PARKED.
    state: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str | None] = mapped_column(String(200), index=True)
    mapped_by: Mapped[str | None] = mapped_column(String(16))
    mapped_at: Mapped[datetime | None]
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_active(self) -> bool:
        return self.state == ACTIVE


def _mapping_lock_key(tenant: str) -> int:
    """The signed 64-bit advisory lock key of a tenant's seat mapping."""
    digest = hashlib.blake2b(f"seat-mapping:{tenant}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Seats(TenantRepository):
    def serialise_mapping(self) -> None:
        """Hold the tenant's seat mapping until this transaction ends (PostgreSQL).

        Connecting seats to users reads both tables and writes seats. Two transactions doing it at
        once (a user stored while a seat refresh stores its seats) each miss the other's uncommitted
        row in READ COMMITTED, and neither connects the pair. Taken first, the lock makes the later
        one wait and read the earlier one's rows once it committed. SQLite runs one writing
        transaction at a time (``BEGIN IMMEDIATE``) already."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        self.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _mapping_lock_key(self.tenant)}
        )

    def get(self, urn: str) -> Seat | None:
        return self.session.get(Seat, (self.tenant, urn))

    def all(self) -> list[Seat]:
        return list(
            self.session.scalars(select(Seat).where(Seat.tenant_id == self.tenant).order_by(Seat.urn))
        )

    def of_contract(self, contract: str) -> list[Seat]:
        return [s for s in self.all() if s.contract == contract]

    def mapped(self) -> list[Seat]:
        """Active seats connected to a user: the seats that are polled."""
        return [s for s in self.all() if s.user_id is not None and s.is_active]

    def remember(
        self,
        *,
        urn: str,
        contract: str,
        member: str | None,
        first_name: str | None,
        last_name: str | None,
        email: str | None,
        state: str,
    ) -> Seat:
        """Store what seatsV2 says about a seat, keeping its connection to a user."""
        seat = self.get(urn)
        if seat is None:
            seat = Seat(tenant_id=self.tenant, urn=urn)
            self.session.add(seat)
        seat.contract = contract
        seat.member = member
        seat.first_name = first_name
        seat.last_name = last_name
        seat.email = email
        seat.email_key = email_key(email) if email else None
        seat.state = state
        seat.seen_at = utcnow()
        self.session.flush()
        return seat

    def connect(self, seat: Seat, user_id: str | None, by: MappedBy) -> list[Seat]:
        """Connect ``seat`` to ``user_id`` (None: disconnect). A user holds one seat: the seats the
        user held before are disconnected and returned."""
        released: list[Seat] = []
        if user_id is not None:
            for other in self.all():
                if other.user_id == user_id and other.urn != seat.urn:
                    other.user_id = None
                    other.mapped_by = MappedBy.MANUAL.value if by is MappedBy.MANUAL else None
                    other.mapped_at = utcnow()
                    released.append(other)
        seat.user_id = user_id
        seat.mapped_by = by.value
        seat.mapped_at = utcnow()
        self.session.flush()
        return released
