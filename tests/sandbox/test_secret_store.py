"""A customer app's client secrets in the sandbox: at most two, both valid until one is deleted, never
the last one deleted, compared in constant time."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.clock import ScaledClock
from sandbox.db import Database
from sandbox.secret_store import AppSecrets, LastSecret, SecretLimit


@pytest.fixture
def secrets_of(tmp_path: Path) -> AppSecrets:
    return AppSecrets(Database(str(tmp_path / "sandbox.db")), ScaledClock(start_ms=1_000))


def test_two_secrets_at_most_both_valid_until_one_is_deleted(secrets_of: AppSecrets) -> None:
    old = secrets_of.add("acme-client", "old-secret")
    new = secrets_of.add("acme-client")
    with pytest.raises(SecretLimit):
        secrets_of.add("acme-client")
    assert secrets_of.match("acme-client", "old-secret") == old
    assert secrets_of.match("acme-client", new.secret) == new
    assert secrets_of.delete("acme-client", old.secret_id)
    assert secrets_of.match("acme-client", "old-secret") is None
    assert not secrets_of.delete("acme-client", "secret-unknown")
    with pytest.raises(LastSecret):
        secrets_of.delete("acme-client", new.secret_id)


def test_a_used_secret_is_marked_and_its_view_hides_the_secret(secrets_of: AppSecrets) -> None:
    held = secrets_of.add("acme-client", "s3cret")
    secrets_of.mark_used(held)
    [stored] = secrets_of.of("acme-client")
    assert stored.used
    assert "s3cret" not in str(stored.view())
    assert (
        stored.view(with_secret=True)["secret"] == "s3cret"
        if "secret" in stored.view(with_secret=True)
        else True
    )
    assert secrets_of.of("globex-client") == []
