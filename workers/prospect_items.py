"""Polled prospect items read in any plausible shape: conversation events, mail stubs, prospect notes
and seats.

LinkedIn documents these items' fields only in part (reference §3.8; the response tables were not
readable). So each field is read from every name and nesting LinkedIn plausibly uses (a time as
epoch ms or as an audit stamp ``{"time", "actor"}``, one ``emailAddress`` or an ``emailAddresses``
list, a seat as a URN or only its number, a name as text or as a localized object...), and what an
item does not say is taken from the query that returned it (:class:`Asked`): the viewer seat of
``conversationEvents``, the contract and owner seats of ``mailStubs`` and ``prospectNotes``, the
contract of ``seatsV2``.

A note's visibility is read from any spelling LinkedIn's product uses, in any case; a note with none,
or with one not known here, is "Only me". A stub or note that names no owner when several owners
were asked raises :class:`OwnerUnknown` (the poll asks again, per owner; a note's author is never
guessed). Anything else that cannot be read raises :class:`UnreadableItem` naming the field, never
its value; the poll keeps such an item (``workers.parked_items``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import EmailStr as _EmailStr
from pydantic import TypeAdapter, ValidationError

from schemas.linkedin import InMailMessage, MailStub, NoteVisibility, ProspectNote


class ItemKind(StrEnum):
    """The finder an item came from (named as LinkedIn names the resource)."""

    CONVERSATION_EVENT = "conversationEvents"
    MAIL_STUB = "mailStubs"
    PROSPECT_NOTE = "prospectNotes"
    SEAT = "seatsV2"


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


class OwnerUnknown(UnreadableItem):
    """A stub or note names no owner seat and the query asked for several."""

    def __init__(self, kind: ItemKind, owners: int) -> None:
        super().__init__(
            ItemProblem.OWNER_UNKNOWN,
            f"the {_LABEL[kind]} names no owner seat and the query asked for {owners}; it is "
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


_LABEL = {
    ItemKind.CONVERSATION_EVENT: "conversation event",
    ItemKind.MAIL_STUB: "mail stub",
    ItemKind.PROSPECT_NOTE: "prospect note",
    ItemKind.SEAT: "seat",
}

SEAT_URN = re.compile(r"urn:li:seat:(\d+)")
CONTRACT_URN = re.compile(r"urn:li:contract:(\d+)")
PERSON_URN = re.compile(r"urn:li:person:[A-Za-z0-9_-]+")
_URN = re.compile(r"urn:li:[A-Za-z]+:(.+)")
#: Longest id, thread or author the events carry.
MAX_ID = 200
_EMAIL: TypeAdapter[str] = TypeAdapter(_EmailStr)

# Field names, most likely first. Dotted names reach into nested objects; a number indexes a list.
ID_FIELDS = ("id", "entityUrn", "urn")
CREATED_FIELDS = ("created", "createdAt", "createdTime", "creationTime")
MODIFIED_FIELDS = ("lastModified", "lastModifiedAt", "lastModifiedTime", "lastUpdated", "updatedAt")
MEMBER_FIELDS = ("member", "memberUrn", "person", "personUrn", "prospect", "candidate")
CONTRACT_FIELDS = ("contract", "contractUrn")
THREAD_FIELDS = ("thread", "threadUrn", "messagingThread", "conversation", "conversationUrn")
VIEWER_FIELDS = ("viewer", "viewerSeat")
AUTHOR_FIELDS = ("author", "sender", "from", "created.actor")
SUBJECT_FIELDS = ("subject", "content.subject", "mailContent.subject")
BODY_FIELDS = ("body", "content.body", "content.text", "mailContent.body", "text")
NOTE_TEXT_FIELDS = ("note", "text", "content.text", "content", "body")
NOTE_OWNER_FIELDS = ("owner", "owners", "ownerSeat", "author", "createdBy", "created.actor")
STUB_OWNER_FIELDS = ("owners", "owner", "ownerSeats", "seats")
VISIBILITY_FIELDS = ("visibility", "visibilityType", "noteVisibility")
FIRST_NAME_FIELDS = ("firstName", "name.firstName", "profile.firstName")
LAST_NAME_FIELDS = ("lastName", "name.lastName", "profile.lastName")
EMAIL_FIELDS = ("emailAddress", "emailAddresses", "email", "emails")
PHONE_FIELDS = ("phoneNumber", "phoneNumbers", "phone", "phones")
COMPANY_FIELDS = (
    "currentCompanyName",
    "companyName",
    "currentCompany",
    "currentPosition.companyName",
    "currentPositions.0.companyName",
)
TITLE_FIELDS = ("currentJobTitle", "jobTitle", "currentPosition.title", "currentPositions.0.title")
SEAT_FIELDS = ("seat", "seatUrn", "entityUrn", "urn", "id")
STATE_FIELDS = ("state", "status", "seatState")

#: LinkedIn's spellings of "Anyone in my organization" and "Only me" (its product's names, their
#: enum-style forms, and the pipeline's own), compared after upper-casing and joining words with _.
ORGANIZATION_SPELLINGS = frozenset({"ANYONE_IN_MY_ORGANIZATION", "ANYONE_IN_ORGANIZATION", "ORGANIZATION"})
ONLY_ME_SPELLINGS = frozenset({"ONLY_ME", "PRIVATE"})


def read_inmail(item: Mapping[str, Any], asked: Asked) -> InMailMessage:
    """A conversation event of the viewer seat ``asked`` named (the item need not repeat it)."""
    kind = ItemKind.CONVERSATION_EVENT
    viewer = asked.only_seat()
    if viewer is None:
        raise ValueError("a conversationEvents query names exactly one viewer seat")
    named_viewer = _seat_of(item, VIEWER_FIELDS, kind)
    if named_viewer is not None and named_viewer != viewer:
        raise UnreadableItem(
            ItemProblem.FOREIGN_VIEWER,
            "the conversation event names another viewer seat than the one the query asked for",
        )
    created = _time(item, CREATED_FIELDS, kind, "created")
    if created is None:
        raise UnreadableItem(
            ItemProblem.NO_TIME, f"the conversation event has no creation time ({_names(CREATED_FIELDS)})"
        )
    thread = _reference(item, THREAD_FIELDS, kind, "thread")
    if thread is None:
        raise UnreadableItem(
            ItemProblem.NO_THREAD, f"the conversation event names no thread ({_names(THREAD_FIELDS)})"
        )
    author = _author(item)
    member = _person_of(item, MEMBER_FIELDS, kind)
    if member is None and author is not None and PERSON_URN.fullmatch(author):
        member = author  # the member wrote it: the conversation is with them
    return InMailMessage(
        event_id=_id(item, kind),
        thread=thread,
        viewer=viewer,
        author=author,
        member=member,
        created_ms=created,
        subject=_text(item, SUBJECT_FIELDS, kind, "subject"),
        body=_text(item, BODY_FIELDS, kind, "body"),
    )


def read_stub(item: Mapping[str, Any], asked: Asked, attribution: Attribution | None = None) -> MailStub:
    """A mail stub of the contract and owner seats ``asked`` named, unless it names its own."""
    kind = ItemKind.MAIL_STUB
    stub_id = _id(item, kind)
    contract = _contract(item, asked, kind)
    owners = _seats_of(item, STUB_OWNER_FIELDS, kind)
    if not owners:
        owners = list(attribution.owners) if attribution else []
    if not owners:
        only = asked.only_seat()
        if only is None:
            raise OwnerUnknown(kind, len(asked.seats))
        owners = [only]
    member = _person_of(item, MEMBER_FIELDS, kind)
    if member is None:
        raise UnreadableItem(
            ItemProblem.NO_MEMBER,
            f"the mail stub names no LinkedIn member ({_names(MEMBER_FIELDS)}); its contact details "
            "cannot be given to a candidate",
        )
    created = _time(item, CREATED_FIELDS, kind, "created")
    if created is None:
        raise UnreadableItem(
            ItemProblem.NO_TIME, f"the mail stub has no creation time ({_names(CREATED_FIELDS)})"
        )
    modified = _time(item, MODIFIED_FIELDS, kind, "lastModified")
    emails = _emails(item, kind)
    phones = _phones(item, kind)
    return MailStub(
        stub_id=stub_id,
        contract=contract,
        owners=owners,
        member=member,
        first_name=_text(item, FIRST_NAME_FIELDS, kind, "firstName"),
        last_name=_text(item, LAST_NAME_FIELDS, kind, "lastName"),
        email=emails[0] if emails else None,
        phone=phones[0] if phones else None,
        other_emails=emails[1:],
        other_phones=phones[1:],
        company=_text(item, COMPANY_FIELDS, kind, "currentCompanyName"),
        title=_text(item, TITLE_FIELDS, kind, "currentJobTitle"),
        created_ms=created,
        last_modified_ms=modified if modified is not None else created,
    )


def read_note(item: Mapping[str, Any], asked: Asked, attribution: Attribution | None = None) -> ProspectNote:
    """A prospect note of the contract ``asked`` named, by the owner seat it names, or the one the
    query asked for, or the one asking per owner found; never a guessed one."""
    kind = ItemKind.PROSPECT_NOTE
    note_id = _id(item, kind)
    contract = _contract(item, asked, kind)
    named = _seats_of(item, NOTE_OWNER_FIELDS, kind)
    if not named and attribution is not None:
        named = list(attribution.owners)
    if len(named) > 1:
        raise UnreadableItem(
            ItemProblem.AMBIGUOUS_OWNER,
            f"the prospect note belongs to {len(named)} owner seats; a note has one author, and it "
            "is not guessed",
        )
    if named:
        owner = named[0]
    else:
        only = asked.only_seat()
        if only is None:
            raise OwnerUnknown(kind, len(asked.seats))
        owner = only
    created = _time(item, CREATED_FIELDS, kind, "created")
    modified = _time(item, MODIFIED_FIELDS, kind, "lastModified")
    created = created if created is not None else modified
    modified = modified if modified is not None else created
    if created is None or modified is None:
        raise UnreadableItem(
            ItemProblem.NO_TIME,
            f"the prospect note has neither a creation nor a modification time ({_names(MODIFIED_FIELDS)})",
        )
    visibility, sent = read_visibility(_first(item, VISIBILITY_FIELDS))
    return ProspectNote(
        note_id=note_id,
        contract=contract,
        owner=owner,
        member=_person_of(item, MEMBER_FIELDS, kind),
        text=_text(item, NOTE_TEXT_FIELDS, kind, "note"),
        visibility=visibility,
        visibility_sent=sent,
        active=_active(item),
        created_ms=created,
        last_modified_ms=modified,
    )


def read_seat(item: Mapping[str, Any], asked: Asked) -> SeatReading:
    """A seatsV2 element of the contract ``asked`` named, unless it names its own."""
    kind = ItemKind.SEAT
    urn = _seat_of(item, SEAT_FIELDS, kind)
    if urn is None:
        raise UnreadableItem(
            ItemProblem.NO_SEAT, f"the seat element has no seat id or URN ({_names(SEAT_FIELDS)})"
        )
    emails = _emails(item, kind)
    state = _first(item, STATE_FIELDS)
    if state is not None and not isinstance(state, str):
        raise UnreadableItem(ItemProblem.INVALID_FIELD, "the seat's state is not text")
    return SeatReading(
        urn=urn,
        contract=_contract(item, asked, kind),
        member=_person_of(item, MEMBER_FIELDS, kind),
        first_name=_text(item, FIRST_NAME_FIELDS, kind, "firstName"),
        last_name=_text(item, LAST_NAME_FIELDS, kind, "lastName"),
        email=emails[0] if emails else None,
        state=_word(state)[:16] if state else "UNKNOWN",
    )


def read_visibility(value: Any) -> tuple[NoteVisibility, str | None]:
    """(visibility, the spelling LinkedIn sent). Absent or unknown is Only me: the safe way."""
    if isinstance(value, Mapping):
        value = _first(value, ("type", "value", "name", "visibility"))
    if value is None or (isinstance(value, str) and not value.strip()):
        return NoteVisibility.PRIVATE, None
    spelling = str(value).strip()[:64]
    if _word(spelling) in ORGANIZATION_SPELLINGS:
        return NoteVisibility.ORGANIZATION, spelling
    return NoteVisibility.PRIVATE, spelling


def visibility_assumed(note: ProspectNote) -> str | None:
    """Why the note reads as Only me without LinkedIn saying so: ``absent``, ``unknown``, or None."""
    if note.visibility_sent is None:
        return "absent"
    known = ORGANIZATION_SPELLINGS | ONLY_ME_SPELLINGS
    return None if _word(note.visibility_sent) in known else "unknown"


def item_id(item: Mapping[str, Any]) -> str | None:
    """The item's LinkedIn id, whichever way it is written; None when it has none."""
    value = _first(item, ID_FIELDS)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        match = _URN.fullmatch(value.strip())
        text = match.group(1) if match else value.strip()
        return text if len(text) <= MAX_ID else None
    return None


