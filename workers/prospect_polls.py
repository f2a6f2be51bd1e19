"""Polls of LinkedIn's prospect interactions: InMails per seat, stubs and notes per contract.

A poll reads windows of at most 12 hours from its stored watermark, turns every item into an event,
publishes them under RabbitMQ confirms, and only then moves the watermark to the window's end. A
crash anywhere before that re-reads the window (the consumers deduplicate), so nothing is skipped.
Each window starts ``poll_overlap_s`` before the watermark for items LinkedIn lists late.

Seat polls read the seat's InMails (``conversationEvents`` takes one viewer seat) and, while the
seat catches up after being connected, its stubs and notes. Contract polls read the stubs and notes
of all connected seats of a contract in one call per 100 seats, which leaves the budget to InMails.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import ValidationError

from linkedin.client import LinkedInClient
from linkedin.prospects import MAX_WINDOW_MS
from rsc.logs import get_logger
from rsc.settings import get_settings
from schemas.catalog import describe_validation_error
from schemas.commands import ContractPoll, SeatPoll
from schemas.envelope import Event
from schemas.linkedin import (
    InMailMessage,
    InMailReceived,
    MailStub,
    MailStubReceived,
    ProspectNote,
    ProspectNoteChanged,
)
from store.base import to_ms, utcnow
from store.db import get_store
from store.dead_letters import Rejections
from store.uow import UnitOfWork

log = get_logger(__name__)

#: CloudEvents source of every polled event.
POLL_SOURCE = "linkedin://rsc/poll"
#: A poll holds its cursor this long at most (a dead worker's hold expires).
LEASE = timedelta(minutes=3)
#: Windows one poll message reads before it yields (a back-fill continues in the next poll).
MAX_WINDOWS = 8
#: Owner seats named in one mailStubs or prospectNotes call.
OWNERS_PER_CALL = 100
#: Smoothing of a seat's activity estimate (weight of the newest poll).
ACTIVITY_WEIGHT = 0.3


class EventPublisher(Protocol):
    """What a poll needs of ``events.publisher.Publisher``: publish and return once all are confirmed."""

    def publish_many(self, events: Iterable[Event]) -> int: ...


@dataclass
class PollReport:
    calls: int = 0
    windows: int = 0
    published: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    skipped: str | None = None


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def inmail_event(tenant: str, item: dict[str, Any]) -> InMailReceived:
    data = InMailMessage(
        event_id=str(item.get("id", "")),
        thread=item.get("thread") or "",
        viewer=item.get("viewer") or "",
        author=item.get("author"),
        member=item.get("member"),
        created_ms=item.get("created"),
        subject=item.get("subject"),
        body=item.get("body"),
    )
    return InMailReceived(
        type="linkedin.inmail.received.v1",
        id=f"inmail:{data.event_id}",
        source=POLL_SOURCE,
        tenant=tenant,
        time=_when(data.created_ms),
        data=data,
    )


def stub_event(tenant: str, item: dict[str, Any]) -> MailStubReceived:
    created = item.get("created")
    data = MailStub(
        stub_id=str(item.get("id", "")),
        contract=item.get("contract") or "",
        owners=item.get("owners") or [],
        member=item.get("member") or "",
        first_name=item.get("firstName"),
        last_name=item.get("lastName"),
        email=item.get("emailAddress") or None,
        phone=item.get("phoneNumber"),
        company=item.get("currentCompanyName"),
        title=item.get("currentJobTitle"),
        created_ms=created,
        last_modified_ms=item.get("lastModified", created),
    )
    return MailStubReceived(
        type="linkedin.mail_stub.received.v1",
        id=f"stub:{data.stub_id}:{data.last_modified_ms}",
        source=POLL_SOURCE,
        tenant=tenant,
        time=_when(data.created_ms),
        data=data,
    )


def note_event(tenant: str, item: dict[str, Any]) -> ProspectNoteChanged:
    data = ProspectNote(
        note_id=str(item.get("id", "")),
        contract=item.get("contract") or "",
        owner=item.get("owner") or "",
        member=item.get("member"),
        text=item.get("note"),
        visibility=item.get("visibility") or "ORGANIZATION",
        active=item.get("active", True),
        created_ms=item.get("created"),
        last_modified_ms=item.get("lastModified"),
    )
    return ProspectNoteChanged(
        type="linkedin.prospect_note.changed.v1",
        id=f"note:{data.note_id}:{data.last_modified_ms}",
        source=POLL_SOURCE,
        tenant=tenant,
        time=_when(data.last_modified_ms),
        data=data,
    )


def _to_events(
    tenant: str, kind: str, items: list[dict[str, Any]], build: Callable[[str, dict[str, Any]], Event]
) -> tuple[list[Event], int]:
    """The items as events; an item that is not a valid one is recorded as a rejection (never its
    content) and the rest go on."""
    events: list[Event] = []
    refused = 0
    for item in items:
        try:
            events.append(build(tenant, item))
        except (ValidationError, TypeError, ValueError) as exc:
            refused += 1
            reason = (
                describe_validation_error(exc) if isinstance(exc, ValidationError) else type(exc).__name__
            )
            _reject(tenant, kind, reason, item)
    return events, refused


def _reject(tenant: str, kind: str, reason: str, item: dict[str, Any]) -> None:
    log.warning("polled item refused", tenant=tenant, kind=kind, reason=reason)
    with get_store().session(None) as session:
        Rejections(session).record(
            channel=f"poll:{kind}",
            tenant_id=tenant,
            reason_code="invalid_polled_item",
            reason=f"a {kind} item from LinkedIn is not valid: {reason}",
            body=json.dumps(item, sort_keys=True).encode(),
        )
        session.commit()


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


def poll_seat(
    command: SeatPoll, uow: UnitOfWork, linkedin: LinkedInClient, publisher: EventPublisher
) -> PollReport:
    """Read the seat's new InMails and, while it catches up, its stub and note history."""
    report = PollReport()
    settings = get_settings()
    overlap = int(settings.poll_overlap_s * 1000)
    with uow:
        seat = uow.seats.get(command.seat)
        cursor = uow.poll_cursors.lease_seat(command.seat, LEASE)
        if cursor is None:
            report.skipped = "another poll holds the seat, or the seat is not polled"
            uow.commit()
            return report
        if seat is None or seat.user_id is None or not seat.is_active:
            uow.poll_cursors.stop_seat(command.seat)
            uow.commit()
            report.skipped = "the seat is no longer connected"
            return report
        contract = seat.contract
        inmail_mark = cursor.inmail_watermark_ms
        backfill_mark = cursor.backfill_watermark_ms
        shared_from = cursor.shared_from_ms
        uow.commit()
    polled_at = utcnow()
    now_ms = to_ms(polled_at)
    found = 0
    try:
        for start, end in _windows(inmail_mark, now_ms, overlap, MAX_WINDOWS):
            items, calls = linkedin.prospects.conversation_events(command.seat, start, end)
            events, refused = _to_events(command.tenant, "conversationEvents", items, inmail_event)
            _publish_then_advance(uow, publisher, events, calls=calls, report=report, refused=refused)
            with uow:
                uow.poll_cursors.advance_seat(command.seat, inmail_watermark_ms=end)
                uow.commit()
            found += sum(1 for e in events if e.time >= _when(inmail_mark))
        until = shared_from if shared_from is not None else now_ms
        for start, end in _windows(backfill_mark, until, overlap, MAX_WINDOWS):
            events, calls, refused = _read_stubs_and_notes(
                linkedin, command.tenant, contract, [command.seat], start=start, end=end
            )
            _publish_then_advance(uow, publisher, events, calls=calls, report=report, refused=refused)
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


