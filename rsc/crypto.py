"""Secrets at rest and irreversible keyed hashes, both from one key: a ``Keyring``.

A process builds its keyring once, at start-up, from ``RSC_SECRET_KEY`` (``store.db.process_keyring``);
the store carries it to the repositories and rows that encrypt or hash.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable
from functools import cached_property

from cryptography.fernet import Fernet, InvalidToken


class SecretKeyError(RuntimeError):
    pass


class Keyring:
    """Fernet encryption and HMAC-SHA256 keyed hashes under one key.

    The key is read on first use (``load``), so a process that never touches a secret never needs one.
    """

    def __init__(self, load: Callable[[], bytes]) -> None:
        self._load = load
        self._lock = threading.Lock()

    @classmethod
    def of(cls, key: bytes) -> Keyring:
        return cls(lambda: key)

    def __repr__(self) -> str:
        return "Keyring(<hidden>)"

    @cached_property
    def _key(self) -> bytes:
        with self._lock:
            return self._load()

    @cached_property
    def _fernet(self) -> Fernet:
        return Fernet(self._key)

    @cached_property
    def _hash_key(self) -> bytes:
        return hashlib.sha256(b"rsc-keyed-hash" + self._key).digest()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretKeyError(
                "a stored secret cannot be decrypted with RSC_SECRET_KEY; was the key rotated?"
            ) from exc

    def keyed_hash(self, *parts: str) -> str:
        """HMAC-SHA256 over the parts; without the key it cannot be reversed or recomputed."""
        mac = hmac.new(self._hash_key, digestmod=hashlib.sha256)
        for part in parts:
            mac.update(part.encode())
            mac.update(b"\x1f")
        return mac.hexdigest()
