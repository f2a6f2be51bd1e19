"""What the report says of the machine it measured on: cores, memory, Python and SQLite versions, and
the load, read from the machine itself."""

from __future__ import annotations

import os
import re
import sqlite3

from bench.machine import load_average, machine_facts


def test_the_machine_facts_are_read_from_the_machine() -> None:
    facts = machine_facts()
    assert set(facts) == {"date", "cores", "memory", "Python", "SQLite"}
    assert facts["cores"].startswith(f"{os.cpu_count()} (")
    assert re.fullmatch(r"\d+\.\d GiB", facts["memory"])
    assert facts["SQLite"] == sqlite3.sqlite_version


def test_the_load_is_three_averages() -> None:
    assert re.fullmatch(r"\d+\.\d\d / \d+\.\d\d / \d+\.\d\d \(1 / 5 / 15 min\)", load_average())
