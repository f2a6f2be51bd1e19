"""What a poll asked LinkedIn for travels with a parked item as JSON and comes back the same; an item
naming no owner of several asked for is unreadable until each owner is asked."""

from __future__ import annotations

import json

from workers.prospect_polling.item_fields import ItemProblem
from workers.prospect_polling.queries import Asked, ItemKind, OwnerUnknown


def test_a_query_survives_its_json_round_trip() -> None:
    asked = Asked(ItemKind.MAIL_STUB, "urn:li:contract:10", ("urn:li:seat:1", "urn:li:seat:2"), 5, 9)
    assert Asked.from_json(json.loads(json.dumps(asked.as_json()))) == asked
    assert Asked.from_json({"kind": "seatsV2"}) == Asked(ItemKind.SEAT)


def test_only_a_query_of_one_seat_names_the_items_seat() -> None:
    assert Asked(ItemKind.PROSPECT_NOTE, seats=("urn:li:seat:1",)).only_seat() == "urn:li:seat:1"
    assert Asked(ItemKind.PROSPECT_NOTE, seats=("urn:li:seat:1", "urn:li:seat:2")).only_seat() is None
    assert Asked(ItemKind.PROSPECT_NOTE).only_seat() is None


def test_every_kind_has_a_label_and_an_unknown_owner_names_it() -> None:
    assert {kind.label for kind in ItemKind} == {"conversation event", "mail stub", "prospect note", "seat"}
    unknown = OwnerUnknown(ItemKind.MAIL_STUB, 3)
    assert unknown.problem is ItemProblem.OWNER_UNKNOWN
    assert str(unknown).startswith("the mail stub names no owner seat and the query asked for 3")
