"""What a poll asked LinkedIn for (the finder, contract, seats and window), which the items it returned
are read against, and what reading a seat or attributing an item yields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workers.prospect_polling.item_fields import (
    ItemProblem,
    UnreadableItem,
)


class ItemKind(StrEnum):
    """The finder an item came from (named as LinkedIn names the resource)."""

    CONVERSATION_EVENT = "conversationEvents"
    MAIL_STUB = "mailStubs"
    PROSPECT_NOTE = "prospectNotes"
    SEAT = "seatsV2"

    @property
    def label(self) -> str:
        """How a message names one item of this kind."""
        return _LABELS[self]


class OwnerUnknown(UnreadableItem):
    """A stub or note names no owner seat and the query asked for several."""

    def __init__(self, kind: ItemKind, owners: int) -> None:
        super().__init__(
            ItemProblem.OWNER_UNKNOWN,
            f"the {kind.label} names no owner seat and the query asked for {owners}; it is "
            "attributed by asking for each owner",
        )


@dataclass(frozen=True)
class Asked:
    """What the query that returned an item asked for; an item is keyed by it where it says nothing."""

    kind: ItemKind
    contract: str | None = None
    #: The viewer seat (conversationEvents) or the owner seats (mailStubs, prospectNotes).
    seats: tuple[str, ...] = ()
    #: The query's window, as sent (epoch ms); needed to ask again per owner.
    start_ms: int | None = None
    end_ms: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "contract": self.contract,
            "seats": list(self.seats),
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Asked:
        return cls(
            kind=ItemKind(data["kind"]),
            contract=data.get("contract"),
            seats=tuple(data.get("seats") or ()),
            start_ms=data.get("start_ms"),
            end_ms=data.get("end_ms"),
        )

    def only_seat(self) -> str | None:
        return self.seats[0] if len(self.seats) == 1 else None


@dataclass(frozen=True)
class SeatReading:
    """A seatsV2 element as the seat refresh stores it."""

    urn: str
    contract: str
    member: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    #: Upper-cased; UNKNOWN when the element says nothing (such a seat is not polled).
    state: str


@dataclass(frozen=True)
class Attribution:
    """Owner seats the poll found for an item that names none (by asking per owner)."""

    owners: tuple[str, ...] = ()


_LABELS = {
    ItemKind.CONVERSATION_EVENT: "conversation event",
    ItemKind.MAIL_STUB: "mail stub",
    ItemKind.PROSPECT_NOTE: "prospect note",
    ItemKind.SEAT: "seat",
}
