"""The "undocumented shapes" mode: prospect items and seats served in other plausible shapes.

The reference does not document the fields of conversationEvents, mailStubs and prospectNotes items
(their response tables were not readable) and documents seatsV2 elements only in part. With the
setting ``undocumented_shapes`` on (``PUT /_sandbox/settings``, ``rsc sandbox --undocumented-shapes``)
each such item is served in one of several plausible shapes, picked by a stable hash of its id, so
one page mixes them. None carries what the query already names (``viewer``, ``owners``, ``owner``,
and sometimes ``contract``); fields take other names and nestings (audit stamps
``{"time", "actor"}``, ``createdAt``, ``emailAddresses`` and ``phoneNumbers`` lists, localized
names, the thread under another name, an id only as a URN, a seat only as a number); a note's
visibility is spelled as LinkedIn's product names it, in several casings, or left out. Which items
a query returns, in which order and on which page, does not change: only how each is written.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

#: How each visibility is spelled, by variant; None leaves the field out (the note says nothing).
VISIBILITY_SPELLINGS: dict[str, tuple[str | None, ...]] = {
    "ORGANIZATION": (
        "Anyone in my organization",
        "ANYONE_IN_ORGANIZATION",
        "anyone_in_organization",
        "ANYONE IN MY ORGANIZATION",
        None,
    ),
    "PRIVATE": ("Only me", "ONLY_ME", "only_me", "ONLY ME", None),
}


def _pick(kind: str, item_id: Any, count: int) -> int:
    return zlib.crc32(f"{kind}:{item_id}".encode()) % count


def _without(item: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in names}


def _localized(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    return {"localized": {"en_US": text}, "preferredLocale": {"country": "US", "language": "en"}}


def _conversation_event(item: dict[str, Any], variant: int) -> dict[str, Any]:
    if variant == 0:
        return _without(item, "viewer")
    if variant == 1:
        return {
            "id": item["id"],
            "threadUrn": item["thread"],
            "created": {"time": item["created"], "actor": item.get("author")},
            "member": item.get("member"),
            "subject": item.get("subject"),
            "body": item.get("body"),
        }
    return {
        "entityUrn": f"urn:li:conversationEvent:{item['id']}",
        "messagingThread": item["thread"],
        "createdAt": item["created"],
        "sender": item.get("author"),
        "prospect": item.get("member"),
        "content": {"subject": item.get("subject"), "body": item.get("body")},
    }


def _mail_stub(item: dict[str, Any], variant: int) -> dict[str, Any]:
    email, phone = item.get("emailAddress"), item.get("phoneNumber")
    if variant == 0:
        return _without(item, "owners", "contract")
    if variant == 1:
        shaped = _without(item, "owners", "emailAddress", "phoneNumber", "created", "lastModified")
        return {
            **shaped,
            "emailAddresses": [email] if email else [],
            "phoneNumbers": [{"number": phone}] if phone else [],
            "createdAt": item["created"],
            "lastModifiedAt": item["lastModified"],
        }
    return {
        "id": item["id"],
        "memberUrn": item.get("member"),
        "firstName": _localized(item.get("firstName")),
        "lastName": _localized(item.get("lastName")),
        "emailAddress": email,
        "phoneNumbers": [phone] if phone else [],
        "currentPosition": {
            "companyName": item.get("currentCompanyName"),
            "title": item.get("currentJobTitle"),
        },
        "created": {"time": item["created"]},
        "lastModified": {"time": item["lastModified"]},
    }


def note_visibility(item: dict[str, Any]) -> str | None:
    """How the mode spells this note's visibility (None: it leaves the field out)."""
    visibility = item.get("visibility")
    if visibility is None:
        return None
    spellings = VISIBILITY_SPELLINGS[visibility]
    return spellings[_pick("visibility", item["id"], len(spellings))]


def _prospect_note(item: dict[str, Any], variant: int) -> dict[str, Any]:
    spelled = note_visibility(item)
    visibility = {} if spelled is None else {"visibility": spelled}
    base = _without(item, "owner", "visibility")
    if variant == 0:
        return {**base, **visibility}
    if variant == 1:
        return {
            **_without(base, "note", "created", "lastModified"),
            "text": item.get("note"),
            "created": {"time": item["created"], "actor": item["owner"]},
            "lastModified": {"time": item["lastModified"], "actor": item["owner"]},
            **visibility,
        }
    if variant == 2:
        return {
            "id": item["id"],
            "prospect": item.get("member"),
            "content": {"text": item.get("note")},
            "active": item["active"],
            "createdAt": item["created"],
            "lastModifiedAt": item["lastModified"],
            **({} if spelled is None else {"noteVisibility": spelled}),
        }
    seat_id = int(str(item["owner"]).rsplit(":", 1)[-1])
    return {
        **_without(base, "id"),
        "entityUrn": f"urn:li:prospectNote:{item['id']}",
        "owner": seat_id,
        **visibility,
    }


def _seat(item: dict[str, Any], variant: int) -> dict[str, Any]:
    if variant == 0:
        return _without(item, "seat", "contract")
    email = item.get("emailAddress")
    if variant == 1:
        return {
            **_without(item, "seat", "emailAddress", "state"),
            "id": f"urn:li:seat:{item['id']}",
            "emailAddresses": [email] if email else [],
            "state": str(item.get("state", "")).lower(),
        }
    return {
        **_without(item, "seat", "member"),
        "memberUrn": item.get("member"),
        "state": "Active" if item.get("state") == "ACTIVE" else item.get("state"),
    }


Shaper = Callable[[dict[str, Any], int], dict[str, Any]]

#: Finder -> (variants, the function that writes an item in one of them).
SHAPES: dict[str, tuple[int, Shaper]] = {
    "conversationEvents": (3, _conversation_event),
    "mailStubs": (3, _mail_stub),
    "prospectNotes": (4, _prospect_note),
    "seatsV2": (3, _seat),
}


def variant_of(kind: str, item_id: Any) -> int:
    """Which of ``kind``'s shapes the mode serves the item with this id in."""
    return _pick(kind, item_id, SHAPES[kind][0])


def shape(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    """The item as the mode serves it."""
    count, shaper = SHAPES[kind]
    return shaper(item, _pick(kind, item["id"], count))


def documented(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    """The item in the sandbox's own shape; a note that carries no visibility leaves the field out."""
    if kind == "prospectNotes" and item.get("visibility") is None:
        return _without(item, "visibility")
    return item


def serve(kind: str, items: list[dict[str, Any]], undocumented: bool) -> list[dict[str, Any]]:
    return [shape(kind, i) if undocumented else documented(kind, i) for i in items]