def poll_contract(
    command: ContractPoll, uow: UnitOfWork, linkedin: LinkedInClient, publisher: EventPublisher
) -> PollReport:
    """Read the stubs and notes of every connected seat of the contract, 100 owner seats a call."""
    report = PollReport()
    overlap = int(get_settings().poll_overlap_s * 1000)
    with uow:
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
                events, calls, refused = _read_stubs_and_notes(
                    linkedin, command.tenant, command.contract, owners, start=start, end=end
                )
                _publish_then_advance(uow, publisher, events, calls=calls, report=report, refused=refused)
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
) -> tuple[list[Event], int, int]:
    events: list[Event] = []
    calls = refused = 0
    for first in range(0, len(owners), OWNERS_PER_CALL):
        group = owners[first : first + OWNERS_PER_CALL]
        stubs, spent = linkedin.prospects.mail_stubs(contract, group, start, end)
        calls += spent
        built, bad = _to_events(tenant, "mailStubs", stubs, stub_event)
        events += built
        refused += bad
        notes, spent = linkedin.prospects.prospect_notes(contract, group, start, end)
        calls += spent
        built, bad = _to_events(tenant, "prospectNotes", notes, note_event)
        events += built
        refused += bad
    return events, calls, refused


def _publish_then_advance(
    uow: UnitOfWork,
    publisher: EventPublisher,
    events: list[Event],
    *,
    calls: int,
    report: PollReport,
    refused: int,
) -> None:
    """Publish a window's events under confirms (raises if RabbitMQ did not confirm them all) and
    count its calls; the caller moves the watermark only after this returned."""
    with uow:
        uow.poll_cursors.count_calls(calls)
        uow.commit()
    report.calls += calls
    report.windows += 1
    report.refused += refused
    if events:
        publisher.publish_many(events)
    for event in events:
        report.published[event.type] = report.published.get(event.type, 0) + 1
