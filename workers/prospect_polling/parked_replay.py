"""Replaying parked items: read them again with today's readers (``rsc parked replay``).

A polled item that is readable now is published like a polled one (the consumers deduplicate, so a
replay that runs twice stores it once); a seat is stored and seats are connected again. A stub or
note that names no owner among several asked is attributed, as a poll would, by asking LinkedIn
again for the window it came from, per owner. An item that still cannot be read stays parked with
its new reason. Events are published before their rows are marked replayed, so a failed publish
leaves the rows waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from events.publisher import EventPublisher
from linkedin.client import LinkedInClient
from rsc.logs import get_logger
from rsc.settings import Settings
from schemas.envelope import Event
from store.parked_items import ParkedItem
from store.uow import UnitOfWork
from workers.prospect_polling.items import Asked, ItemKind, SeatReading, UnreadableItem, read_seat
from workers.prospect_polling.owner_resolution import Reread
from workers.prospect_polling.pages import read_page
from workers.prospect_polling.seat_mapping import reconcile, remember_seat

log = get_logger(__name__)


@dataclass
class ReplayReport:
    #: Items read this time (published, or stored for seats).
    replayed: int = 0
    #: Items still unreadable, by reason code.
    still_parked: dict[str, int] = field(default_factory=dict)
    published: int = 0
    calls: int = 0


def _reread(linkedin: LinkedInClient, asked: Asked) -> Reread | None:
    """How to ask the item's window again for fewer owners (None when the query cannot be repeated)."""
    contract, start, end = asked.contract, asked.start_ms, asked.end_ms
    if contract is None or start is None or end is None or len(asked.seats) < 2:
        return None
    if asked.kind is ItemKind.MAIL_STUB:
        return lambda seats: linkedin.prospects.mail_stubs(contract, seats, start, end)
    if asked.kind is ItemKind.PROSPECT_NOTE:
        return lambda seats: linkedin.prospects.prospect_notes(contract, seats, start, end)
    return None


#: What reading a parked item again found: the events it yields, the problem that still stops it,
#: or the seat it describes.
Reading = tuple[list[Event], tuple[str, str] | None, SeatReading | None]


def replay(
    uow: UnitOfWork,
    publisher: EventPublisher,
    linkedin: Callable[[], LinkedInClient] | None = None,
    *,
    keys: list[str] | None = None,
    kind: str | None = None,
    reason_code: str | None = None,
    dry_run: bool = False,
    settings: Settings,
) -> ReplayReport:
    """Read waiting items again (those of ``keys``, or every one of ``kind`` and ``reason_code``)."""
    report = ReplayReport()
    client = _lazy(linkedin)
    seats_changed = False
    for key, item, asked in _waiting(uow, keys, kind, reason_code):
        events, problem, seat = _read_again(uow.tenant, item, asked, client, report)
        if not dry_run:
            if events:
                publisher.publish_many(events)
                report.published += len(events)
            seats_changed |= _settle(uow, key, problem, seat)
        _count(report, problem)
    if seats_changed:
        with uow:
            reconcile(uow, settings=settings)
            uow.commit()
    log.info(
        "parked items replayed",
        count=report.replayed,
        failed_keys=sorted(report.still_parked),
        dry_run=dry_run,
    )
    return report


def _lazy(linkedin: Callable[[], LinkedInClient] | None) -> Callable[[], LinkedInClient] | None:
    """The client, made on first use only (most replays never ask LinkedIn again)."""
    if linkedin is None:
        return None
    made: list[LinkedInClient] = []

    def client() -> LinkedInClient:
        if not made:
            made.append(linkedin())
        return made[0]

    return client


def _waiting(
    uow: UnitOfWork, keys: list[str] | None, kind: str | None, reason_code: str | None
) -> list[tuple[str, dict[str, Any], Asked]]:
    with uow:
        if keys:
            rows = [r for r in (uow.parked_items.get(k) for k in keys) if r is not None]
        else:
            rows = uow.parked_items.waiting(kind=kind, reason_code=reason_code)
        return [(r.key, dict(r.item), Asked.from_json(r.asked)) for r in rows]


def _read_again(
    tenant: str,
    item: dict[str, Any],
    asked: Asked,
    client: Callable[[], LinkedInClient] | None,
    report: ReplayReport,
) -> Reading:
    if asked.kind is ItemKind.SEAT:
        try:
            return [], None, read_seat(item, asked)
        except UnreadableItem as exc:
            return [], (exc.problem.value, exc.message), None
    reread = _reread(client(), asked) if client is not None and len(asked.seats) > 1 else None
    page = read_page(tenant, [item], asked, reread)
    report.calls += page.calls
    problem = (page.unread[0].problem.value, page.unread[0].reason) if page.unread else None
    return page.events, problem, None


def _settle(uow: UnitOfWork, key: str, problem: tuple[str, str] | None, seat: SeatReading | None) -> bool:
    """Record what the new reading found; True when it changed a seat."""
    seat_changed = False
    with uow:
        row = uow.parked_items.get(key)
        if row is not None:
            if problem is not None:
                uow.parked_items.still_unreadable(row, *problem)
            else:
                if seat is not None:
                    remember_seat(uow, seat)
                    seat_changed = True
                uow.parked_items.replayed(row)
        uow.commit()
    return seat_changed


def _count(report: ReplayReport, problem: tuple[str, str] | None) -> None:
    if problem is None:
        report.replayed += 1
    else:
        report.still_parked[problem[0]] = report.still_parked.get(problem[0], 0) + 1


def describe(row: ParkedItem) -> dict[str, Any]:
    """What on-call sees of a parked item without its content: the fields it has, and their types."""
    return {
        "key": row.key,
        "kind": row.kind,
        "item_id": row.item_id,
        "reason_code": row.reason_code,
        "reason": row.reason,
        "state": row.state,
        "asked": row.asked,
        "first_parked_at": row.first_parked_at.isoformat(timespec="seconds"),
        "last_parked_at": row.last_parked_at.isoformat(timespec="seconds"),
        "times_parked": row.times_parked,
        "replayed_at": row.replayed_at.isoformat(timespec="seconds") if row.replayed_at else None,
        "fields": _outline(row.item),
    }


def _outline(value: Any) -> Any:
    """The item's structure with every value replaced by its type (no personal data)."""
    if isinstance(value, dict):
        return {k: _outline(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_outline(v) for v in value[:3]]
    return type(value).__name__ if value is not None else "null"
