"""The owner seats of stubs and notes that name none, found by asking LinkedIn per owner.

A contract poll asks mailStubs and prospectNotes for up to 100 owner seats in one call. An item that
names no owner is then ambiguous: any of them may own it. The same window is asked again for fewer
owners, and the seats whose own query returns the item are its owners. Few such items are found by
halving the group, recursively, only into the halves that still return one (about 2·k·log2(n) calls
for k items among n owners); many are found by asking each owner alone (n calls), whichever is
cheaper. Only the items asked about are attributed; the others were read already.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from workers.prospect_polling.items import item_id

#: Reads one window of the finder for these owner seats: (items, calls spent).
Reread = Callable[[list[str]], tuple[list[dict[str, Any]], int]]


def halving_is_cheaper(owners: int, wanted: int) -> bool:
    """Whether halving the group is expected to cost fewer calls than asking each owner alone."""
    if owners <= 2:
        return False
    return 2 * wanted * math.ceil(math.log2(owners)) < owners


def find_owners(
    reread: Reread, owners: Sequence[str], wanted: Iterable[str]
) -> tuple[dict[str, list[str]], int]:
    """For each wanted item id, the owner seats among ``owners`` whose own query returns it, and the
    calls spent. An id no owner's query returns (the item changed or went away between the reads)
    is missing from the answer."""
    looking = set(wanted)
    found: dict[str, set[str]] = {}
    calls = 0

    def ask(group: list[str]) -> set[str]:
        nonlocal calls
        items, spent = reread(group)
        calls += spent
        here = {i for i in (item_id(item) for item in items) if i in looking}
        if len(group) == 1:
            for key in here:
                found.setdefault(key, set()).add(group[0])
        return here

    def halve(group: list[str]) -> None:
        middle = len(group) // 2
        for half in (group[:middle], group[middle:]):
            if ask(half) and len(half) > 1:
                halve(half)

    group = list(dict.fromkeys(owners))
    if looking and group:
        if halving_is_cheaper(len(group), len(looking)):
            halve(group)
        else:
            for owner in group:
                ask([owner])
    return {key: sorted(seats) for key, seats in found.items()}, calls
