"""Connecting ATS users to their LinkedIn Recruiter seats.

ATS users arrive as ``ats.user.*`` events; seats come from ``seatsV2`` (a seat refresh). A seat is
connected automatically to the user whose member URN, else whose e-mail address, equals the seat's,
or by hand (``rsc seat map``). A connected, active seat is polled; a newly connected seat first
reads back ``prospect_backfill_days`` of its InMails, stubs and notes. Seats without a user and
users without a seat are reported by ``rsc seat list`` and a metric; nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInAuthFailed, LinkedInRejected, LinkedInUnavailable
from rsc.errors import PermanentError
from rsc.logs import get_logger
from rsc.metrics import DELETIONS, SEAT_REFRESH_FAILURES
from rsc.settings import Settings
from schemas.ats import UserCreated, UserDeleted, UserUpdated
from store.base import to_ms, utcnow
from store.seats import MappedBy, Seat
from store.uow import UnitOfWork
from store.users import AtsUser
from workers.prospect_polling.items import Asked, ItemKind, SeatReading, UnreadableItem, read_seat
from workers.prospect_polling.pages import Unread
from workers.prospect_polling.parked_items import park
from workers.shared.job_acl_push import mark_stale_job_acls

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
    #: Seats read and stored (a refresh).
    seats: int = 0
    #: Contracts whose seats could not be read, and why (a refresh); each is retried on its own.
    failed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Unmapped:
    #: Active seats no user is connected to.
    seats: list[Seat]
    #: Present users connected to no seat.
    users: list[AtsUser]


def backfill_from_ms(*, settings: Settings) -> int:
    return to_ms(utcnow()) - int(settings.prospect_backfill_days * 86_400_000)


def handle_user_event(event: UserEvent, uow: UnitOfWork, *, settings: Settings) -> bool:
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
            report = reconcile(uow, settings=settings)
        uow.commit()
    if changed and isinstance(event, UserDeleted):
        DELETIONS.labels(kind="ats_user").inc()
    log.info(
        "user stored" if changed else "older user snapshot ignored",
        user_id=event.data.user_id,
        count=len(report.connected),
    )
    return changed


def refresh_seats(
    uow: UnitOfWork, linkedin: LinkedInClient, contracts: list[str] | None = None, *, settings: Settings
) -> MappingReport:
    """Read the seats of every contract that is read (or of ``contracts`` among them) from seatsV2,
    each contract on its own, store them, and connect what can be connected.

    A contract whose read fails is recorded with its error and the time of its next try (the
    scheduler retries it alone); the other contracts are read all the same. A seat element that
    cannot be read is parked; the contract's other seats are stored.
    """
    with uow:
        targets = [c for c in uow.contracts.read() if contracts is None or c in contracts]
    report = MappingReport()
    calls = 0
    for contract in targets:
        try:
            elements, spent = linkedin.seats.of_contract(contract)
        except (LinkedInUnavailable, LinkedInRejected, LinkedInAuthFailed) as exc:
            _seat_read_failed(uow, contract, exc, settings=settings)
            report.failed[contract] = _error_text(exc)
            continue
        calls += spent
        asked = Asked(ItemKind.SEAT, contract)
        with uow:
            unread: list[Unread] = []
            for element in elements:
                try:
                    seat = read_seat(element, asked)
                except UnreadableItem as exc:
                    unread.append(Unread(ItemKind.SEAT, element, asked, exc.problem, exc.message))
                    continue
                remember_seat(uow, seat)
                report.seats += 1
            park(uow, unread)
            uow.contracts.seats_read(contract)
            uow.poll_cursors.count_calls(spent)
            uow.commit()
    with uow:
        mapped = reconcile(uow, settings=settings)
        uow.commit()
    report.connected, report.disconnected = mapped.connected, mapped.disconnected
    log.info(
        "seats refreshed",
        count=report.seats,
        calls=calls,
        records=len(report.connected),
        failed_keys=sorted(report.failed),
    )
    return report


def remember_seat(uow: UnitOfWork, seat: SeatReading) -> None:
    uow.seats.remember(
        urn=seat.urn,
        contract=seat.contract,
        member=seat.member,
        first_name=seat.first_name,
        last_name=seat.last_name,
        email=seat.email,
        state=seat.state,
    )


def retry_delay_s(failures: int, *, settings: Settings) -> float:
    """Seconds before a contract whose seat read failed ``failures`` times in a row is tried again:
    ``seat_refresh_retry_s``, doubling, at most ``seat_refresh_interval_s``."""
    return float(
        min(settings.seat_refresh_retry_s * 2 ** max(0, failures - 1), settings.seat_refresh_interval_s)
    )


def _error_text(exc: Exception) -> str:
    return f"{getattr(exc, 'reason_code', type(exc).__name__)}: {exc}"[:500]


def _seat_read_failed(uow: UnitOfWork, contract: str, exc: Exception, *, settings: Settings) -> None:
    with uow:
        row = uow.contracts.get(contract)
        failures = (row.seats_failures if row is not None else 0) + 1
        retry_at = utcnow() + timedelta(seconds=retry_delay_s(failures, settings=settings))
        uow.contracts.seats_failed(contract, _error_text(exc), retry_at)
        uow.commit()
    reason = getattr(exc, "reason_code", "other")
    SEAT_REFRESH_FAILURES.labels(error=reason).inc()
    log.warning(
        "seats of a contract could not be read; the other contracts go on",
        contract=contract,
        error_class=type(exc).__name__,
        status=getattr(exc, "status", None),
        retries=failures,
    )


def reconcile(uow: UnitOfWork, *, settings: Settings) -> MappingReport:
    """Disconnect seats of users who are gone, connect free seats automatically, and make the
    polled set (cursors) match the connected active seats."""
    uow.seats.serialise_mapping()
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
    _sync_cursors(uow, settings=settings)
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


def _sync_cursors(uow: UnitOfWork, *, settings: Settings) -> None:
    """Polled seats are the connected active seats of the tenant's contracts: a seat that lost its
    user, or whose contract was removed, stops. A new seat starts only while its contract is read; a
    seat of a contract that is not read for now (CSA_API not enabled) keeps its cursor, and its
    polls resume where they stopped once it is read again. Its callers hold the mapping
    (``Seats.serialise_mapping``)."""
    # Who a job's ACL names follows the seats its hiring team's users are connected to.
    mark_stale_job_acls(uow)
    contracts = set(uow.contracts.urns())
    read = set(uow.contracts.read())
    polled = {s.urn: s for s in uow.seats.mapped() if s.contract in contracts}
    for cursor in uow.poll_cursors.seats():
        if cursor.seat not in polled:
            uow.poll_cursors.stop_seat(cursor.seat)
    for contract_cursor in uow.poll_cursors.contracts():
        if contract_cursor.contract not in contracts:
            uow.poll_cursors.stop_contract(contract_cursor.contract)
    start = backfill_from_ms(settings=settings)
    for seat in polled.values():
        if seat.contract in read and uow.poll_cursors.seat(seat.urn) is None:
            uow.poll_cursors.start_seat(seat.urn, seat.contract, start)
            # Stubs and notes of caught-up seats are read per contract from now on.
            uow.poll_cursors.start_contract(seat.contract, to_ms(utcnow()))
            log.info("seat connected; back-filling its history", seat=seat.urn, user_id=seat.user_id)


def set_contracts(
    uow: UnitOfWork, contracts: list[str], *, settings: Settings
) -> tuple[list[str], list[str]]:
    """Make the tenant's contracts exactly ``contracts`` (the customer's contract selection);
    returns (added, removed). A removed contract's seats are no longer polled. The caller commits."""
    uow.seats.serialise_mapping()
    added, removed = uow.contracts.replace(contracts)
    _sync_cursors(uow, settings=settings)
    return added, removed


