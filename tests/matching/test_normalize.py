"""Folding and keys: case, accents, punctuation and formats never decide whether two records agree."""

from __future__ import annotations

import pytest

from matching.nicknames import Nicknames, NicknameTableError, default_nicknames
from matching.normalize import (
    company_key,
    email_key,
    fold,
    name_tokens,
    phone_key,
    profile_slug,
    title_tokens,
    within_one_edit,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("  JOSÉ  o\u2019Neil-Smith", "jose oneil smith"),
        ("Zoë", "zoe"),
        ("Straße", "strasse"),
        ("Søren Ødegård", "soren odegard"),
        ("Łukasz Wiśniewski", "lukasz wisniewski"),
        ("Y\u0131ld\u0131z", "yildiz"),
        ("D'Angelo", "dangelo"),
        ("Jean-Luc\tPicard", "jean luc picard"),
    ],
)
def test_fold_drops_case_accents_punctuation_and_extra_spaces(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_names_split_into_words() -> None:
    assert name_tokens("Mary-Ann") == ("mary", "ann")
    assert name_tokens(None) == ()
    assert name_tokens("  ") == ()


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Ada.Lovelace@Example.COM", "ada.lovelace@example.com"),
        (" ada+jobs@example.com ", "ada@example.com"),
        ("a.d.a@googlemail.com", "ada@gmail.com"),
        ("mailto:ada@example.com", "ada@example.com"),
        ("not an address", None),
        ("ada@localhost", None),
    ],
)
def test_email_keys(raw: str, key: str | None) -> None:
    assert email_key(raw) == key


def test_phone_numbers_agree_across_national_and_international_formats() -> None:
    assert phone_key("+44 20 7946 0000") == phone_key("020 7946 0000") == phone_key("0044207946-0000")
    assert phone_key("+1 (415) 555-0100") == phone_key("415.555.0100")
    assert phone_key("+49 30 1234567") == phone_key("030 1234567")
    assert phone_key("+44 20 7946 0000") != phone_key("+44 20 7946 0001")
    assert phone_key("123") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/ada-lovelace-1a2b",
        "http://linkedin.com/in/Ada-Lovelace-1a2b/",
        "https://uk.linkedin.com/in/ada-lovelace-1a2b?trk=profile",
        "www.linkedin.com/in/ada-lovelace-1a2b",
        "https://www.linkedin.com/in/ada%2Dlovelace%2D1a2b/?locale=en_US",
    ],
)
def test_every_shape_of_profile_url_gives_the_same_slug(url: str) -> None:
    assert profile_slug(url) == "ada-lovelace-1a2b"


def test_urls_that_are_not_member_profiles_have_no_slug() -> None:
    assert profile_slug("https://www.linkedin.com/company/acme") is None
    assert profile_slug("https://example.com/in/ada") is None
    assert profile_slug(None) is None


def test_company_names_lose_legal_words_and_case() -> None:
    assert company_key("The ACME Corp.") == company_key("Acme") == "acme"
    assert company_key("Smith & Sons Ltd") == company_key("smith and sons") == "smith sons"
    assert company_key("Analytical Engines GmbH") != company_key("Analytical Machines GmbH")
    # A name made only of legal words keeps them rather than vanishing.
    assert company_key("Limited") == "limited"


def test_title_abbreviations_are_written_out() -> None:
    assert title_tokens("Sr. Software Eng.") == title_tokens("Senior Software Engineer")
    assert title_tokens("VP of Sales") == title_tokens("Vice President, Sales")


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("smith", "smith", True),
        ("smith", "smyth", True),
        ("smith", "smth", True),
        ("smith", "smitth", True),
        ("smith", "msith", True),
        ("smith", "smiht", True),
        ("smith", "smiyh", True),
        ("smith", "snyth", False),
        ("smith", "mith", True),
        ("smith", "smithers", False),
    ],
)
def test_within_one_edit(a: str, b: str, near: bool) -> None:
    assert within_one_edit(a, b) is near
    assert within_one_edit(b, a) is near


def test_the_shipped_nickname_table_knows_familiar_forms() -> None:
    table = default_nicknames()
    assert "william" in table.groups("bill")
    assert table.groups("bill") & table.groups("william")
    assert table.groups("paco") & table.groups("francisco")
    # "Al" is compatible with Albert and Alfred, which stay incompatible with each other.
    assert table.groups("al") & table.groups("albert") and table.groups("al") & table.groups("alfred")
    assert not table.groups("albert") & table.groups("alfred")
    assert table.groups("zebulon") == frozenset({"zebulon"})


def test_a_typed_nickname_is_near_its_group() -> None:
    table = default_nicknames()
    assert "anastasia" in table.near_groups("stcay")
    assert "jacqueline" in table.near_groups("jacqqui")
    assert table.near_groups("bill") == frozenset()  # in the table: exact groups apply


def test_a_malformed_nickname_line_is_refused_with_its_line_number() -> None:
    with pytest.raises(NicknameTableError, match="line 2"):
        Nicknames.parse("robert: bob\nthis line has no colon\n")
    assert len(Nicknames.parse("# comment\n\nrobert: bob, bobby # trailing\n")) == 3
