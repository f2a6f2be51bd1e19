"""The client secrets of customer apps: at most two per app, both valid until one is deleted.

Reference §1.1: an application holds at most two secrets; after a rotation both work until the old
one is deleted; a rotation fails while two exist. The secret management path for child applications
is not documented: the sandbox serves the project's ASSUMPTION (``sandbox/shapes.py``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sandbox.clock import ScaledClock
from sandbox.db import Database

#: Secrets an application may hold at once (reference §1.1).
MAX_SECRETS = 2


class SecretLimit(Exception):
    """The app holds two secrets already: one must be deleted before another is created."""


class LastSecret(Exception):
    """Deleting the app's only secret would leave it no way to mint tokens."""


@dataclass(frozen=True)
class AppSecret:
    client_id: str
    secret_id: str
    secret: str
    created_at: int
    used: bool

    def view(self, *, with_secret: bool = False) -> dict[str, object]:
        data: dict[str, object] = {"secretId": self.secret_id, "createdAt": self.created_at}
        if with_secret:
            data["clientSecret"] = self.secret
        return data


class AppSecrets:
    """Every customer app's secrets, in the sandbox's SQLite file."""

    def __init__(self, db: Database, clock: ScaledClock) -> None:
        self._db = db
        self._clock = clock

    def of(self, client_id: str) -> list[AppSecret]:
        """The app's secrets, oldest first."""
        rows = self._db.all(
            "SELECT * FROM app_secrets WHERE client_id = ? ORDER BY created_at, secret_id", (client_id,)
        )
        return [
            AppSecret(r["client_id"], r["secret_id"], r["secret"], r["created_at"], bool(r["used"]))
            for r in rows
        ]

    def add(self, client_id: str, secret: str | None = None) -> AppSecret:
        """A new secret for the app; ``SecretLimit`` when it holds two already."""
        if len(self.of(client_id)) >= MAX_SECRETS:
            raise SecretLimit(client_id)
        created = AppSecret(
            client_id,
            "secret-" + secrets.token_hex(6),
            secret or secrets.token_urlsafe(24),
            self._clock.now_ms(),
            used=False,
        )
        self._db.execute(
            "INSERT INTO app_secrets (client_id, secret_id, secret, created_at) VALUES (?, ?, ?, ?)",
            (client_id, created.secret_id, created.secret, created.created_at),
        )
        return created

    def delete(self, client_id: str, secret_id: str) -> bool:
        """Delete one secret; False when the app has no such secret, ``LastSecret`` for its only one."""
        held = self.of(client_id)
        if not any(s.secret_id == secret_id for s in held):
            return False
        if len(held) == 1:
            raise LastSecret(client_id)
        self._db.execute(
            "DELETE FROM app_secrets WHERE client_id = ? AND secret_id = ?", (client_id, secret_id)
        )
        return True

    def match(self, client_id: str, secret: str) -> AppSecret | None:
        """The app's secret equal to ``secret`` (compared in constant time), if any."""
        found = None
        for held in self.of(client_id):
            if secrets.compare_digest(held.secret, secret):
                found = held
        return found

    def mark_used(self, held: AppSecret) -> None:
        self._db.execute(
            "UPDATE app_secrets SET used = 1 WHERE client_id = ? AND secret_id = ?",
            (held.client_id, held.secret_id),
        )
