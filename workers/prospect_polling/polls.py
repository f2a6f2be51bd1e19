"""Polls of LinkedIn's prospect interactions: InMails per seat, stubs and notes per contract.

A poll reads windows of at most 12 hours from its stored watermark, turns every item into an event
(``workers.prospect_polling.pages``: items keyed by what the query asked for where they say nothing
themselves), parks the items that cannot be read, publishes the events under RabbitMQ confirms, and
only then moves the watermark to the window's end. A crash anywhere before that re-reads the window
(the consumers deduplicate, parking the same item again updates its row), so nothing is skipped.
Each window starts ``poll_overlap_s`` before the watermark for items LinkedIn lists late. Seats and
contracts of a contract that is not read (removed, or its CSA_API integration not enabled) are not
polled.

Seat polls read the seat's InMails (``conversationEvents`` takes one viewer seat) and, while the
seat catches up after being connected, its stubs and notes. Contract polls read the stubs and notes
of all connected seats of a contract in one call per 100 seats, which leaves the budget to InMails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from events.publisher import EventPublisher
from linkedin.client import LinkedInClient
from linkedin.prospects import MAX_WINDOW_MS
from rsc.logs import get_logger
from rsc.settings import Settings
from schemas.commands import ContractPoll, SeatPoll
from store.base import to_ms, utcnow
from store.uow import UnitOfWork
from workers.prospect_polling.items import Asked, ItemKind
from workers.prospect_polling.pages import PageOutcome, read_page
from workers.prospect_polling.parked_items import park

log = get_logger(__name__)

#: A poll holds its cursor this long at most (a dead worker's hold expires).
LEASE = timedelta(minutes=3)
#: Windows one poll message reads before it yields (a back-fill continues in the next poll).
MAX_WINDOWS = 8
#: Owner seats named in one mailStubs or prospectNotes call.
OWNERS_PER_CALL = 100
#: Smoothing of a seat's activity estimate (weight of the newest poll).
ACTIVITY_WEIGHT = 0.3
#: Why a poll of a contract that is not read does nothing.
NOT_READ = "contract {contract} is not read (removed, or its CSA_API integration is not enabled)"


@dataclass
class PollReport:
    calls: int = 0
    windows: int = 0
    published: dict[str, int] = field(default_factory=dict)
    #: Items that could not be read and were parked (``rsc parked list``).
    parked: int = 0
    skipped: str | None = None


def _windows(watermark_ms: int, until_ms: int, overlap_ms: int, limit: int) -> list[tuple[int, int]]:
    """(query start, window end) pairs from the watermark towards ``until_ms``; each query starts
    ``overlap_ms`` early and spans at most 12 hours."""
    windows: list[tuple[int, int]] = []
    mark = watermark_ms
    while mark < until_ms and len(windows) < limit:
        start = max(0, mark - overlap_ms)
        end = min(until_ms, start + MAX_WINDOW_MS)
        windows.append((start, end))
        mark = end
    return windows


@dataclass(frozen=True)
class _SeatLease:
    """A seat this poll holds, and where its cursors stand."""

    contract: str
    inmail_mark: int
    backfill_mark: int
    shared_from: int | None


def poll_seat(
    command: SeatPoll,
    uow: UnitOfWork,
    linkedin: LinkedInClient,
    publisher: EventPublisher,
    *,
    settings: Settings,
) -> PollReport:
    """Read the seat's new InMails and, while it catches up, its stub and note history."""
    report = PollReport()
    lease = _lease_seat(command, uow, report)
    if lease is None:
        return report
    overlap = int(settings.poll_overlap_s * 1000)
    polled_at = utcnow()
    now_ms = to_ms(polled_at)
    found = 0
    try:
        for start, end in _windows(lease.inmail_mark, now_ms, overlap, MAX_WINDOWS):
            items, calls = linkedin.prospects.conversation_events(command.seat, start, end)
            asked = Asked(ItemKind.CONVERSATION_EVENT, lease.contract, (command.seat,), start, end)
            page = read_page(command.tenant, items, asked)
            page.calls += calls
            _publish_then_advance(uow, publisher, page, report=report)
            with uow:
                uow.poll_cursors.advance_seat(command.seat, inmail_watermark_ms=end)
                uow.commit()
            found += sum(1 for e in page.events if to_ms(e.time) >= lease.inmail_mark)
        until = lease.shared_from if lease.shared_from is not None else now_ms
        for start, end in _windows(lease.backfill_mark, until, overlap, MAX_WINDOWS):
            page = _read_stubs_and_notes(
                linkedin, command.tenant, lease.contract, [command.seat], start=start, end=end
            )
            _publish_then_advance(uow, publisher, page, report=report)
            with uow:
                uow.poll_cursors.advance_seat(command.seat, backfill_watermark_ms=end)
                uow.commit()
    finally:
        with uow:
            uow.poll_cursors.finish_seat(
                command.seat, polled_at=polled_at, items=found, weight=ACTIVITY_WEIGHT
            )
            uow.commit()
    log.info(
        "seat polled",
        seat=command.seat,
        calls=report.calls,
        count=sum(report.published.values()),
        done=report.windows,
    )
    return report


