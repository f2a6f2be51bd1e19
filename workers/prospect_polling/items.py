"""Polled prospect items read in any plausible shape: conversation events, mail stubs, prospect notes
and seats.

LinkedIn documents these items' fields only in part (reference §3.8; the response tables were not
readable). So each field is read from every name and nesting LinkedIn plausibly uses, listed here
per field, in any plausible form (``workers.prospect_polling.item_fields``: a time as epoch ms or
as an audit stamp, one ``emailAddress`` or an ``emailAddresses`` list, a seat as a URN or only
its number, a name as text or localized...), and what an item does not say is taken from the
query that returned it (:class:`Asked`): the viewer seat of ``conversationEvents``, the contract
and owner seats of ``mailStubs`` and ``prospectNotes``, the contract of ``seatsV2``.

A note's visibility is read from any spelling LinkedIn's product uses, in any case; a note with none,
or with one not known here, is "Only me". A stub or note that names no owner when several owners
were asked raises :class:`OwnerUnknown` (the poll asks again, per owner; a note's author is never
guessed). Anything else that cannot be read raises :class:`UnreadableItem` naming the field, never
its value; the poll keeps such an item (``workers.prospect_polling.parked_items``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.linkedin import InMailMessage, MailStub, NoteVisibility, ProspectNote
from workers.prospect_polling.field_names import (
    AUTHOR_FIELDS,
    BODY_FIELDS,
    COMPANY_FIELDS,
    CONTRACT_FIELDS,
    CREATED_FIELDS,
    EMAIL_FIELDS,
    FIRST_NAME_FIELDS,
    ID_FIELDS,
    LAST_NAME_FIELDS,
    MEMBER_FIELDS,
    MODIFIED_FIELDS,
    NOTE_OWNER_FIELDS,
    NOTE_TEXT_FIELDS,
    ONLY_ME_SPELLINGS,
    ORGANIZATION_SPELLINGS,
    PHONE_FIELDS,
    SEAT_FIELDS,
    STATE_FIELDS,
    STUB_OWNER_FIELDS,
    SUBJECT_FIELDS,
    THREAD_FIELDS,
    TITLE_FIELDS,
    VIEWER_FIELDS,
    VISIBILITY_FIELDS,
)
from workers.prospect_polling.item_fields import (
    ANY_URN,
    MAX_ID,
    PERSON_URN,
    ItemProblem,
    UnreadableItem,
    contract_urn,
    emails_in,
    epoch_ms,
    first,
    invalid,
    looked_for,
    person_in,
    person_urn,
    phones_in,
    reference,
    seat_urn,
    seats_in,
    text_in,
    word,
)
from workers.prospect_polling.queries import Asked, Attribution, ItemKind, OwnerUnknown, SeatReading

__all__ = [
    "Asked",
    "Attribution",
    "ItemKind",
    "ItemProblem",
    "OwnerUnknown",
    "SeatReading",
    "UnreadableItem",
    "item_id",
    "member_of",
    "read_inmail",
    "read_note",
    "read_seat",
    "read_stub",
    "read_visibility",
    "visibility_assumed",
]


def read_inmail(item: Mapping[str, Any], asked: Asked) -> InMailMessage:
    """A conversation event of the viewer seat ``asked`` named (the item need not repeat it)."""
    kind = ItemKind.CONVERSATION_EVENT
    viewer = asked.only_seat()
    if viewer is None:
        raise ValueError("a conversationEvents query names exactly one viewer seat")
    named_viewer = next(iter(seats_in(item, VIEWER_FIELDS)), None)
    if named_viewer is not None and named_viewer != viewer:
        raise UnreadableItem(
            ItemProblem.FOREIGN_VIEWER,
            "the conversation event names another viewer seat than the one the query asked for",
        )
    created = epoch_ms(item, CREATED_FIELDS, kind.label, "created")
    if created is None:
        raise UnreadableItem(
            ItemProblem.NO_TIME, f"the conversation event has no creation time ({looked_for(CREATED_FIELDS)})"
        )
    thread = reference(item, THREAD_FIELDS, kind.label, "thread")
    if thread is None:
        raise UnreadableItem(
            ItemProblem.NO_THREAD, f"the conversation event names no thread ({looked_for(THREAD_FIELDS)})"
        )
    author = _author(item)
    member = person_in(item, MEMBER_FIELDS, kind.label)
    if member is None and author is not None and PERSON_URN.fullmatch(author):
        member = author  # the member wrote it: the conversation is with them
    return InMailMessage(
        event_id=_id(item, kind),
        thread=thread,
        viewer=viewer,
        author=author,
        member=member,
        created_ms=created,
        subject=text_in(item, SUBJECT_FIELDS, kind.label, "subject"),
        body=text_in(item, BODY_FIELDS, kind.label, "body"),
    )


def read_stub(item: Mapping[str, Any], asked: Asked, attribution: Attribution | None = None) -> MailStub:
    """A mail stub of the contract and owner seats ``asked`` named, unless it names its own."""
    kind = ItemKind.MAIL_STUB
    stub_id = _id(item, kind)
    contract = _contract(item, asked, kind)
    owners = seats_in(item, STUB_OWNER_FIELDS)
    if not owners:
        owners = list(attribution.owners) if attribution else []
    if not owners:
        only = asked.only_seat()
        if only is None:
            raise OwnerUnknown(kind, len(asked.seats))
        owners = [only]
    member = person_in(item, MEMBER_FIELDS, kind.label)
    if member is None:
        raise UnreadableItem(
            ItemProblem.NO_MEMBER,
            f"the mail stub names no LinkedIn member ({looked_for(MEMBER_FIELDS)}); its contact details "
            "cannot be given to a candidate",
        )
    created = epoch_ms(item, CREATED_FIELDS, kind.label, "created")
    if created is None:
        raise UnreadableItem(
            ItemProblem.NO_TIME, f"the mail stub has no creation time ({looked_for(CREATED_FIELDS)})"
        )
    modified = epoch_ms(item, MODIFIED_FIELDS, kind.label, "lastModified")
    emails = emails_in(item, EMAIL_FIELDS, kind.label)
    phones = phones_in(item, PHONE_FIELDS, kind.label)
    return MailStub(
        stub_id=stub_id,
        contract=contract,
        owners=owners,
        member=member,
        first_name=text_in(item, FIRST_NAME_FIELDS, kind.label, "firstName"),
        last_name=text_in(item, LAST_NAME_FIELDS, kind.label, "lastName"),
        email=emails[0] if emails else None,
        phone=phones[0] if phones else None,
        other_emails=emails[1:],
        other_phones=phones[1:],
        company=text_in(item, COMPANY_FIELDS, kind.label, "currentCompanyName"),
        title=text_in(item, TITLE_FIELDS, kind.label, "currentJobTitle"),
        created_ms=created,
        last_modified_ms=modified if modified is not None else created,
    )


def read_note(item: Mapping[str, Any], asked: Asked, attribution: Attribution | None = None) -> ProspectNote:
    """A prospect note of the contract ``asked`` named, by the owner seat it names, or the one the
    query asked for, or the one asking per owner found; never a guessed one."""
    kind = ItemKind.PROSPECT_NOTE
    note_id = _id(item, kind)
    contract = _contract(item, asked, kind)
    named = seats_in(item, NOTE_OWNER_FIELDS)
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
    created = epoch_ms(item, CREATED_FIELDS, kind.label, "created")
    modified = epoch_ms(item, MODIFIED_FIELDS, kind.label, "lastModified")
    created = created if created is not None else modified
    modified = modified if modified is not None else created
    if created is None or modified is None:
        raise UnreadableItem(
            ItemProblem.NO_TIME,
            "the prospect note has neither a creation nor a modification time "
            f"({looked_for(CREATED_FIELDS + MODIFIED_FIELDS)})",
        )
    visibility, sent = read_visibility(first(item, VISIBILITY_FIELDS))
    return ProspectNote(
        note_id=note_id,
        contract=contract,
        owner=owner,
        member=person_in(item, MEMBER_FIELDS, kind.label),
        text=text_in(item, NOTE_TEXT_FIELDS, kind.label, "note"),
        visibility=visibility,
        visibility_sent=sent,
        active=_active(item),
        created_ms=created,
        last_modified_ms=modified,
    )


def read_seat(item: Mapping[str, Any], asked: Asked) -> SeatReading:
    """A seatsV2 element of the contract ``asked`` named, unless it names its own."""
    kind = ItemKind.SEAT
    urn = next(iter(seats_in(item, SEAT_FIELDS)), None)
    if urn is None:
        raise UnreadableItem(
            ItemProblem.NO_SEAT, f"the seat element has no seat id or URN ({looked_for(SEAT_FIELDS)})"
        )
    emails = emails_in(item, EMAIL_FIELDS, kind.label)
    state = first(item, STATE_FIELDS)
    if state is not None and not isinstance(state, str):
        raise UnreadableItem(ItemProblem.INVALID_FIELD, "the seat's state is not text")
    return SeatReading(
        urn=urn,
        contract=_contract(item, asked, kind),
        member=person_in(item, MEMBER_FIELDS, kind.label),
        first_name=text_in(item, FIRST_NAME_FIELDS, kind.label, "firstName"),
        last_name=text_in(item, LAST_NAME_FIELDS, kind.label, "lastName"),
        email=emails[0] if emails else None,
        state=word(state)[:16] if state else "UNKNOWN",
    )


def read_visibility(value: Any) -> tuple[NoteVisibility, str | None]:
    """(visibility, the spelling LinkedIn sent). Absent or unknown is Only me: the safe way."""
    if isinstance(value, Mapping):
        value = first(value, ("type", "value", "name", "visibility"))
    if value is None or (isinstance(value, str) and not value.strip()):
        return NoteVisibility.PRIVATE, None
    spelling = str(value).strip()[:64]
    if word(spelling) in ORGANIZATION_SPELLINGS:
        return NoteVisibility.ORGANIZATION, spelling
    return NoteVisibility.PRIVATE, spelling


def visibility_assumed(note: ProspectNote) -> str | None:
    """Why the note reads as Only me without LinkedIn saying so: ``absent``, ``unknown``, or None."""
    if note.visibility_sent is None:
        return "absent"
    known = ORGANIZATION_SPELLINGS | ONLY_ME_SPELLINGS
    return None if word(note.visibility_sent) in known else "unknown"


def item_id(item: Mapping[str, Any]) -> str | None:
    """The item's LinkedIn id, whichever way it is written; None when it has none."""
    value = first(item, ID_FIELDS)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        match = ANY_URN.fullmatch(value.strip())
        text = match.group(1) if match else value.strip()
        return text if len(text) <= MAX_ID else None
    return None


