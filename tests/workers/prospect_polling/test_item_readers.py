"""The readers of polled items, one failure mode at a time: an item without its viewer, owner or
contract is keyed by the query; every visibility spelling is read, and none or an unknown one is
Only me (counted); other plausible field names and nestings are read; what cannot be read names the
field, never its value."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY

from schemas.linkedin import NoteVisibility
from workers.prospect_polling.items import (
    Asked,
    Attribution,
    ItemKind,
    ItemProblem,
    OwnerUnknown,
    UnreadableItem,
    read_inmail,
    read_note,
    read_seat,
    read_stub,
    read_visibility,
    visibility_assumed,
)

CONTRACT, OTHER_CONTRACT = "urn:li:contract:10", "urn:li:contract:11"
RITA, SAM = "urn:li:seat:501", "urn:li:seat:502"
ADA = "urn:li:person:ada"
T = 1_780_000_000_000


def events_of(*seats: str) -> Asked:
    return Asked(ItemKind.CONVERSATION_EVENT, CONTRACT, seats, T - 1, T + 1)


def stubs_of(*seats: str) -> Asked:
    return Asked(ItemKind.MAIL_STUB, CONTRACT, seats, T - 1, T + 1)


def notes_of(*seats: str) -> Asked:
    return Asked(ItemKind.PROSPECT_NOTE, CONTRACT, seats, T - 1, T + 1)


def problem(call: Any) -> UnreadableItem:
    with pytest.raises(UnreadableItem) as raised:
        call()
    return raised.value


# conversation events


def test_a_conversation_event_without_a_viewer_is_the_viewer_seat_the_query_asked_for() -> None:
    message = read_inmail({"id": "E1", "thread": "urn:li:messagingThread:1", "created": T}, events_of(RITA))
    assert (message.viewer, message.event_id, message.created_ms) == (RITA, "E1", T)


def test_a_conversation_event_naming_another_viewer_is_not_filed_under_the_asked_one() -> None:
    item = {"id": "E1", "thread": "t", "viewer": SAM, "created": T}
    assert problem(lambda: read_inmail(item, events_of(RITA))).problem is ItemProblem.FOREIGN_VIEWER
    assert read_inmail({**item, "viewer": RITA}, events_of(RITA)).viewer == RITA


def test_a_conversation_event_in_another_shape_is_read() -> None:
    message = read_inmail(
        {
            "entityUrn": "urn:li:conversationEvent:E7",
            "messagingThread": {"urn": "urn:li:messagingThread:9"},
            "created": {"time": str(T), "actor": ADA},
            "content": {"subject": "Role", "body": "Yes, let us talk"},
        },
        events_of(RITA),
    )
    assert message.event_id == "E7"  # the same id as {"id": "E7"}: one message, whatever the shape
    assert message.thread == "urn:li:messagingThread:9"
    assert (message.author, message.member) == (ADA, ADA)  # the member wrote it: it is with them
    assert (message.subject, message.body, message.created_ms) == ("Role", "Yes, let us talk", T)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"thread": "t", "created": T}, ItemProblem.NO_ID),
        ({"id": "E1", "created": T}, ItemProblem.NO_THREAD),
        ({"id": "E1", "thread": "t"}, ItemProblem.NO_TIME),
        ({"id": "E1", "thread": "t", "created": "last tuesday"}, ItemProblem.INVALID_FIELD),
        ({"id": "E1", "thread": "t", "created": T, "member": "urn:li:member:12"}, ItemProblem.INVALID_FIELD),
    ],
)
def test_a_conversation_event_that_cannot_be_read_says_which_field(
    item: dict[str, Any], expected: ItemProblem
) -> None:
    assert problem(lambda: read_inmail(item, events_of(RITA))).problem is expected


# mail stubs


def test_a_stub_without_owners_or_contract_belongs_to_the_one_owner_and_contract_asked_for() -> None:
    stub = read_stub({"id": "M1", "member": ADA, "created": T}, stubs_of(RITA))
    assert (stub.owners, stub.contract, stub.last_modified_ms) == ([RITA], CONTRACT, T)


def test_a_stub_without_owners_among_several_asked_is_not_given_an_owner() -> None:
    with pytest.raises(OwnerUnknown):
        read_stub({"id": "M1", "member": ADA, "created": T}, stubs_of(RITA, SAM))
    # Asking per owner found both: both own it.
    stub = read_stub({"id": "M1", "member": ADA, "created": T}, stubs_of(RITA, SAM), Attribution((RITA, SAM)))
    assert stub.owners == [RITA, SAM]


def test_a_stub_naming_another_contract_is_not_filed_under_the_asked_one() -> None:
    item = {"id": "M1", "member": ADA, "created": T, "contract": OTHER_CONTRACT}
    assert problem(lambda: read_stub(item, stubs_of(RITA))).problem is ItemProblem.FOREIGN_CONTRACT


def test_a_stub_with_contact_lists_localized_names_and_a_position_keeps_every_detail() -> None:
    stub = read_stub(
        {
            "id": "M1",
            "memberUrn": ADA,
            "firstName": {
                "localized": {"en_US": "Ada"},
                "preferredLocale": {"language": "en", "country": "US"},
            },
            "lastName": "Lovelace",
            "emailAddresses": [{"emailAddress": "ada@example.com"}, "ADA@example.com", "ada@work.example"],
            "phoneNumbers": [{"number": "+44 20 0000 0000", "extension": "12"}, "+44 7700 900000"],
            "currentPosition": {"companyName": "Analytical Engines", "title": "Chief Analyst"},
            "createdAt": T,
            "lastModifiedAt": {"time": T + 5},
            "owners": [501, "urn:li:seat:502"],
        },
        stubs_of(RITA, SAM),
    )
    assert stub.owners == [RITA, SAM]  # a seat given only as its number is the same seat
    assert (stub.first_name, stub.last_name) == ("Ada", "Lovelace")
    assert (str(stub.email), [str(e) for e in stub.other_emails]) == ("ada@example.com", ["ada@work.example"])
    assert (stub.phone, stub.other_phones) == ("+44 20 0000 0000 ext. 12", ["+44 7700 900000"])
    assert (stub.company, stub.title) == ("Analytical Engines", "Chief Analyst")
    assert (stub.created_ms, stub.last_modified_ms) == (T, T + 5)


def test_a_stub_that_cannot_be_read_names_the_field_and_never_the_value() -> None:
    bad_email = {"id": "M1", "member": ADA, "created": T, "emailAddress": "ada-at-example.com"}
    unread = problem(lambda: read_stub(bad_email, stubs_of(RITA)))
    assert unread.problem is ItemProblem.INVALID_FIELD
    assert "emailAddress" in unread.message and "ada-at-example" not in unread.message
    no_member = {"id": "M1", "created": T, "emailAddress": "ada@example.com"}
    assert problem(lambda: read_stub(no_member, stubs_of(RITA))).problem is ItemProblem.NO_MEMBER


# prospect notes


def test_a_note_without_an_owner_is_by_the_one_owner_asked_for() -> None:
    note = read_note({"id": "P1", "member": ADA, "created": T, "visibility": "ONLY_ME"}, notes_of(SAM))
    assert (note.owner, note.contract, note.last_modified_ms) == (SAM, CONTRACT, T)


def test_a_note_without_an_owner_among_several_asked_gets_no_guessed_author() -> None:
    with pytest.raises(OwnerUnknown):
        read_note({"id": "P1", "created": T}, notes_of(RITA, SAM))
    two = problem(
        lambda: read_note({"id": "P1", "created": T}, notes_of(RITA, SAM), Attribution((RITA, SAM)))
    )
    assert two.problem is ItemProblem.AMBIGUOUS_OWNER
    listed = problem(lambda: read_note({"id": "P1", "created": T, "owners": [RITA, SAM]}, notes_of(RITA)))
    assert listed.problem is ItemProblem.AMBIGUOUS_OWNER


@pytest.mark.parametrize(
    "item",
    [
        {"owner": SAM},
        {"owner": 502},
        {"owner": "502"},
        {"created": {"time": T, "actor": SAM}},
        {"author": {"seat": SAM}},
        {"createdBy": SAM},
    ],
)
def test_a_note_names_its_owner_in_any_of_these_ways(item: dict[str, Any]) -> None:
    note = read_note({"id": "P1", "lastModified": T, **item}, notes_of(RITA, SAM))
    assert note.owner == SAM


def test_a_note_authored_by_a_person_not_a_seat_is_attributed_by_the_query() -> None:
    note = read_note({"id": "P1", "created": T, "author": ADA}, notes_of(SAM))
    assert note.owner == SAM
    with pytest.raises(OwnerUnknown):
        read_note({"id": "P1", "created": T, "author": ADA}, notes_of(RITA, SAM))


@pytest.mark.parametrize(
    ("spelling", "visibility"),
    [
        ("Anyone in my organization", NoteVisibility.ORGANIZATION),
        ("anyone in my organization", NoteVisibility.ORGANIZATION),
        ("ANYONE IN MY ORGANIZATION", NoteVisibility.ORGANIZATION),
        ("ANYONE_IN_ORGANIZATION", NoteVisibility.ORGANIZATION),
        ("anyone_in_organization", NoteVisibility.ORGANIZATION),
        ("Anyone-In-My-Organization", NoteVisibility.ORGANIZATION),
        ("ORGANIZATION", NoteVisibility.ORGANIZATION),
        ({"type": "ANYONE_IN_ORGANIZATION"}, NoteVisibility.ORGANIZATION),
        ("Only me", NoteVisibility.PRIVATE),
        ("only me", NoteVisibility.PRIVATE),
        ("ONLY_ME", NoteVisibility.PRIVATE),
        ("only_me", NoteVisibility.PRIVATE),
        ("PRIVATE", NoteVisibility.PRIVATE),
    ],
)
def test_every_spelling_of_a_visibility_is_read(spelling: Any, visibility: NoteVisibility) -> None:
    assert read_visibility(spelling)[0] is visibility
    note = read_note({"id": "P1", "created": T, "visibility": spelling}, notes_of(RITA))
    assert note.visibility is visibility and visibility_assumed(note) is None


def _assumed(reason: str) -> float:
    return REGISTRY.get_sample_value("rsc_note_visibility_assumed_total", {"reason": reason}) or 0.0


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({}, "absent"),
        ({"visibility": None}, "absent"),
        ({"visibility": ""}, "absent"),
        ({"visibility": "Team members"}, "unknown"),
        ({"visibility": "PUBLIC"}, "unknown"),
        ({"visibility": True}, "unknown"),
    ],
)
def test_a_note_with_no_or_an_unknown_visibility_is_only_me_and_counted(
    extra: dict[str, Any], reason: str
) -> None:
    from workers.prospect_polling.pages import note_event

    before = _assumed(reason)
    event = note_event("acme", {"id": "P1", "created": T, **extra}, notes_of(RITA))
    assert event.data.visibility is NoteVisibility.PRIVATE
    assert visibility_assumed(event.data) == reason
    assert _assumed(reason) == before + 1


@pytest.mark.parametrize(
    ("extra", "active"),
    [({}, True), ({"active": False}, False), ({"active": "false"}, False), ({"deleted": True}, False)],
)
def test_a_deleted_note_reads_as_inactive_in_any_of_these_ways(extra: dict[str, Any], active: bool) -> None:
    assert read_note({"id": "P1", "created": T, **extra}, notes_of(RITA)).active is active


def test_a_note_in_another_shape_is_read() -> None:
    note = read_note(
        {
            "entityUrn": "urn:li:prospectNote:P9",
            "prospect": ADA,
            "content": {"text": "Strong analyst"},
            "createdAt": T,
            "lastModifiedAt": T + 9,
            "noteVisibility": "Anyone in my organization",
        },
        notes_of(RITA),
    )
    assert (note.note_id, note.member, note.text) == ("P9", ADA, "Strong analyst")
    assert (note.created_ms, note.last_modified_ms, note.visibility) == (
        T,
        T + 9,
        NoteVisibility.ORGANIZATION,
    )
    assert note.visibility_sent == "Anyone in my organization"


def test_a_note_naming_another_contract_is_not_filed_under_the_asked_one() -> None:
    item = {"id": "P1", "created": T, "contract": OTHER_CONTRACT}
    assert problem(lambda: read_note(item, notes_of(RITA))).problem is ItemProblem.FOREIGN_CONTRACT


# seats


@pytest.mark.parametrize(
    "element",
    [
        {"id": 501},
        {"id": "urn:li:seat:501"},
        {"seat": "urn:li:seat:501", "id": 501, "contract": CONTRACT},
        {"entityUrn": "urn:li:seat:501"},
    ],
)
def test_a_seat_is_read_from_its_number_or_urn_and_keyed_by_the_contract_asked_for(
    element: dict[str, Any],
) -> None:
    seat = read_seat({**element, "state": "active"}, Asked(ItemKind.SEAT, CONTRACT))
    assert (seat.urn, seat.contract, seat.state) == (RITA, CONTRACT, "ACTIVE")


def test_a_seat_without_a_state_is_not_taken_for_an_active_one() -> None:
    seat = read_seat({"id": 501, "emailAddresses": ["rita@acme.example"]}, Asked(ItemKind.SEAT, CONTRACT))
    assert (seat.state, seat.email) == ("UNKNOWN", "rita@acme.example")


def test_a_seat_of_another_contract_or_without_an_id_cannot_be_read() -> None:
    asked = Asked(ItemKind.SEAT, CONTRACT)
    foreign = problem(lambda: read_seat({"id": 501, "contract": OTHER_CONTRACT}, asked))
    assert foreign.problem is ItemProblem.FOREIGN_CONTRACT
    assert problem(lambda: read_seat({"firstName": "Rita"}, asked)).problem is ItemProblem.NO_SEAT


def test_an_object_of_nothing_reads_as_no_value() -> None:
    """``content: {"text": null}`` is a note without text, not an unreadable one."""
    note = read_note({"id": "P1", "created": T, "content": {"text": None}}, notes_of(RITA))
    assert note.text is None
    message = read_inmail(
        {"id": "E1", "thread": "t", "created": T, "content": {"subject": None, "body": None}}, events_of(RITA)
    )
    assert (message.subject, message.body) == (None, None)
