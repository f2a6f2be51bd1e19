"""Reading one field of a polled LinkedIn item whatever its name, nesting or form; a value that is there
but cannot be read is refused naming the field, never the value."""

from __future__ import annotations

import pytest

from workers.prospect_polling.field_names import (
    COMPANY_FIELDS,
    CREATED_FIELDS,
    EMAIL_FIELDS,
    MEMBER_FIELDS,
    PHONE_FIELDS,
    STUB_OWNER_FIELDS,
    SUBJECT_FIELDS,
)
from workers.prospect_polling.item_fields import (
    ItemProblem,
    UnreadableItem,
    contract_urn,
    emails_in,
    epoch_ms,
    first,
    person_in,
    phones_in,
    seats_in,
    text_in,
    word,
)


def test_the_first_name_that_says_something_wins_and_dotted_names_reach_into_lists() -> None:
    item = {"currentCompanyName": "", "currentPositions": [{"companyName": "Engines"}]}
    assert first(item, COMPANY_FIELDS) == "Engines"
    assert first({"companyName": {"name": None}}, COMPANY_FIELDS) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1_700_000_000_000, 1_700_000_000_000), ("1700000000000", 1_700_000_000_000),
     ({"time": 5, "actor": "urn:li:seat:1"}, 5), (7.0, 7)],
)  # fmt: skip
def test_a_time_is_read_as_epoch_ms_in_any_plausible_form(value: object, expected: int) -> None:
    assert epoch_ms({"createdAt": value}, CREATED_FIELDS, "InMail", "created time") == expected


@pytest.mark.parametrize("value", [True, -1, "yesterday"])
def test_a_time_that_is_no_epoch_ms_is_unreadable_without_its_value(value: object) -> None:
    with pytest.raises(UnreadableItem) as refused:
        epoch_ms({"created": value}, CREATED_FIELDS, "InMail", "created time")
    assert refused.value.problem is ItemProblem.INVALID_FIELD
    assert str(refused.value) == "the InMail's created time time is not epoch milliseconds"


def test_seats_are_read_as_urns_numbers_or_objects_and_a_person_is_passed_over() -> None:
    item = {"owners": ["urn:li:seat:501", 502, {"seat": "503"}, "urn:li:person:ada", "urn:li:seat:501"]}
    assert seats_in(item, STUB_OWNER_FIELDS) == ["urn:li:seat:501", "urn:li:seat:502", "urn:li:seat:503"]
    assert seats_in({"owners": ["urn:li:person:ada"]}, STUB_OWNER_FIELDS) == []


def test_a_member_must_be_a_person_urn() -> None:
    assert (
        person_in({"memberUrn": {"urn": "urn:li:person:ada"}}, MEMBER_FIELDS, "stub") == "urn:li:person:ada"
    )
    assert person_in({}, MEMBER_FIELDS, "stub") is None
    with pytest.raises(UnreadableItem, match="the stub's member is not a person URN"):
        person_in({"member": "urn:li:organization:1"}, MEMBER_FIELDS, "stub")


def test_a_contract_is_read_from_its_urn_or_number() -> None:
    assert contract_urn(10, "note") == "urn:li:contract:10"
    assert contract_urn(" 10 ", "note") == "urn:li:contract:10"
    assert contract_urn({"urn": "urn:li:contract:11"}, "note") == "urn:li:contract:11"
    with pytest.raises(UnreadableItem, match="is not a contract URN"):
        contract_urn("urn:li:seat:1", "note")


def test_text_is_plain_localized_or_an_object_with_text() -> None:
    localized = {
        "localized": {"de_DE": "Hallo", "en_US": "Hello"},
        "preferredLocale": {"language": "en", "country": "US"},
    }
    assert text_in({"subject": localized}, SUBJECT_FIELDS, "InMail", "subject") == "Hello"
    assert text_in({"content": {"subject": {"text": "Hi"}}}, SUBJECT_FIELDS, "InMail", "subject") == "Hi"
    with pytest.raises(UnreadableItem, match="is neither text nor localized text"):
        text_in({"subject": 3}, SUBJECT_FIELDS, "InMail", "subject")


def test_contact_details_are_collected_once_from_every_form() -> None:
    item = {
        "emailAddress": "ada@example.com",
        "emails": [{"address": "ADA@example.com"}, {"emailAddress": "ada@engines.example"}],
        "phoneNumbers": [{"number": "+44 20 0000 0000", "extension": "12"}, "+44 20 0000 0000 ext. 12"],
    }
    assert emails_in(item, EMAIL_FIELDS, "stub") == ["ada@example.com", "ada@engines.example"]
    assert phones_in(item, PHONE_FIELDS, "stub") == ["+44 20 0000 0000 ext. 12"]
    with pytest.raises(UnreadableItem, match="the stub's emailAddress is not an e-mail address"):
        emails_in({"email": "not an address"}, EMAIL_FIELDS, "stub")
    with pytest.raises(UnreadableItem, match="phoneNumber is neither text nor"):
        phones_in({"phone": {"extension": "12"}}, PHONE_FIELDS, "stub")


def test_a_visibility_is_compared_as_one_upper_case_word() -> None:
    assert word("Anyone in my organization") == "ANYONE_IN_MY_ORGANIZATION"
    assert word("only-me") == "ONLY_ME"