def _lease_seat(command: SeatPoll, uow: UnitOfWork, report: PollReport) -> _SeatLease | None:
    """Hold the seat for this poll; None (with the reason in ``report``) when it is not to be polled."""
    with uow:
        seat = uow.seats.get(command.seat)
        if seat is not None and not uow.contracts.is_read(seat.contract):
            uow.poll_cursors.mark_queued(seats=[command.seat], contracts=[], until=None)
            uow.commit()
            report.skipped = (
                f"contract {seat.contract} is not read (removed, or its CSA_API integration is not enabled)"
            )
            return None
        cursor = uow.poll_cursors.lease_seat(command.seat, LEASE)
        if cursor is None:
            report.skipped = "another poll holds the seat, or the seat is not polled"
            uow.commit()
            return None
        if seat is None or seat.user_id is None or not seat.is_active:
            uow.poll_cursors.stop_seat(command.seat)
            uow.commit()
            report.skipped = "the seat is no longer connected"
            return None
        lease = _SeatLease(
            seat.contract, cursor.inmail_watermark_ms, cursor.backfill_watermark_ms, cursor.shared_from_ms
        )
        uow.commit()
    return lease


def poll_contract(
    command: ContractPoll,
    uow: UnitOfWork,
    linkedin: LinkedInClient,
    publisher: EventPublisher,
    *,
    settings: Settings,
) -> PollReport:
    """Read the stubs and notes of every connected seat of the contract, 100 owner seats a call."""
    report = PollReport()
    overlap = int(settings.poll_overlap_s * 1000)
    with uow:
        if not uow.contracts.is_read(command.contract):
            uow.poll_cursors.mark_queued(seats=[], contracts=[command.contract], until=None)
            uow.commit()
            report.skipped = NOT_READ.format(contract=command.contract)
            return report
        cursor = uow.poll_cursors.lease_contract(command.contract, LEASE)
        if cursor is None:
            report.skipped = "another poll holds the contract, or it is not polled"
            uow.commit()
            return report
        owners = sorted(c.seat for c in uow.poll_cursors.seats() if c.contract == command.contract)
        mark = cursor.watermark_ms
        uow.commit()
    polled_at = utcnow()
    try:
        if owners:
            for start, end in _windows(mark, to_ms(polled_at), overlap, MAX_WINDOWS):
                page = _read_stubs_and_notes(
                    linkedin, command.tenant, command.contract, owners, start=start, end=end
                )
                _publish_then_advance(uow, publisher, page, report=report)
                with uow:
                    cursor = uow.poll_cursors.contract(command.contract)
                    assert cursor is not None
                    cursor.watermark_ms = max(cursor.watermark_ms, end)
                    # These seats' stubs and notes are read with the contract's from this window's
                    # start on; their own back-fill stops there.
                    uow.poll_cursors.include_in_contract(owners, from_ms=start)
                    uow.commit()
    finally:
        with uow:
            uow.poll_cursors.finish_contract(command.contract, polled_at=polled_at)
            uow.commit()
    log.info(
        "contract polled",
        contract=command.contract,
        calls=report.calls,
        count=sum(report.published.values()),
        done=report.windows,
    )
    return report


def _read_stubs_and_notes(
    linkedin: LinkedInClient, tenant: str, contract: str, owners: list[str], *, start: int, end: int
) -> PageOutcome:
    """One window of the owners' stubs and notes, 100 owners a call. A stub or note that names no
    owner while several were asked is attributed by asking that window again per owner."""
    window = PageOutcome()
    for first in range(0, len(owners), OWNERS_PER_CALL):
        group = owners[first : first + OWNERS_PER_CALL]

        def stubs_of(seats: list[str]) -> tuple[list[dict[str, Any]], int]:
            return linkedin.prospects.mail_stubs(contract, seats, start, end)

        def notes_of(seats: list[str]) -> tuple[list[dict[str, Any]], int]:
            return linkedin.prospects.prospect_notes(contract, seats, start, end)

        for kind, read in ((ItemKind.MAIL_STUB, stubs_of), (ItemKind.PROSPECT_NOTE, notes_of)):
            items, calls = read(group)
            page = read_page(tenant, items, Asked(kind, contract, tuple(group), start, end), read)
            window.events += page.events
            window.unread += page.unread
            window.calls += calls + page.calls
    return window


def _publish_then_advance(
    uow: UnitOfWork, publisher: EventPublisher, page: PageOutcome, *, report: PollReport
) -> None:
    """Park what could not be read and count the window's calls (one transaction), then publish its
    events under confirms (raises if RabbitMQ did not confirm them all); the caller moves the
    watermark only after this returned."""
    with uow:
        uow.poll_cursors.count_calls(page.calls)
        report.parked += park(uow, page.unread)
        uow.commit()
    report.calls += page.calls
    report.windows += 1
    if page.events:
        publisher.publish_many(page.events)
    for event in page.events:
        report.published[event.type] = report.published.get(event.type, 0) + 1
