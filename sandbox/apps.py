"""Customer (child) apps, the partner (parent) app, and the access tokens they mint."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from sandbox.clock import ScaledClock
from sandbox.db import Database, dumps
from sandbox.secret_store import AppSecret, AppSecrets


@dataclass(frozen=True)
class App:
    """A customer app: its credentials and the organization and contracts it may act for."""

    client_id: str
    client_secret: str
    app_urn: str
    organization: str | None = None
    contracts: tuple[str, ...] = ()
    unique_foreign_id: str | None = None
    callback_url: str | None = None
    callback_check: dict[str, Any] | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    is_parent: bool = False

    def view(self, *, with_secret: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "clientId": self.client_id,
            "appUrn": self.app_urn,
            "organization": self.organization,
            "contracts": list(self.contracts),
            "uniqueForeignId": self.unique_foreign_id,
            "callbackUrl": self.callback_url,
            "callbackCheck": self.callback_check,
            **self.profile,
        }
        if with_secret:
            data["clientSecret"] = self.client_secret
        return data


@dataclass(frozen=True)
class Authenticated:
    """An app that proved its client credentials, and which of its secrets it used (None: the parent)."""

    app: App
    secret: AppSecret | None = None


@dataclass(frozen=True)
class TokenLookup:
    app: App | None
    expired: bool = False


class AppRegistry:
    """Apps and tokens, kept in SQLite and cached in memory (every API call looks its token up)."""

    def __init__(self, db: Database, clock: ScaledClock, parent_client_id: str, parent_secret: str) -> None:
        self._db = db
        self._clock = clock
        self.parent = App(
            client_id=parent_client_id,
            client_secret=parent_secret,
            app_urn="urn:li:developerApplication:0",
            is_parent=True,
        )
        self._apps: dict[str, App] = {}
        self._tokens: dict[str, tuple[str, int]] = {}
        self.secrets = AppSecrets(db, clock)

    # apps

    def create(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        organization: str | None = None,
        contracts: list[str] | None = None,
        unique_foreign_id: str | None = None,
        callback_url: str | None = None,
        profile: dict[str, Any] | None = None,
    ) -> App:
        client_id = client_id or "client-" + secrets.token_hex(8)
        if client_id == self.parent.client_id or self.get(client_id) is not None:
            raise ValueError(f"an app with client id '{client_id}' already exists")
        app_number = (self._db.one("SELECT COUNT(*) AS n FROM apps") or {"n": 0})["n"] + 1
        app = App(
            client_id=client_id,
            client_secret=client_secret or secrets.token_urlsafe(24),
            app_urn=f"urn:li:developerApplication:{100_000 + app_number}",
            organization=organization,
            contracts=tuple(contracts or ()),
            unique_foreign_id=unique_foreign_id,
            callback_url=callback_url,
            profile=profile or {},
        )
        self._db.execute(
            "INSERT INTO apps (client_id, client_secret, app_urn, unique_foreign_id, organization, contracts,"
            " callback_url, profile, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                app.client_id,
                app.client_secret,
                app.app_urn,
                app.unique_foreign_id,
                app.organization,
                dumps(list(app.contracts)),
                app.callback_url,
                dumps(app.profile),
                self._clock.now_ms(),
            ),
        )
        self.secrets.add(app.client_id, app.client_secret)
        self._apps[client_id] = app
        return app

    def update(self, app: App, **changes: Any) -> App:
        updated = replace(app, **changes)
        self._db.execute(
            "UPDATE apps SET organization = ?, contracts = ?, callback_url = ?, callback_check = ?,"
            " profile = ?"
            " WHERE client_id = ?",
            (
                updated.organization,
                dumps(list(updated.contracts)),
                updated.callback_url,
                dumps(updated.callback_check) if updated.callback_check is not None else None,
                dumps(updated.profile),
                updated.client_id,
            ),
        )
        self._apps[app.client_id] = updated
        return updated

    def get(self, client_id: str) -> App | None:
        if client_id in self._apps:
            return self._apps[client_id]
        row = self._db.one("SELECT * FROM apps WHERE client_id = ?", (client_id,))
        if row is None:
            return None
        app = _app_from_row(row)
        self._apps[client_id] = app
        return app

    def find(
        self,
        *,
        app_urn: str | None = None,
        unique_foreign_id: str | None = None,
        callback_url: str | None = None,
    ) -> App | None:
        column, value = next(
            (c, v)
            for c, v in (
                ("app_urn", app_urn),
                ("unique_foreign_id", unique_foreign_id),
                ("callback_url", callback_url),
            )
            if v is not None
        )
        row = self._db.one(f"SELECT client_id FROM apps WHERE {column} = ?", (value,))  # noqa: S608
        return self.get(row["client_id"]) if row else None

    def all(self) -> list[App]:
        return [
            a
            for row in self._db.all("SELECT client_id FROM apps ORDER BY created_at")
            if (a := self.get(row["client_id"])) is not None
        ]

    def for_organization(self, organization: str) -> App | None:
        row = self._db.one(
            "SELECT client_id FROM apps WHERE organization = ? ORDER BY created_at", (organization,)
        )
        return self.get(row["client_id"]) if row else None

    def forget_cache(self) -> None:
        self._apps.clear()
        self._tokens.clear()

    # credentials and tokens

    def authenticate(self, client_id: str, client_secret: str) -> Authenticated | None:
        """The app whose client id and one of whose secrets these are (a customer app may hold two)."""
        if client_id == self.parent.client_id:
            if secrets.compare_digest(self.parent.client_secret, client_secret):
                return Authenticated(self.parent)
            return None
        app = self.get(client_id)
        if app is None:
            return None
        if not self.secrets.of(client_id):
            # An app kept from before secrets had a table of their own: its one secret.
            self.secrets.add(client_id, app.client_secret)
        held = self.secrets.match(client_id, client_secret)
        return Authenticated(app, held) if held is not None else None

    def add_secret(self, app: App) -> AppSecret:
        """A new secret for ``app`` (``SecretLimit`` when it holds two); the app shows the newest."""
        created = self.secrets.add(app.client_id)
        self._show_newest_secret(app)
        return created

    def delete_secret(self, app: App, secret_id: str) -> bool:
        """Delete one of ``app``'s secrets; tokens minted with it live on until they expire."""
        deleted = self.secrets.delete(app.client_id, secret_id)
        if deleted:
            self._show_newest_secret(app)
        return deleted

    def _show_newest_secret(self, app: App) -> None:
        newest = self.secrets.of(app.client_id)[-1].secret
        self._db.execute("UPDATE apps SET client_secret = ? WHERE client_id = ?", (newest, app.client_id))
        self._apps[app.client_id] = replace(self.get(app.client_id) or app, client_secret=newest)

    def mint(self, app: App, ttl_s: int) -> str:
        token = secrets.token_urlsafe(32)
        expires_at = self._clock.now_ms() + ttl_s * 1000
        self._db.execute(
            "INSERT INTO tokens (token, client_id, expires_at) VALUES (?, ?, ?)",
            (token, app.client_id, expires_at),
        )
        self._tokens[token] = (app.client_id, expires_at)
        return token

    def newest_expiry(self, client_id: str) -> int | None:
        """When the app's longest-lived token expires (sandbox ms), or None if it never had one."""
        row = self._db.one("SELECT MAX(expires_at) AS at FROM tokens WHERE client_id = ?", (client_id,))
        return int(row["at"]) if row is not None and row["at"] is not None else None

    def lookup(self, token: str) -> TokenLookup:
        entry = self._tokens.get(token)
        if entry is None:
            row = self._db.one("SELECT client_id, expires_at FROM tokens WHERE token = ?", (token,))
            if row is None:
                return TokenLookup(None)
            entry = (row["client_id"], row["expires_at"])
            self._tokens[token] = entry
        client_id, expires_at = entry
        app = self.parent if client_id == self.parent.client_id else self.get(client_id)
        return TokenLookup(app, expired=self._clock.now_ms() >= expires_at)


def _app_from_row(row: Any) -> App:
    return App(
        client_id=row["client_id"],
        client_secret=row["client_secret"],
        app_urn=row["app_urn"],
        organization=row["organization"],
        contracts=tuple(json.loads(row["contracts"])),
        unique_foreign_id=row["unique_foreign_id"],
        callback_url=row["callback_url"],
        callback_check=json.loads(row["callback_check"]) if row["callback_check"] else None,
        profile=json.loads(row["profile"]),
    )
