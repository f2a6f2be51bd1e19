from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.pipeline import Pipeline


@pytest.fixture
def pipeline(tmp_path: Path, postgres_url: str, rabbit: str) -> Iterator[Pipeline]:
    """Sandbox, ingress and scheduler running; tests start the workers they need."""
    running = Pipeline(tmp_path, postgres_url, rabbit)
    try:
        running.start_sandbox()
        running.start_ingress()
        running.start_scheduler()
        yield running
        running.assert_no_undeclared_violations()
    finally:
        running.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)
