"""A page of polled prospect items turned into events; what cannot be read is kept with its reason.

Every item is read on its own (``workers.prospect_polling.items``), so an item that cannot be read never
stops the rest of its page. Stubs and notes that name no owner while several owners were asked are
attributed by asking again per owner (``workers.prospect_polling.owner_resolution``), and only
when a page has such an item. What still cannot be read comes back as :class:`Unread`, for the
poll to park (``workers.prospect_polling.parked_items``): counted, listed by ``rsc parked list``,
replayable once the reader is fixed. Nothing of an item's content is logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rsc.logs import get_logger
from rsc.metrics import NOTE_VISIBILITY_ASSUMED, OWNER_REREADS
from schemas.envelope import Event
from schemas.linkedin import InMailReceived, MailStubReceived, ProspectNoteChanged
from workers.prospect_polling.items import (
    Asked,
    Attribution,
    ItemKind,
    ItemProblem,
    OwnerUnknown,
    UnreadableItem,
    item_id,
    read_inmail,
    read_note,
    read_stub,
    visibility_assumed,
)
from workers.prospect_polling.owner_resolution import Reread, find_owners

log = get_logger(__name__)

#: CloudEvents source of every polled event.
POLL_SOURCE = "linkedin://rsc/poll"


@dataclass(frozen=True)
class Unread:
    """An item no reader could read, with why (the reason names a field, never a value)."""

    kind: ItemKind
    item: dict[str, Any]
    asked: Asked
    problem: ItemProblem
    reason: str


@dataclass
class PageOutcome:
    events: list[Event] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    #: Calls spent asking per owner.
    calls: int = 0


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def inmail_event(tenant: str, item: dict[str, Any], asked: Asked) -> InMailReceived:
    data = read_inmail(item, asked)
    return InMailReceived(
        type="linkedin.inmail.received.v1",
        id=f"inmail:{data.event_id}",
        source=POLL_SOURCE,
        tenant=tenant,
        time=_when(data.created_ms),
        data=data,
    )


def stub_event(
    tenant: str, item: dict[str, Any], asked: Asked, attribution: Attribution | None = None
) -> MailStubReceived:
    data = read_stub(item, asked, attribution)
    return MailStubReceived(
        type="linkedin.mail_stub.received.v1",
        id=f"stub:{data.stub_id}:{data.last_modified_ms}",
        source=POLL_SOURCE,
        tenant=tenant,
        time=_when(data.created_ms),
        data=data,
    )


def note_event(
    tenant: str, item: dict[str, Any], asked: Asked, attribution: Attribution | None = None
) -> ProspectNoteChanged:
    data = read_note(item, asked, attribution)
    assumed = visibility_assumed(data)
    if assumed is not None:
        NOTE_VISIBILITY_ASSUMED.labels(reason=assumed).inc()
    return ProspectNoteChanged(
        type="linkedin.prospect_note.changed.v1",
        id=f"note:{data.note_id}:{data.last_modified_ms}",
        source=POLL_SOURCE,
        tenant=tenant,
        time=_when(data.last_modified_ms),
        data=data,
    )


def build_event(
    tenant: str, item: dict[str, Any], asked: Asked, attribution: Attribution | None = None
) -> Event:
    """The event for one polled item; raises ``UnreadableItem`` (``OwnerUnknown``) when it cannot."""
    if asked.kind is ItemKind.CONVERSATION_EVENT:
        return inmail_event(tenant, item, asked)
    if asked.kind is ItemKind.MAIL_STUB:
        return stub_event(tenant, item, asked, attribution)
    if asked.kind is ItemKind.PROSPECT_NOTE:
        return note_event(tenant, item, asked, attribution)
    raise ValueError(f"{asked.kind.value} items are not turned into events")


def _try(
    outcome: PageOutcome,
    tenant: str,
    item: dict[str, Any],
    asked: Asked,
    attribution: Attribution | None = None,
) -> bool:
    """Read one item into ``outcome``; False when it names no owner among several asked."""
    try:
        outcome.events.append(build_event(tenant, item, asked, attribution))
    except OwnerUnknown:
        return False
    except UnreadableItem as exc:
        outcome.unread.append(Unread(asked.kind, item, asked, exc.problem, exc.message))
    except Exception as exc:  # a reader's bug must not stop the rest of the page
        outcome.unread.append(
            Unread(
                asked.kind,
                item,
                asked,
                ItemProblem.READER_ERROR,
                f"reading the {asked.kind.value} item failed ({type(exc).__name__}); it waits for "
                "the reader's fix and `rsc parked replay`",
            )
        )
    return True


def _owner_unknown(asked: Asked, *, asked_again: bool) -> str:
    why = (
        "no owner's own query returned it (it changed or went away in LinkedIn between the reads; "
        "a newer version is read by a later poll)"
        if asked_again
        else "it was not asked for again per owner"
    )
    return (
        f"the {asked.kind.value} item names no owner seat, the query asked for {len(asked.seats)}, and {why}"
    )


def read_page(
    tenant: str, items: Sequence[dict[str, Any]], asked: Asked, reread: Reread | None = None
) -> PageOutcome:
    """Every item of a page as an event or as :class:`Unread`; ``reread`` asks the same window for
    fewer owners (None: items that name no owner among several asked cannot be attributed)."""
    outcome = PageOutcome()
    unowned = [item for item in items if not _try(outcome, tenant, item, asked)]
    if not unowned:
        return outcome
    owners_of: dict[str, list[str]] = {}
    if reread is not None:
        wanted = [key for key in map(item_id, unowned) if key is not None]
        owners_of, outcome.calls = find_owners(reread, asked.seats, wanted)
        OWNER_REREADS.labels(kind=asked.kind.value).inc(outcome.calls)
        log.info(
            "owners asked for one by one", kind=asked.kind.value, count=len(unowned), calls=outcome.calls
        )
    for item in unowned:
        owners = owners_of.get(item_id(item) or "", [])
        attributed = bool(owners) and _try(outcome, tenant, item, asked, Attribution(tuple(owners)))
        if not attributed:
            outcome.unread.append(
                Unread(
                    asked.kind,
                    item,
                    asked,
                    ItemProblem.OWNER_UNKNOWN,
                    _owner_unknown(asked, asked_again=reread is not None),
                )
            )
    return outcome
