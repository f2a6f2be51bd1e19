"""The code stays in small modules: none of the project's own modules outside the generated migrations
has more than ``MAX_LINES`` lines (the tests have their own, longer scenarios)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400


def _production_modules() -> list[Path]:
    rooms = [p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"]
    return [
        path
        for room in rooms
        for path in room.rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    ]


def test_every_module_has_at_most_400_lines() -> None:
    modules = _production_modules()
    assert len(modules) > 100  # the rooms were found
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in modules
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these along their seams: {too_long}"
