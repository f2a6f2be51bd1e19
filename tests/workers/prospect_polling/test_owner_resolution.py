"""Stubs and notes that name no owner while a contract poll asked for many: attributed by asking again
per owner (halving the group when that is cheaper), never guessed; a page's unreadable item never
stops the rest of the page."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.linkedin import MailStubReceived, ProspectNoteChanged
from workers.prospect_polling.items import Asked, ItemKind, ItemProblem
from workers.prospect_polling.owner_resolution import find_owners, halving_is_cheaper
from workers.prospect_polling.pages import read_page

CONTRACT = "urn:li:contract:10"
T = 1_780_000_000_000
SEATS = [f"urn:li:seat:{500 + i}" for i in range(100)]


class Finder:
    """mailStubs or prospectNotes over fixed items: the items of any of the asked owners (LinkedIn's
    owners filter), written without their owners, as the undocumented shapes are."""

    def __init__(self, owned: dict[str, list[str]], extra: dict[str, dict[str, Any]] | None = None) -> None:
        self.owned = owned
        self.extra = extra or {}
        self.asked: list[list[str]] = []

    def __call__(self, seats: list[str]) -> tuple[list[dict[str, Any]], int]:
        self.asked.append(list(seats))
        items = [
            {"id": key, "member": "urn:li:person:ada", "created": T, **self.extra.get(key, {})}
            for key, owners in self.owned.items()
            if set(owners) & set(seats)
        ]
        return items, 1


def test_one_unattributed_note_among_a_hundred_owners_costs_a_few_calls_not_a_hundred() -> None:
    finder = Finder({"P1": [SEATS[37]]})
    owners, calls = find_owners(finder, SEATS, ["P1"])
    assert owners == {"P1": [SEATS[37]]}
    assert calls == len(finder.asked) <= 2 * 7  # two halves per level, seven levels
    assert all(len(group) < len(SEATS) for group in finder.asked)  # the whole group is not asked again


def test_many_unattributed_items_are_asked_for_owner_by_owner() -> None:
    owned = {f"P{i}": [SEATS[i * 9]] for i in range(10)}
    assert not halving_is_cheaper(len(SEATS), len(owned))
    finder = Finder(owned)
    owners, calls = find_owners(finder, SEATS, list(owned))
    assert owners == {key: seats for key, seats in owned.items()}
    assert calls == len(SEATS) and all(len(group) == 1 for group in finder.asked)


@pytest.mark.parametrize("group", [SEATS[:2], SEATS])
def test_a_stub_of_several_owners_gets_every_owner_whose_own_query_returns_it(group: list[str]) -> None:
    finder = Finder({"M1": [group[0], group[-1]]})
    owners, _ = find_owners(finder, group, ["M1"])
    assert owners == {"M1": sorted([group[0], group[-1]])}


def test_an_item_no_owner_returns_any_more_is_left_unattributed() -> None:
    owners, _ = find_owners(Finder({}), SEATS[:4], ["P1"])
    assert owners == {}


def test_a_contract_page_attributes_only_the_items_that_need_it_and_parks_what_it_cannot() -> None:
    group = SEATS[:3]
    finder = Finder(
        {"P1": [group[1]], "P2": [group[2]], "P3": [group[0], group[2]], "P4": [group[0]]},
        extra={"P2": {"owner": group[2]}, "P4": {"created": "never"}},
    )
    page_items, _ = finder(group)
    finder.asked.clear()
    asked = Asked(ItemKind.PROSPECT_NOTE, CONTRACT, tuple(group), T - 1, T + 1)
    page = read_page("acme", page_items, asked, finder)
    notes = {e.data.note_id: e.data.owner for e in page.events if isinstance(e, ProspectNoteChanged)}
    assert notes == {"P1": group[1], "P2": group[2]}  # P2 named its owner: read as it is
    problems = {u.item["id"]: u.problem for u in page.unread}
    # P3 came back for two owners: a note has one author, and none is guessed. P4 cannot be read.
    assert problems == {"P3": ItemProblem.AMBIGUOUS_OWNER, "P4": ItemProblem.INVALID_FIELD}
    assert page.calls == len(finder.asked) > 0


def test_an_unattributed_item_that_went_away_between_the_reads_is_parked_with_why() -> None:
    group = SEATS[:2]
    asked = Asked(ItemKind.MAIL_STUB, CONTRACT, tuple(group), T - 1, T + 1)
    gone = {"id": "M1", "member": "urn:li:person:ada", "created": T}
    page = read_page("acme", [gone], asked, Finder({}))
    assert page.events == []
    (unread,) = page.unread
    assert unread.problem is ItemProblem.OWNER_UNKNOWN and "between the reads" in unread.reason
    single = read_page("acme", [gone], Asked(ItemKind.MAIL_STUB, CONTRACT, (group[0],)))
    assert [e.data.owners for e in single.events if isinstance(e, MailStubReceived)] == [[group[0]]]


def test_a_reader_that_fails_on_one_item_parks_it_and_reads_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    import workers.prospect_polling.pages as pages

    real = pages.read_stub

    def flaky(item: dict[str, Any], *args: Any) -> Any:
        if item["id"] == "M2":
            raise KeyError("a bug")
        return real(item, *args)

    monkeypatch.setattr(pages, "read_stub", flaky)
    asked = Asked(ItemKind.MAIL_STUB, CONTRACT, (SEATS[0],))
    items = [{"id": f"M{i}", "member": "urn:li:person:ada", "created": T} for i in range(1, 4)]
    page = read_page("acme", items, asked)
    assert [e.data.stub_id for e in page.events if isinstance(e, MailStubReceived)] == ["M1", "M3"]
    (unread,) = page.unread
    assert unread.problem is ItemProblem.READER_ERROR and "KeyError" in unread.reason
