"""The process's keyring is built where its store is (``store.db.get_store``): from ``RSC_SECRET_KEY``,
else the embedded default's development key under var/, made on first use with a warning."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from rsc.settings import Settings
from store import db
from store.db import get_store, process_keyring
from tests.infra import TEST_SECRET_KEY
from tests.rsc.test_crypto import TOMBSTONE_C1

TOMBSTONE = ("tombstone", "acme", "candidate", "C-1")


@pytest.fixture
def dev_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var" / "secret.key"
    monkeypatch.setattr(db, "DEV_KEY_FILE", path)
    return path


def test_the_configured_key_is_the_keyring_and_no_development_key_is_made(dev_key_file: Path) -> None:
    keyring = process_keyring(Settings(secret_key=TEST_SECRET_KEY))

    assert keyring.keyed_hash(*TOMBSTONE) == TOMBSTONE_C1
    assert not dev_key_file.exists()


def test_without_a_key_the_development_key_is_made_on_first_use_and_kept(dev_key_file: Path) -> None:
    keyring = process_keyring(Settings(secret_key=""))
    assert not dev_key_file.exists()  # a process that never touches a secret makes no key

    with pytest.warns(UserWarning, match="RSC_SECRET_KEY is not set"):
        token = keyring.encrypt("client-secret")
    assert dev_key_file.exists() and stat.S_IMODE(dev_key_file.stat().st_mode) == 0o600
    with pytest.warns(UserWarning, match="development key in var/secret.key"):
        assert process_keyring(Settings(secret_key="")).decrypt(token) == "client-secret"


def test_the_process_store_carries_the_keyring_of_the_process_settings(sqlite_url: str) -> None:
    store = get_store()

    assert store.url == sqlite_url and store.keyring.keyed_hash(*TOMBSTONE) == TOMBSTONE_C1
