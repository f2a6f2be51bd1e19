"""What the scheduler plans InMail and note polls from, for every tenant at once (operator queries).

One tick of the scheduler reads, for each tenant with a contract that is read now, its seat and
contract cursors, today's calls, the contracts whose seat read is due again, and the numbers its
metrics show (unmapped seats, users without a seat, parked items). Read tenant by tenant that is a
dozen queries per tenant: 12,000 round trips and ORM objects for 1,000 tenants. Here each is one
query over all tenants, returning plain rows, and the marks a tick writes are one statement each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import and_, exists, func, select, tuple_, update
from sqlalchemy.orm import Session

from store.contracts import RecruiterContract, all_contracts
from store.parked_items import ParkedItem, ParkedState
from store.prospect_polls import ContractCursor, PollCalls, SeatCursor
from store.seats import ACTIVE, Seat
from store.users import AtsUser


class SeatRow(NamedTuple):
    """A seat cursor as the scheduler plans from it (a tuple: it reads 50,000 of them a tick at
    1,000 tenants, and a frozen dataclass costs four times as much to build)."""

    seat: str
    contract: str
    activity_per_h: float
    last_polled_at: datetime | None
    queued_until: datetime | None
    lease_until: datetime | None
    inmail_watermark_ms: int
    backfill_watermark_ms: int
    shared_from_ms: int | None

    @property
    def catching_up(self) -> bool:
        return self.shared_from_ms is None or self.backfill_watermark_ms < self.shared_from_ms


class ContractRow(NamedTuple):
    contract: str
    last_polled_at: datetime | None
    queued_until: datetime | None
    lease_until: datetime | None


@dataclass
class TenantPolls:
    #: The cursors of the contracts read now (a contract not read keeps its cursors, unpolled).
    seats: list[SeatRow] = field(default_factory=list)
    contracts: list[ContractRow] = field(default_factory=list)
    calls_today: int = 0
    #: Contracts read now whose failed seat read is due to be tried again.
    retries_due: list[str] = field(default_factory=list)
    unmapped_seats: int = 0
    users_without_seat: int = 0
    parked: int = 0


def poll_overview(session: Session, now: datetime) -> dict[str, TenantPolls]:
    """Every tenant with a contract read now, with what its polls are planned from."""
    read: dict[str, set[str]] = defaultdict(set)
    for tenant, urn in all_contracts(session):
        read[tenant].add(urn)
    tenants = {tenant: TenantPolls() for tenant in sorted(read)}
    if not tenants:
        return tenants
    seat_columns = [getattr(SeatCursor, name) for name in SeatRow._fields]
    # Plain rows through the connection: no ORM loading for 50,000 cursors.
    connection = session.connection()
    rows = connection.execute(
        select(SeatCursor.tenant_id, *seat_columns).order_by(SeatCursor.tenant_id, SeatCursor.seat)
    ).all()  # fetched at once: row by row costs more than the rows themselves
    for row in rows:
        polls = tenants.get(row[0])
        if polls is not None and row[2] in read[row[0]]:
            polls.seats.append(SeatRow._make(row[1:]))
    contract_columns = [getattr(ContractCursor, name) for name in ContractRow._fields]
    for tenant, *values in connection.execute(
        select(ContractCursor.tenant_id, *contract_columns).order_by(
            ContractCursor.tenant_id, ContractCursor.contract
        )
    ):
        if tenant in tenants and values[0] in read[tenant]:
            tenants[tenant].contracts.append(ContractRow(*values))
    for tenant, urn in connection.execute(
        select(RecruiterContract.tenant_id, RecruiterContract.urn).where(
            RecruiterContract.seats_retry_at.is_not(None), RecruiterContract.seats_retry_at <= now
        )
    ):
        if tenant in tenants and urn in read[tenant]:
            tenants[tenant].retries_due.append(urn)
    _counts(session, tenants, now.date())
    return tenants


def _counts(session: Session, tenants: dict[str, TenantPolls], day: date) -> None:
    calls = select(PollCalls.tenant_id, func.sum(PollCalls.calls)).where(PollCalls.day == day)
    for tenant, n in session.execute(calls.group_by(PollCalls.tenant_id)):
        if tenant in tenants:
            tenants[tenant].calls_today = int(n or 0)
    parked = select(ParkedItem.tenant_id, func.count()).where(ParkedItem.state == ParkedState.WAITING.value)
    for tenant, n in session.execute(parked.group_by(ParkedItem.tenant_id)):
        if tenant in tenants:
            tenants[tenant].parked = int(n)
    of_a_contract = exists().where(
        RecruiterContract.tenant_id == Seat.tenant_id, RecruiterContract.urn == Seat.contract
    )
    unmapped = select(Seat.tenant_id, func.count()).where(
        Seat.user_id.is_(None), Seat.state == ACTIVE, of_a_contract
    )
    for tenant, n in session.execute(unmapped.group_by(Seat.tenant_id)):
        if tenant in tenants:
            tenants[tenant].unmapped_seats = int(n)
    holds_a_seat = exists().where(Seat.tenant_id == AtsUser.tenant_id, Seat.user_id == AtsUser.id)
    seatless = select(AtsUser.tenant_id, func.count()).where(
        AtsUser.active, AtsUser.deleted_at.is_(None), ~holds_a_seat
    )
    for tenant, n in session.execute(seatless.group_by(AtsUser.tenant_id)):
        if tenant in tenants:
            tenants[tenant].users_without_seat = int(n)


def mark_queued(
    session: Session,
    *,
    seats: Iterable[tuple[str, str]],
    contracts: Iterable[tuple[str, str]],
    until: datetime | None,
) -> None:
    """(tenant, seat) and (tenant, contract) polls are enqueued: none is enqueued again before
    ``until`` (None: unmark). One statement per table for every tenant."""
    for model, key, pairs in (
        (SeatCursor, SeatCursor.seat, list(seats)),
        (ContractCursor, ContractCursor.contract, list(contracts)),
    ):
        for chunk in range(0, len(pairs), 5_000):
            session.execute(
                update(model)
                .where(tuple_(model.tenant_id, key).in_(pairs[chunk : chunk + 5_000]))
                .values(queued_until=until)
                .execution_options(synchronize_session=False)
            )


def hold_retries(session: Session, retries: Iterable[tuple[str, str]], until: datetime) -> None:
    """A retry of these (tenant, contract) seat reads was asked for: not again before ``until``."""
    pairs = list(retries)
    if pairs:
        session.execute(
            update(RecruiterContract)
            .where(
                and_(
                    tuple_(RecruiterContract.tenant_id, RecruiterContract.urn).in_(pairs),
                    RecruiterContract.seats_retry_at.is_not(None),
                )
            )
            .values(seats_retry_at=until)
            .execution_options(synchronize_session=False)
        )
