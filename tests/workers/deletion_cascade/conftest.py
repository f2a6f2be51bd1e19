from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rsc.settings import reset_settings
from store.db import Store
from tests.sandbox_harness import SandboxHarness, running_sandbox
from tests.workers.deletion_cascade.support import World


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://testserver")
    reset_settings()
    with running_sandbox(tmp_path) as harness:
        yield harness


@pytest.fixture
def world(store: Store, sandbox: SandboxHarness) -> World:
    return World(store, sandbox)
