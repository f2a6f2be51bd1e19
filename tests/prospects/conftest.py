"""Fixtures of the InMail and note sync tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from rsc.settings import reset_settings
from tests.infra import free_port
from tests.prospects.support import Inbox


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
