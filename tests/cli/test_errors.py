"""The mistakes a person running ``rsc`` makes are one line of error: an unusable store, an unknown
tenant, a setting it cannot take (named, never its value); anything else keeps its traceback."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from cli.errors import user_error
from rsc.settings import Settings
from store.tenants import TenantNotFound


def test_an_unusable_store_is_named_with_the_fix() -> None:
    error = OperationalError("SELECT 1", {}, ConnectionRefusedError())
    assert user_error(error) == (
        "the store (RSC_DATABASE_URL) cannot be used (ConnectionRefusedError): check that it is reachable "
        "and migrated (`rsc db upgrade`)"
    )


def test_an_unknown_tenant_is_its_own_message() -> None:
    assert user_error(TenantNotFound("tenant 'ghost' does not exist")) == "tenant 'ghost' does not exist"


def test_a_bad_setting_is_named_without_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSC_MAX_RETRIES", "secret-looking-value")
    with pytest.raises(ValidationError) as invalid:
        Settings()
    message = user_error(invalid.value)
    assert message is not None and message.startswith("a setting is not valid: RSC_MAX_RETRIES: ")
    assert "secret-looking-value" not in message


def test_anything_else_is_a_defect() -> None:
    assert user_error(KeyError("x")) is None