def remove_contract(uow: UnitOfWork, contract: str, *, settings: Settings) -> bool:
    """Stop reading a contract: its seats are no longer polled (they stay stored, with their users,
    so the authors of notes already synced stay known). The caller commits. False if it was not
    one of the tenant's contracts."""
    uow.seats.serialise_mapping()
    removed = uow.contracts.remove(contract)
    _sync_cursors(uow, settings=settings)
    return removed


def map_seat(uow: UnitOfWork, user_id: str, seat_urn: str, *, settings: Settings) -> list[str]:
    """Connect a user to a seat by hand; returns the seats the user held before (now disconnected).

    The caller commits.
    """
    uow.seats.serialise_mapping()
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
    _sync_cursors(uow, settings=settings)
    return [s.urn for s in released]


def unmap_seat(uow: UnitOfWork, seat_urn: str, *, settings: Settings) -> None:
    """Disconnect a seat by hand; automatic mapping leaves it disconnected. The caller commits."""
    uow.seats.serialise_mapping()
    seat = uow.seats.get(seat_urn)
    if seat is None:
        raise UnknownSeat(f"seat {seat_urn!r} is not among tenant {uow.tenant!r}'s seats")
    uow.seats.connect(seat, None, MappedBy.MANUAL)
    _sync_cursors(uow, settings=settings)


def unmapped(uow: UnitOfWork) -> Unmapped:
    seats = uow.seats.all()
    holding = {s.user_id for s in seats if s.user_id is not None}
    contracts = set(uow.contracts.urns())
    return Unmapped(
        seats=[s for s in seats if s.user_id is None and s.is_active and s.contract in contracts],
        users=[u for u in uow.users.present() if u.id not in holding],
    )
