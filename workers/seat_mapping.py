"""Connecting ATS users to their LinkedIn Recruiter seats.

ATS users arrive as ``ats.user.*`` events; seats come from ``seatsV2`` (a seat refresh). A seat is
connected automatically to the user whose member URN, else whose e-mail address, equals the seat's,
or by hand (``rsc seat map``). A connected, active seat is polled; a newly connected seat first
reads back ``prospect_backfill_days`` of its InMails, stubs and notes. Seats without a user and
users without a seat are reported by ``rsc seat list`` and a metric; nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linkedin.client import LinkedInClient
from rsc.logs import get_logger
from rsc.metrics import DELETIONS
from rsc.settings import get_settings
from schemas.ats import UserCreated, UserDeleted, UserUpdated
from store.base import to_ms, utcnow
from store.seats import MappedBy, Seat
from store.uow import UnitOfWork
from store.users import AtsUser
from workers.errors import PermanentError

log = get_logger(__name__)

CONSUMER = "seat_mapping"

UserEvent = UserCreated | UserUpdated | UserDeleted


class UnknownUser(PermanentError):
    reason_code = "unknown_user"


class UnknownSeat(PermanentError):
    reason_code = "unknown_seat"


@dataclass
class MappingReport:
    #: Seat URNs connected by this call, and to whom.
    connected: dict[str, str] = field(default_factory=dict)
    #: Seat URNs disconnected by this call.
    disconnected: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Unmapped:
    #: Active seats no user is connected to.
    seats: list[Seat]
    #: Present users connected to no seat.
    users: list[AtsUser]


def backfill_from_ms() -> int:
    return to_ms(utcnow()) - int(get_settings().prospect_backfill_days * 86_400_000)


def handle_user_event(event: UserEvent, uow: UnitOfWork) -> bool:
    """Store the user (in order) and connect or disconnect seats accordingly. True when it changed."""
    with uow:
        if not uow.inbox.record(CONSUMER, event.source, event.id):
            return False
        if isinstance(event, UserDeleted):
            changed = uow.users.delete(event.data.user_id, event.data.deleted_at)
        else:
            changed = uow.users.apply(event.data)
        report = MappingReport()
        if changed:
            report = reconcile(uow)
        uow.commit()
    if changed and isinstance(event, UserDeleted):
        DELETIONS.labels(kind="ats_user").inc()
    log.info(
        "user stored" if changed else "older user snapshot ignored",
        user_id=event.data.user_id,
        count=len(report.connected),
    )
    return changed


def refresh_seats(uow: UnitOfWork, linkedin: LinkedInClient) -> MappingReport:
    """Read every contract's seats from seatsV2, store them, and connect what can be connected."""
    with uow:
        contracts = uow.contracts.urns()
    fetched = []
    calls = 0
    for contract in contracts:
        seats, spent = linkedin.seats.of_contract(contract)
        fetched.extend(seats)
        calls += spent
    with uow:
        for seat in fetched:
            uow.seats.remember(
                urn=seat.urn,
                contract=seat.contract,
                member=seat.member,
                first_name=seat.first_name,
                last_name=seat.last_name,
                email=seat.email,
                state=seat.state,
            )
        uow.poll_cursors.count_calls(calls)
        report = reconcile(uow)
        uow.commit()
    log.info("seats refreshed", count=len(fetched), calls=calls, records=len(report.connected))
    return report


def reconcile(uow: UnitOfWork) -> MappingReport:
    """Disconnect seats of users who are gone, connect free seats automatically, and make the
    polled set (cursors) match the connected active seats."""
    report = MappingReport()
    present = {u.id: u for u in uow.users.present()}
    seats = uow.seats.all()
    for seat in seats:
        if seat.user_id is not None and seat.user_id not in present:
            uow.seats.connect(seat, None, MappedBy.PERSON_URN)
            seat.mapped_by = None
            report.disconnected.append(seat.urn)
    holding = {s.user_id for s in seats if s.user_id is not None}
    for seat in seats:
        if seat.user_id is not None or seat.mapped_by == MappedBy.MANUAL.value or not seat.is_active:
            continue
        match = _automatic_match(seat, [u for u in present.values() if u.id not in holding])
        if match is not None:
            user, by = match
            uow.seats.connect(seat, user.id, by)
            holding.add(user.id)
            report.connected[seat.urn] = user.id
    _sync_cursors(uow)
    return report


def _automatic_match(seat: Seat, free: list[AtsUser]) -> tuple[AtsUser, MappedBy] | None:
    """The one free user whose member URN (else e-mail) is the seat's; ambiguity connects no one."""
    if seat.member:
        by_urn = [u for u in free if u.person_urn == seat.member]
        if len(by_urn) == 1:
            return by_urn[0], MappedBy.PERSON_URN
        if by_urn:
            return None
    if seat.email_key:
        by_email = [u for u in free if u.email_key == seat.email_key]
        if len(by_email) == 1:
            return by_email[0], MappedBy.EMAIL
    return None


def _sync_cursors(uow: UnitOfWork) -> None:
    polled = {s.urn: s for s in uow.seats.mapped()}
    for cursor in uow.poll_cursors.seats():
        if cursor.seat not in polled:
            uow.poll_cursors.stop_seat(cursor.seat)
    start = backfill_from_ms()
    for seat in polled.values():
        if uow.poll_cursors.seat(seat.urn) is None:
            uow.poll_cursors.start_seat(seat.urn, seat.contract, start)
            # Stubs and notes of caught-up seats are read per contract from now on.
            uow.poll_cursors.start_contract(seat.contract, to_ms(utcnow()))
            log.info("seat connected; back-filling its history", seat=seat.urn, user_id=seat.user_id)


def map_seat(uow: UnitOfWork, user_id: str, seat_urn: str) -> list[str]:
    """Connect a user to a seat by hand; returns the seats the user held before (now disconnected).

    The caller commits.
    """
    user = uow.users.get(user_id)
    if user is None or not user.is_present:
        raise UnknownUser(
            f"user {user_id!r} is not an active ATS user of tenant {uow.tenant!r}; publish it "
            f"(ats.user.created) first"
        )
    seat = uow.seats.get(seat_urn)
    if seat is None:
        raise UnknownSeat(
            f"seat {seat_urn!r} is not among tenant {uow.tenant!r}'s seats; add its contract "
            f"(`rsc seat contract-add`) and run `rsc seat refresh --tenant {uow.tenant}`"
        )
    released = uow.seats.connect(seat, user_id, MappedBy.MANUAL)
    _sync_cursors(uow)
    return [s.urn for s in released]


def unmap_seat(uow: UnitOfWork, seat_urn: str) -> None:
    """Disconnect a seat by hand; automatic mapping leaves it disconnected. The caller commits."""
    seat = uow.seats.get(seat_urn)
    if seat is None:
        raise UnknownSeat(f"seat {seat_urn!r} is not among tenant {uow.tenant!r}'s seats")
    uow.seats.connect(seat, None, MappedBy.MANUAL)
    _sync_cursors(uow)


def unmapped(uow: UnitOfWork) -> Unmapped:
    seats = uow.seats.all()
    holding = {s.user_id for s in seats if s.user_id is not None}
    return Unmapped(
        seats=[s for s in seats if s.user_id is None and s.is_active],
        users=[u for u in uow.users.present() if u.id not in holding],
    )
