"""What ``/readyz`` of a worker group and the scheduler reports: the store and the broker, ``ok`` or the
error class of the check that failed."""

from __future__ import annotations

import pytest

from rsc.settings import get_settings, reset_settings
from store.db import get_store
from tests.conftest import reset_process_state
from workers.runtime.probes import dependency_checks


def test_a_reachable_store_and_broker_are_ok(sqlite_url: str) -> None:
    assert dependency_checks(get_settings(), get_store()) == {"database": "ok", "broker": "ok"}


def test_an_unreachable_broker_is_named_by_its_error(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_BROKER_URL", "amqp://guest:guest@127.0.0.1:1//")
    reset_settings()
    checks = dependency_checks(get_settings(), get_store())
    assert checks["database"] == "ok"
    assert checks["broker"].endswith("Error")


def test_a_store_that_does_not_answer_is_named_by_its_error(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_DATABASE_URL", "postgresql+psycopg://rsc@127.0.0.1:1/rsc?connect_timeout=2")
    reset_process_state()
    checks = dependency_checks(get_settings(), get_store())
    assert checks["broker"] == "ok"
    assert checks["database"] == "OperationalError"
