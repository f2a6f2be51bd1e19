"""Imports run one way: the contracts in pyproject.toml (``[tool.importlinter]``) hold, and cover every room.

The layer order is written down once, in pyproject.toml; docs/architecture.md draws it.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: import-linter's ``lint-imports`` command, run with this interpreter.
LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
)


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_no_import_runs_up_the_layers_or_closes_a_cycle() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_imports_made_only_for_type_checking_count_in_every_contract() -> None:
    # Excluded, a cycle that closes through an annotation-only import would pass unseen.
    assert _config()["exclude_type_checking_imports"] is False


def test_every_room_of_the_code_has_a_place_in_the_layers() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    config = _config()
    layered = {room.strip() for layer in config["contracts"][0]["layers"] for room in layer.split("|")}
    assert packages == set(config["root_packages"]) == layered


def test_every_feature_package_of_the_workers_is_a_layer_of_its_own() -> None:
    workers = {p.parent.name for p in (ROOT / "workers").glob("*/__init__.py")}
    contract = _config()["contracts"][1]
    layered = {room.strip() for layer in contract["layers"] for room in layer.split("|")}
    assert workers <= layered
