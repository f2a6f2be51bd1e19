"""One key, two uses (``rsc.crypto.Keyring``): secrets at rest and keyed hashes that cannot be recomputed
without it. The values below were made by the module before the keyring was wired at start-up; the same
key must keep reading them, or every stored secret and every tombstone would be lost."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from rsc.crypto import Keyring, SecretKeyError
from tests.infra import TEST_SECRET_KEY

KEY = TEST_SECRET_KEY.encode()
#: ``keyed_hash("tombstone", "acme", "candidate", "C-1")`` under ``KEY``.
TOMBSTONE_C1 = "35ebd8858d314a1b781227d23da5cfdceaeba6674f78e6e178f051ac8c6d6e1e"
#: ``keyed_hash()`` (no parts) under ``KEY``.
NO_PARTS = "594b04e2a1d93709c59966d88d15e40f0970899d9a261b4bfff36771a8529331"
#: ``encrypt("client-secret")`` under ``KEY``.
STORED_SECRET = (
    "gAAAAABrFtk55iz0WxVnmrnR2RnQWn0YOwELxebeEfAI85QktgXitM6jzjL8ybc5Ji4rIRSHjQViDVTO9smHtLaNi3XOEYlBpw=="
)


def test_keyed_hashes_of_a_fixed_key_stay_the_values_stored_before() -> None:
    keyring = Keyring.of(KEY)

    assert keyring.keyed_hash("tombstone", "acme", "candidate", "C-1") == TOMBSTONE_C1
    assert keyring.keyed_hash() == NO_PARTS
    # The parts are separated: moving a character across a boundary is another hash.
    assert keyring.keyed_hash("tombstone", "acme", "candidateC", "-1") != TOMBSTONE_C1
    assert (
        Keyring.of(Fernet.generate_key()).keyed_hash("tombstone", "acme", "candidate", "C-1") != TOMBSTONE_C1
    )


def test_a_secret_stored_before_still_decrypts_and_a_new_one_is_a_fernet_token() -> None:
    keyring = Keyring.of(KEY)

    assert keyring.decrypt(STORED_SECRET) == "client-secret"
    token = keyring.encrypt("client-secret")
    assert token != STORED_SECRET and "client-secret" not in token
    assert Fernet(KEY).decrypt(token.encode()) == b"client-secret"


def test_another_key_cannot_read_a_secret_and_says_so() -> None:
    with pytest.raises(SecretKeyError, match="was the key rotated"):
        Keyring.of(Fernet.generate_key()).decrypt(STORED_SECRET)


def test_the_key_is_loaded_on_first_use_only_once_and_never_shown() -> None:
    loads: list[int] = []

    def load() -> bytes:
        loads.append(1)
        return KEY

    keyring = Keyring(load)
    assert loads == [] and TEST_SECRET_KEY not in repr(keyring)
    assert keyring.decrypt(keyring.encrypt("x")) == "x" and keyring.keyed_hash("a") == Keyring.of(
        KEY
    ).keyed_hash("a")
    assert loads == [1]
