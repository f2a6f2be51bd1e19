"""The nickname table shipped with the project (``nicknames.txt``): which given names are one name.

"Bill" and "William" share the group ``william``; "Al" belongs to ``albert``, ``alexander`` and
``alfred``, so it is compatible with each of them while they stay incompatible with each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources

from matching.normalize import fold, within_one_edit

#: Names shorter than this are not corrected towards the table (too many neighbours).
MIN_NEAR_LENGTH = 4


def _deletions(name: str) -> set[str]:
    return {name, *(name[:i] + name[i + 1 :] for i in range(len(name)))}


class NicknameTableError(ValueError):
    pass


class Nicknames:
    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        index: dict[str, set[str]] = {}
        for formal, forms in groups.items():
            for name in (formal, *forms):
                index.setdefault(name, set()).add(formal)
        self._groups = {name: frozenset(found) for name, found in index.items()}
        self._by_deletion: dict[str, set[str]] = {}
        for name in self._groups:
            for variant in _deletions(name):
                self._by_deletion.setdefault(variant, set()).add(name)

    @classmethod
    def parse(cls, text: str, *, origin: str = "nickname table") -> Nicknames:
        groups: dict[str, list[str]] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            formal, colon, rest = line.partition(":")
            formal = fold(formal)
            forms = [fold(form) for form in rest.split(",") if fold(form)]
            if not colon or not formal or " " in formal or not forms:
                raise NicknameTableError(
                    f"{origin} line {number}: expected 'name: form, form, ...' with one-word names"
                )
            groups.setdefault(formal, []).extend(forms)
        return cls(groups)

    def groups(self, name: str) -> frozenset[str]:
        """The groups a folded given name belongs to; a name not in the table is its own group."""
        return self._groups.get(name) or frozenset((name,))

    def near_groups(self, name: str) -> frozenset[str]:
        """Groups of the table's names one typo away from ``name`` (a name not in the table).

        "Stcay" and "Jacqqui" are a typed nickname: compatible with Anastasia and Jacqueline, as a typo.
        """
        if name in self._groups or len(name) < MIN_NEAR_LENGTH:
            return frozenset()
        near: set[str] = set()
        for variant in _deletions(name):
            for known in self._by_deletion.get(variant, ()):
                if within_one_edit(name, known):
                    near.update(self._groups[known])
        return frozenset(near)

    def names(self) -> list[str]:
        """Every name the table knows, formal names and their forms."""
        return sorted(self._groups)

    def __len__(self) -> int:
        return len(self._groups)


@lru_cache(maxsize=1)
def default_nicknames() -> Nicknames:
    text = resources.files("matching").joinpath("nicknames.txt").read_text(encoding="utf-8")
    return Nicknames.parse(text, origin="matching/nicknames.txt")
