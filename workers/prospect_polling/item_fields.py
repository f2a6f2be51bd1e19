"""Reading one field of a LinkedIn item whatever its name, nesting or form.

The readers of polled items (``workers.prospect_polling.items``) name, for each field, the names LinkedIn
plausibly uses; the functions here find the first that says something (dotted names reach into
nested objects, a number indexes a list) and read its value in any plausible form: a time as epoch
ms, a numeric string or an audit stamp ``{"time", "actor"}``; a seat as a URN or only its number;
text as a string or LinkedIn's localized object; contact details as one value or a list. A value
that is there but cannot be read raises :class:`UnreadableItem` naming the field and why (``label``
names the kind of item), never the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from pydantic import EmailStr as _EmailStr
from pydantic import TypeAdapter, ValidationError


class ItemProblem(StrEnum):
    """Why an item could not be read; the reason code of a parked item."""

    NO_ID = "no_id"
    NO_TIME = "no_time"
    NO_THREAD = "no_thread"
    NO_MEMBER = "no_member"
    NO_SEAT = "no_seat"
    FOREIGN_CONTRACT = "foreign_contract"
    FOREIGN_VIEWER = "foreign_viewer"
    OWNER_UNKNOWN = "owner_unknown"
    AMBIGUOUS_OWNER = "ambiguous_owner"
    INVALID_FIELD = "invalid_field"
    #: The reader itself failed (a bug); the item waits for the fix.
    READER_ERROR = "reader_error"


class UnreadableItem(ValueError):
    """The item cannot be turned into what the pipeline stores. The message names the field and why,
    never the item's content."""

    def __init__(self, problem: ItemProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message


SEAT_URN = re.compile(r"urn:li:seat:(\d+)")
CONTRACT_URN = re.compile(r"urn:li:contract:(\d+)")
PERSON_URN = re.compile(r"urn:li:person:[A-Za-z0-9_-]+")
#: Any LinkedIn URN; the part after its type is the id it carries.
ANY_URN = re.compile(r"urn:li:[A-Za-z]+:(.+)")
#: Longest id, thread or author the events carry.
MAX_ID = 200
_EMAIL: TypeAdapter[str] = TypeAdapter(_EmailStr)


def path(item: Any, dotted: str) -> Any:
    value = item
    for part in dotted.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        else:
            return None
    return value


def present(value: Any) -> bool:
    """Whether a value says something: not None, not empty, not an object of nothing but those."""
    if isinstance(value, Mapping):
        return any(present(v) for v in value.values())
    return value is not None and value not in ("", [])


def first(item: Mapping[str, Any], names: Sequence[str]) -> Any:
    """The value of the first of ``names`` that says something."""
    for name in names:
        value = path(item, name)
        if present(value):
            return value
    return None


def looked_for(names: Sequence[str]) -> str:
    return "looked for " + ", ".join(names)


def word(value: str) -> str:
    """``"Anyone in my organization"`` -> ``ANYONE_IN_MY_ORGANIZATION``."""
    return re.sub(r"[^A-Z0-9]+", "_", value.upper()).strip("_")


def invalid(label: str, what: str, why: str) -> UnreadableItem:
    return UnreadableItem(ItemProblem.INVALID_FIELD, f"the {label}'s {what} {why}")


def epoch_ms(item: Mapping[str, Any], names: Sequence[str], label: str, what: str) -> int | None:
    """A time as epoch ms, a numeric string or an audit stamp ``{"time": ms}``; None when absent."""
    value = first(item, names)
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("time")
    if isinstance(value, bool):
        raise invalid(label, what, "time is not epoch milliseconds")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        raise invalid(label, what, "time is not epoch milliseconds")
    return value


def seat_urn(value: Any) -> str | None:
    """A seat given as its URN, its number (or a numeric string), or an object holding one."""
    if isinstance(value, Mapping):
        value = first(value, ("seat", "urn", "entityUrn", "id"))
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return f"urn:li:seat:{value}"
    if isinstance(value, str):
        stripped = value.strip()
        if SEAT_URN.fullmatch(stripped):
            return stripped
        if stripped.isdigit():
            return f"urn:li:seat:{int(stripped)}"
    return None


def seats_in(item: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    """Every distinct seat the first of ``names`` that holds a seat names (a person URN in an author
    field is not a seat and is passed over)."""
    for name in names:
        value = path(item, name)
        if not present(value):
            continue
        entries = value if isinstance(value, list) else [value]
        seats = [s for s in (seat_urn(v) for v in entries) if s is not None]
        if seats:
            return list(dict.fromkeys(seats))
    return []


def person_urn(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = first(value, ("urn", "member", "person", "entityUrn"))
    if isinstance(value, str) and PERSON_URN.fullmatch(value.strip()):
        return value.strip()
    return None


def person_in(item: Mapping[str, Any], names: Sequence[str], label: str) -> str | None:
    """The member (a person URN) under ``names``; None when absent, unreadable if not a person URN."""
    value = first(item, names)
    if value is None:
        return None
    found = person_urn(value)
    if found is None:
        raise invalid(label, "member", "is not a person URN (urn:li:person:...)")
    return found


def contract_urn(value: Any, label: str) -> str | None:
    """A contract given as its URN, its number, or an object holding one; None when absent."""
    if isinstance(value, Mapping):
        value = first(value, ("urn", "contract", "id"))
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return f"urn:li:contract:{value}"
    if isinstance(value, str) and CONTRACT_URN.fullmatch(value.strip()):
        return value.strip()
    if isinstance(value, str) and value.strip().isdigit():
        return f"urn:li:contract:{int(value)}"
    raise invalid(label, "contract", "is not a contract URN")


def reference(item: Mapping[str, Any], names: Sequence[str], label: str, what: str) -> str | None:
    """An id or URN (a thread, say), or an object holding one; None when absent."""
    value = first(item, names)
    if isinstance(value, Mapping):
        value = first(value, ("urn", "entityUrn", "id"))
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value.strip()) > MAX_ID:
        raise invalid(label, what, "is not an id or URN")
    return value.strip()


def localized(value: Mapping[str, Any]) -> str | None:
    """LinkedIn's localized text: ``{"localized": {"en_US": "Ada"}, "preferredLocale": {...}}``."""
    texts = value.get("localized")
    if not isinstance(texts, Mapping):
        return None
    preferred = value.get("preferredLocale")
    if isinstance(preferred, Mapping):
        key = f"{preferred.get('language', '')}_{preferred.get('country', '')}"
        if isinstance(texts.get(key), str):
            return str(texts[key])
    found = [v for v in texts.values() if isinstance(v, str)]
    return found[0] if found else None


def text_in(item: Mapping[str, Any], names: Sequence[str], label: str, what: str) -> str | None:
    """Text, localized text or ``{"text": ...}``; None when absent."""
    value = first(item, names)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        found = localized(value)
        if found is None and isinstance(value.get("text"), str):
            found = value["text"]
        if found is not None:
            return found
    raise invalid(label, what, "is neither text nor localized text")


def _entries(item: Mapping[str, Any], names: Sequence[str], keys: Sequence[str]) -> list[Any]:
    """Every value under any of ``names``, a single one or a list, objects opened at ``keys``."""
    found: list[Any] = []
    for name in names:
        value = path(item, name)
        if not present(value):
            continue
        for entry in value if isinstance(value, list) else [value]:
            opened = first(entry, keys) if isinstance(entry, Mapping) else entry
            if present(opened):
                found.append(opened)
    return found


def emails_in(item: Mapping[str, Any], names: Sequence[str], label: str) -> list[str]:
    """Every distinct e-mail address under any of ``names`` (one string, a list, objects)."""
    emails: list[str] = []
    for value in _entries(item, names, ("emailAddress", "address", "email", "value")):
        if not isinstance(value, str):
            raise invalid(label, "emailAddress", "is not text")
        try:
            address = _EMAIL.validate_python(value.strip())
        except ValidationError:
            raise invalid(label, "emailAddress", "is not an e-mail address") from None
        if address.lower() not in {e.lower() for e in emails}:
            emails.append(address)
    return emails


def phones_in(item: Mapping[str, Any], names: Sequence[str], label: str) -> list[str]:
    """Every distinct phone number under any of ``names`` (text, or ``{number, extension}``)."""
    phones: list[str] = []
    for name in names:
        value = path(item, name)
        if not present(value):
            continue
        for entry in value if isinstance(value, list) else [value]:
            number = _phone(entry)
            if number is None:
                raise invalid(label, "phoneNumber", "is neither text nor {number, extension}")
            if number not in phones:
                phones.append(number)
    return phones


def _phone(entry: Any) -> str | None:
    if isinstance(entry, str) and entry.strip():
        return entry.strip()
    if isinstance(entry, Mapping):
        number = first(entry, ("number", "phoneNumber", "value"))
        if not isinstance(number, str) or not number.strip():
            return None
        extension = entry.get("extension")
        return f"{number.strip()} ext. {extension}" if extension else number.strip()
    return None
