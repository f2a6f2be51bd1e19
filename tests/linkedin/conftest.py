"""The LinkedIn client against the in-process sandbox, with the rate limiter on a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkedin.client import LinkedInClient
from rsc.settings import reset_settings
from tests.helpers import ORG
from tests.sandbox_harness import BASE_URL, SandboxHarness, running_sandbox


@pytest.fixture
def sandbox(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", BASE_URL)
    reset_settings()
    with running_sandbox(tmp_path) as harness:
        harness.create_app("acme-client", "acme-secret", ORG)
        yield harness


@pytest.fixture
def linkedin(sandbox: SandboxHarness) -> LinkedInClient:
    return sandbox.linkedin("acme-client", "acme-secret", ORG)
