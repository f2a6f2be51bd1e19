"""Fixtures of the worker tests: the LinkedIn sandbox with tenant ``acme`` and its app, and an SMTP inbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from linkedin.client import LinkedInClient
from rsc.settings import reset_settings
from store.db import Store
from tests.fakes import Inbox
from tests.helpers import ORG, create_tenant
from tests.infra import free_port
from tests.sandbox_harness import BASE_URL, SandboxHarness, running_sandbox


@pytest.fixture
def sandbox(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", BASE_URL)
    reset_settings()
    create_tenant("acme")
    with running_sandbox(tmp_path, require_known_job=True) as harness:
        harness.create_app("acme-client", "acme-secret", ORG)
        yield harness


@pytest.fixture
def linkedin(sandbox: SandboxHarness) -> LinkedInClient:
    return sandbox.linkedin("acme-client", "acme-secret", ORG)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("RSC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RSC_SMTP_PORT", str(port))
    monkeypatch.setenv("RSC_SMTP_FROM", "ats@acme.example")
    reset_settings()
    try:
        yield inbox
    finally:
        controller.stop()