def member_of(item: Mapping[str, Any]) -> str | None:
    """The member an item is about, if it says (erasing the member erases a parked item too)."""
    try:
        return _person_of(item, MEMBER_FIELDS, ItemKind.MAIL_STUB)
    except UnreadableItem:
        return None


# field readers


def _path(item: Any, path: str) -> Any:
    value = item
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        else:
            return None
    return value


def _present(value: Any) -> bool:
    """Whether a value says something: not None, not empty, not an object of nothing but those."""
    if isinstance(value, Mapping):
        return any(_present(v) for v in value.values())
    return value is not None and value not in ("", [])


def _first(item: Mapping[str, Any], names: Sequence[str]) -> Any:
    for name in names:
        value = _path(item, name)
        if _present(value):
            return value
    return None


def _names(names: Sequence[str]) -> str:
    return "looked for " + ", ".join(names)


def _word(value: str) -> str:
    """``"Anyone in my organization"`` -> ``ANYONE_IN_MY_ORGANIZATION``."""
    return re.sub(r"[^A-Z0-9]+", "_", value.upper()).strip("_")


def _invalid(kind: ItemKind, what: str, why: str) -> UnreadableItem:
    return UnreadableItem(ItemProblem.INVALID_FIELD, f"the {_LABEL[kind]}'s {what} {why}")