def member_of(item: Mapping[str, Any]) -> str | None:
    """The member an item is about, if it says (erasing the member erases a parked item too)."""
    try:
        return person_in(item, MEMBER_FIELDS, ItemKind.MAIL_STUB.label)
    except UnreadableItem:
        return None


# what only these readers know


def _id(item: Mapping[str, Any], kind: ItemKind) -> str:
    found = item_id(item)
    if found is None:
        raise UnreadableItem(
            ItemProblem.NO_ID,
            f"the {kind.label} has no usable id ({looked_for(ID_FIELDS)}); it cannot be stored once "
            "without one",
        )
    return found


def _contract(item: Mapping[str, Any], asked: Asked, kind: ItemKind) -> str:
    """The contract the item names, which must be the one asked for, or else the one asked for."""
    named = contract_urn(first(item, CONTRACT_FIELDS), kind.label)
    if named is not None and asked.contract is not None and named != asked.contract:
        raise UnreadableItem(
            ItemProblem.FOREIGN_CONTRACT,
            f"the {kind.label} names another contract than the one the query asked for",
        )
    contract = named or asked.contract
    if contract is None:
        raise ValueError(f"a {kind.value} query names its contract")
    return contract


def _author(item: Mapping[str, Any]) -> str | None:
    value = first(item, AUTHOR_FIELDS)
    found = seat_urn(value) or person_urn(value)
    if found is not None:
        return found
    if isinstance(value, str) and 0 < len(value.strip()) <= MAX_ID:
        return value.strip()
    return None


def _active(item: Mapping[str, Any]) -> bool:
    """``active: false`` (or ``deleted: true``, or a DELETED state) means the note was deleted."""
    value = item.get("active")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if value is not None:
        raise invalid(ItemKind.PROSPECT_NOTE.label, "active flag", "is not true or false")
    deleted = item.get("deleted")
    if isinstance(deleted, bool):
        return not deleted
    state = item.get("state")
    return not (isinstance(state, str) and word(state) in ("DELETED", "REMOVED", "ARCHIVED"))
