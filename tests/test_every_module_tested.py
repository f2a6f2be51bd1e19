"""Every production module is imported by at least one test file (``tests/**/test_*.py``), so each has
a test that names it and checks its behaviour, not only a process or an import chain that happens to
run it. Read from the source (AST), no imports and no processes.

A test file that imports ``a.b.c`` (``import a.b.c``, ``from a.b.c import x``, ``from a.b import c``,
``importlib.import_module("a.b.c")``) counts for ``a.b.c`` and for the packages ``a`` and ``a.b``
whose ``__init__`` the import runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Modules no test can import, each with the reason and what runs it instead.
CANNOT_BE_IMPORTED = {
    # Alembic executes it inside its own migration context (``context.config`` exists only there);
    # every test database is migrated through it (tests/conftest.py) and
    # tests/store/test_contract.py::test_migrations_match_the_models checks the result on both stores.
    "store.migrations.env",
    # The empty package of Alembic's script directory: it holds env.py and the generated versions.
    "store.migrations",
}

#: Modules that no test file imports yet: run only through processes or an import chain. The list
#: only shrinks: a new module comes with its test, and a module given one leaves the list (the last
#: test below fails until it does).
NOT_YET_TESTED_DIRECTLY = {
    # Benchmark scenarios: bench.report runs them (tests/bench/test_report.py, small) or they are run
    # on their own with `python -m bench.<name>` for bench/RESULTS.md.
    "bench.backfill",
    "bench.candidate_flow",
    "bench.ceiling",
    "bench.ceilings",
    "bench.deletion_cascade",
    "bench.export_throughput",
    "bench.features",
    "bench.linkedin_calls",
    "bench.linkedin_rate",
    "bench.matching_store",
    "bench.prospect_polling",
    "bench.scheduler_tick",
    "bench.status_push",
    # Runs against a live pipeline: tests/e2e/test_demo.py runs `rsc demo`.
    "cli.demo",
    # Request handlers, the gateway and the server of the sandbox, exercised over HTTP by tests/sandbox/
    # and by every test against the sandbox harness; tests/cli/test_sandbox.py starts the server.
    "sandbox.inspection",
    "sandbox.oauth",
    "sandbox.protocol",
    "sandbox.server",
}


def _production_modules() -> set[str]:
    rooms = [p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"]
    modules = set()
    for room in rooms:
        for path in room.rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[:3] == ["store", "migrations", "versions"]:
                continue  # generated from the models; every test database is migrated by them
            if parts[-1] == "__init__":
                parts.pop()
            modules.add(".".join(parts))
    return modules


def _names_imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def _imported_by_tests() -> set[str]:
    imported: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for name in _names_imported(ast.parse(path.read_text(), filename=str(path))):
            parts = name.split(".")
            imported.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return imported


def test_every_production_module_is_imported_by_a_test_file() -> None:
    modules = _production_modules()
    assert len(modules) > 250  # the rooms were found
    untested = modules - _imported_by_tests() - CANNOT_BE_IMPORTED - NOT_YET_TESTED_DIRECTLY
    assert sorted(untested) == [], (
        "add a test under tests/<room>/... that imports each of these modules and checks what it does"
    )


def test_the_exceptions_name_existing_modules() -> None:
    modules = _production_modules()
    assert sorted((CANNOT_BE_IMPORTED | NOT_YET_TESTED_DIRECTLY) - modules) == []


def test_a_module_given_a_test_leaves_the_list_of_modules_without_one() -> None:
    assert sorted(NOT_YET_TESTED_DIRECTLY & _imported_by_tests()) == [], "remove these from the list"