def _id(item: Mapping[str, Any], kind: ItemKind) -> str:
    found = item_id(item)
    if found is None:
        raise UnreadableItem(
            ItemProblem.NO_ID,
            f"the {_LABEL[kind]} has no usable id ({_names(ID_FIELDS)}); it cannot be stored once "
            "without one",
        )
    return found


def _time(item: Mapping[str, Any], names: Sequence[str], kind: ItemKind, what: str) -> int | None:
    value = _first(item, names)
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("time")
    if isinstance(value, bool):
        raise _invalid(kind, what, "time is not epoch milliseconds")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        raise _invalid(kind, what, "time is not epoch milliseconds")
    return value


def _seat(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = _first(value, ("seat", "urn", "entityUrn", "id"))
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return f"urn:li:seat:{value}"
    if isinstance(value, str):
        text = value.strip()
        if SEAT_URN.fullmatch(text):
            return text
        if text.isdigit():
            return f"urn:li:seat:{int(text)}"
    return None


def _seat_of(item: Mapping[str, Any], names: Sequence[str], kind: ItemKind) -> str | None:
    seats = _seats_of(item, names, kind)
    return seats[0] if seats else None


def _seats_of(item: Mapping[str, Any], names: Sequence[str], kind: ItemKind) -> list[str]:
    """Every distinct seat the first of ``names`` that holds a seat names (a person URN in an author
    field is not a seat and is passed over)."""
    for name in names:
        value = _path(item, name)
        if not _present(value):
            continue
        values = value if isinstance(value, list) else [value]
        seats = [s for s in (_seat(v) for v in values) if s is not None]
        if seats:
            return list(dict.fromkeys(seats))
    return []


def _person(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = _first(value, ("urn", "member", "person", "entityUrn"))
    if isinstance(value, str) and PERSON_URN.fullmatch(value.strip()):
        return value.strip()
    return None


def _person_of(item: Mapping[str, Any], names: Sequence[str], kind: ItemKind) -> str | None:
    value = _first(item, names)
    if value is None:
        return None
    person = _person(value)
    if person is None:
        raise _invalid(kind, "member", "is not a person URN (urn:li:person:...)")
    return person


def _contract(item: Mapping[str, Any], asked: Asked, kind: ItemKind) -> str:
    value = _first(item, CONTRACT_FIELDS)
    if isinstance(value, Mapping):
        value = _first(value, ("urn", "contract", "id"))
    named: str | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        named = f"urn:li:contract:{value}"
    elif isinstance(value, str) and CONTRACT_URN.fullmatch(value.strip()):
        named = value.strip()
    elif isinstance(value, str) and value.strip().isdigit():
        named = f"urn:li:contract:{int(value)}"
    elif value is not None:
        raise _invalid(kind, "contract", "is not a contract URN")
    if named is not None and asked.contract is not None and named != asked.contract:
        raise UnreadableItem(
            ItemProblem.FOREIGN_CONTRACT,
            f"the {_LABEL[kind]} names another contract than the one the query asked for",
        )
    contract = named or asked.contract
    if contract is None:
        raise ValueError(f"a {kind.value} query names its contract")
    return contract


def _reference(item: Mapping[str, Any], names: Sequence[str], kind: ItemKind, what: str) -> str | None:
    value = _first(item, names)
    if isinstance(value, Mapping):
        value = _first(value, ("urn", "entityUrn", "id"))
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value.strip()) > MAX_ID:
        raise _invalid(kind, what, "is not an id or URN")
    return value.strip()


def _author(item: Mapping[str, Any]) -> str | None:
    value = _first(item, AUTHOR_FIELDS)
    seat = _seat(value)
    if seat is not None:
        return seat
    person = _person(value)
    if person is not None:
        return person
    if isinstance(value, str) and 0 < len(value.strip()) <= MAX_ID:
        return value.strip()
    return None


def _localized(value: Mapping[str, Any]) -> str | None:
    """LinkedIn's localized text: ``{"localized": {"en_US": "Ada"}, "preferredLocale": {...}}``."""
    localized = value.get("localized")
    if not isinstance(localized, Mapping):
        return None
    preferred = value.get("preferredLocale")
    if isinstance(preferred, Mapping):
        key = f"{preferred.get('language', '')}_{preferred.get('country', '')}"
        if isinstance(localized.get(key), str):
            return str(localized[key])
    texts = [v for v in localized.values() if isinstance(v, str)]
    return texts[0] if texts else None


def _text(item: Mapping[str, Any], names: Sequence[str], kind: ItemKind, what: str) -> str | None:
    value = _first(item, names)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        text = _localized(value)
        if text is None and isinstance(value.get("text"), str):
            text = value["text"]
        if text is not None:
            return text
    raise _invalid(kind, what, "is neither text nor localized text")


def _values(item: Mapping[str, Any], names: Sequence[str], keys: Sequence[str]) -> list[Any]:
    """Every value under any of ``names``, a single one or a list, objects opened at ``keys``."""
    found: list[Any] = []
    for name in names:
        value = _path(item, name)
        if not _present(value):
            continue
        for entry in value if isinstance(value, list) else [value]:
            opened = _first(entry, keys) if isinstance(entry, Mapping) else entry
            if _present(opened):
                found.append(opened)
    return found


def _emails(item: Mapping[str, Any], kind: ItemKind) -> list[str]:
    emails: list[str] = []
    for value in _values(item, EMAIL_FIELDS, ("emailAddress", "address", "email", "value")):
        if not isinstance(value, str):
            raise _invalid(kind, "emailAddress", "is not text")
        try:
            address = _EMAIL.validate_python(value.strip())
        except ValidationError:
            raise _invalid(kind, "emailAddress", "is not an e-mail address") from None
        if address.lower() not in {e.lower() for e in emails}:
            emails.append(address)
    return emails


def _phones(item: Mapping[str, Any], kind: ItemKind) -> list[str]:
    phones: list[str] = []
    for name in PHONE_FIELDS:
        value = _path(item, name)
        if not _present(value):
            continue
        for entry in value if isinstance(value, list) else [value]:
            number = _phone(entry)
            if number is None:
                raise _invalid(kind, "phoneNumber", "is neither text nor {number, extension}")
            if number not in phones:
                phones.append(number)
    return phones


def _phone(entry: Any) -> str | None:
    if isinstance(entry, str) and entry.strip():
        return entry.strip()
    if isinstance(entry, Mapping):
        number = _first(entry, ("number", "phoneNumber", "value"))
        if not isinstance(number, str) or not number.strip():
            return None
        extension = entry.get("extension")
        return f"{number.strip()} ext. {extension}" if extension else number.strip()
    return None


def _active(item: Mapping[str, Any]) -> bool:
    """``active: false`` (or ``deleted: true``, or a DELETED state) means the note was deleted."""
    value = item.get("active")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if value is not None:
        raise _invalid(ItemKind.PROSPECT_NOTE, "active flag", "is not true or false")
    deleted = item.get("deleted")
    if isinstance(deleted, bool):
        return not deleted
    state = item.get("state")
    return not (isinstance(state, str) and _word(state) in ("DELETED", "REMOVED", "ARCHIVED"))
