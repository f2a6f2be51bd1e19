"""Fixtures of the worker tests that run against the LinkedIn sandbox: tenant ``acme`` with its app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkedin.client import LinkedInClient
from store.db import Store
from tests.helpers import ORG, create_tenant
from tests.sandbox_harness import BASE_URL, SandboxHarness, running_sandbox


@pytest.fixture
def sandbox(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", BASE_URL)
    from rsc.settings import reset_settings

    reset_settings()
    create_tenant("acme")
    with running_sandbox(tmp_path, require_known_job=True) as harness:
        harness.create_app("acme-client", "acme-secret", ORG)
        yield harness


@pytest.fixture
def linkedin(sandbox: SandboxHarness) -> LinkedInClient:
    return sandbox.linkedin("acme-client", "acme-secret", ORG)
