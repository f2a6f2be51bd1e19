"""The README's configuration table, generated from ``rsc/settings.py`` so it cannot drift.

Each setting's meaning is the ``#:`` comment above it; ``rsc config`` prints the table and a test
checks the README holds exactly this table between its ``config`` markers.
"""

from __future__ import annotations

import ast
import inspect
from enum import Enum

from rsc import settings as settings_module
from rsc.settings import Settings

START = "<!-- config:start -->"
END = "<!-- config:end -->"


def _comments() -> dict[str, str]:
    source = inspect.getsource(settings_module)
    lines = source.splitlines()
    tree = ast.parse(source)
    out: dict[str, str] = {}
    previous: str | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Settings":
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    comment: list[str] = []
                    index = item.lineno - 2
                    while index >= 0 and lines[index].strip().startswith("#:"):
                        comment.insert(0, lines[index].strip()[2:].strip())
                        index -= 1
                    if comment:
                        previous = " ".join(comment)
                    elif index < 0 or not lines[index].strip() or previous is None:
                        # A field with no comment of its own shares the one of the field just above.
                        previous = ""
                    out[item.target.id] = previous
    return out


def _default(name: str) -> str:
    value = Settings.model_fields[name].default
    if isinstance(value, Enum):
        value = value.value
    if value == "" or value is None:
        return "(empty)"
    return f"`{value}`"


def settings_table() -> str:
    comments = _comments()
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name in Settings.model_fields:
        meaning = comments.get(name, "").replace("|", "\\|")
        rows.append(f"| `RSC_{name.upper()}` | {_default(name)} | {meaning} |")
    return "\n".join(rows) + "\n"
