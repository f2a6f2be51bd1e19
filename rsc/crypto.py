"""Secrets at rest and irreversible keyed hashes, both from the one key in ``RSC_SECRET_KEY``."""

from __future__ import annotations

import hashlib
import hmac
import warnings
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from rsc.settings import VAR_DIR, get_settings

_DEV_KEY_FILE = VAR_DIR / "secret.key"


class SecretKeyError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def _key() -> bytes:
    configured = get_settings().secret_key
    if configured:
        return configured.encode()
    # Embedded default only: a local key so that `make run` works on a fresh machine.
    path = Path(_DEV_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    warnings.warn(
        "RSC_SECRET_KEY is not set; using the development key in var/secret.key",
        stacklevel=2,
    )
    return path.read_bytes().strip()


def reset_key_cache() -> None:
    _key.cache_clear()


def encrypt(plaintext: str) -> str:
    return Fernet(_key()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return Fernet(_key()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretKeyError(
            "a stored secret cannot be decrypted with RSC_SECRET_KEY; was the key rotated?"
        ) from exc


def keyed_hash(*parts: str) -> str:
    """HMAC-SHA256 over the parts; without the key it cannot be reversed or recomputed."""
    mac = hmac.new(hashlib.sha256(b"rsc-keyed-hash" + _key()).digest(), digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part.encode())
        mac.update(b"\x1f")
    return mac.hexdigest()
