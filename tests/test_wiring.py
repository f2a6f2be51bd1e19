"""Dependencies are wired at start-up: only the composition roots read the process's settings and store.

Everything else takes the settings, the store, the publisher and the LinkedIn clients it needs as
arguments, passed down from a root (docs/architecture.md, "Wiring at start-up"). The test reads the
code (no imports, no processes) and fails on any use of ``get_settings`` or ``get_store`` outside the
places named below.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The process-wide accessors that only a composition root may use.
GLOBALS = {"get_settings", "get_store"}
#: Not library code: the tests and the benchmarks set up their own processes.
SKIPPED = {"tests", "bench", ".venv"}

#: Where a process is put together; a path ending in "/" covers its package.
COMPOSITION_ROOTS = {
    "cli/",  # the `rsc` command: each command builds what it runs
    "ingress/app.py",  # the web app factory: create_app() fills in what its caller did not pass
    "workers/runtime/wiring.py",  # the worker process: runtime() and the LinkedIn clients
    "workers/runtime/broker.py",  # the broker, created when the actors' modules are imported
    "rsc/settings.py",  # the definition of get_settings
    "store/db.py",  # the definition of get_store (a Store's pool sizes default to the settings')
}

#: Not yet wired: these still read the settings or the store themselves (the list only shrinks).
NOT_YET_WIRED: set[str] = set()


def _modules() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] not in SKIPPED
    )


def _allowed(module: str) -> bool:
    return module in NOT_YET_WIRED or any(
        module.startswith(root) if root.endswith("/") else module == root for root in COMPOSITION_ROOTS
    )


def reaches_for_globals(source: str) -> list[int]:
    """The lines that name ``get_settings`` or ``get_store`` (called, or passed on as a function)."""
    names = (
        (node.lineno, node.id if isinstance(node, ast.Name) else node.attr)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name | ast.Attribute)
    )
    return sorted(line for line, name in names if name in GLOBALS)


def test_the_check_sees_a_call_a_qualified_call_and_a_function_passed_on() -> None:
    source = "a = get_settings().x\nb = db.get_store()\nc = Clients(store=get_store)\nd = settings.x\n"
    assert reaches_for_globals(source) == [1, 2, 3]


def test_only_the_composition_roots_read_the_process_settings_and_store() -> None:
    offenders = {
        f"{module}:{line}"
        for module in _modules()
        if not _allowed(module)
        for line in reaches_for_globals((ROOT / module).read_text())
    }
    assert not offenders, (
        "library code reads the process's settings or store; take them as arguments from the "
        f"composition root instead: {sorted(offenders)}"
    )


def test_every_module_not_yet_wired_still_needs_its_place_on_the_list() -> None:
    wired = {module for module in NOT_YET_WIRED if not reaches_for_globals((ROOT / module).read_text())}
    assert not wired, f"wired now; remove from NOT_YET_WIRED: {sorted(wired)}"
