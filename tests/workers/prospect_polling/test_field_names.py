"""The names LinkedIn plausibly gives each field: every reader's list is non-empty without repeats, and
the visibility spellings are the upper-case words ``item_fields.word`` compares them as."""

from __future__ import annotations

import pytest

from workers.prospect_polling import field_names
from workers.prospect_polling.item_fields import first, word

NAME_LISTS = {name: value for name, value in vars(field_names).items() if name.endswith("_FIELDS")}


def test_every_field_has_names_without_repeats() -> None:
    assert len(NAME_LISTS) >= 20
    for name, names in NAME_LISTS.items():
        assert names, name
        assert len(set(names)) == len(names), name


def nested(dotted: str, value: str) -> dict[str, object]:
    """``{"content": {"subject": value}}`` for ``content.subject``."""
    item: object = value
    for part in reversed(dotted.split(".")):
        item = {part: item}
    return item  # type: ignore[return-value]


@pytest.mark.parametrize("name", sorted(NAME_LISTS))
def test_each_name_of_a_field_is_read_from_an_item_that_uses_only_it(name: str) -> None:
    for dotted in NAME_LISTS[name]:
        if any(part.isdigit() for part in dotted.split(".")):
            continue  # a list index: test_item_fields reads currentPositions.0.companyName
        assert first(nested(dotted, "found"), NAME_LISTS[name]) == "found", dotted


def test_the_visibility_spellings_are_compared_words_and_disjoint() -> None:
    for spelling in field_names.ORGANIZATION_SPELLINGS | field_names.ONLY_ME_SPELLINGS:
        assert word(spelling) == spelling
    assert not field_names.ORGANIZATION_SPELLINGS & field_names.ONLY_ME_SPELLINGS
    assert word("Anyone in my organization") in field_names.ORGANIZATION_SPELLINGS
    assert word("Only me") in field_names.ONLY_ME_SPELLINGS
