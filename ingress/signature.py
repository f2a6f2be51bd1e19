"""LinkedIn push signatures (``X-LI-Signature``) and callback-URL challenge answers."""

from __future__ import annotations

import hashlib
import hmac
import json

PREFIX = "hmacsha256="


def sign(secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _escaped(body: bytes) -> bytes | None:
    """LinkedIn signs "the escaped Unicode version of the payload": JSON with \\uXXXX escapes."""
    try:
        return json.dumps(json.loads(body), ensure_ascii=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of the header against the raw body (or its escaped re-serialisation)."""
    if not header or not header.startswith(PREFIX):
        return False
    if hmac.compare_digest(sign(secret, body), header):
        return True
    escaped = _escaped(body)
    return escaped is not None and escaped != body and hmac.compare_digest(sign(secret, escaped), header)


def challenge_response(secret: str, challenge_code: str) -> str:
    return hmac.new(secret.encode(), challenge_code.encode(), hashlib.sha256).hexdigest()
