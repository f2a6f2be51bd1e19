"""The partner (parent) app's calls: provisioning customer apps (reference §3.1) and managing their
client secrets (§1.1).

Only the parent app's token goes here, and the parent app's token goes nowhere else (§1). A customer
app is keyed by a ``uniqueForeignId`` (the tenant id): ``provision`` looks it up first and creates it
only when LinkedIn has none, so running it twice provisions once. The answers' credential field names
were not visible in the reference, so they are read tolerantly; the secret management path is an
ASSUMPTION kept in ``linkedin.versions``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from linkedin.errors import LinkedInRejected
from linkedin.http import LinkedInHttp
from linkedin.versions import Endpoint, Family
from rsc.errors import PermanentError

#: Finder that looks a customer app up by the partner's own id for it (§3.1).
FINDER = "credentialsByUniqueForeignId"


@dataclass(frozen=True)
class AppProfile:
    """What the partner asks LinkedIn to provision for one customer."""

    unique_foreign_id: str
    name: str
    description: str
    callback_urls: tuple[str, ...] = ()
    #: Domains hosting the JS widgets, without a trailing '/' (§3.1; trailing ones are cut).
    js_sdk_domains: tuple[str, ...] = ()

    def body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "uniqueForeignId": self.unique_foreign_id,
            "oauth2AuthorizedCallbackUrls": list(self.callback_urls),
            "validJsSdkDomains": [domain.rstrip("/") for domain in self.js_sdk_domains],
        }


@dataclass(frozen=True)
class ProvisionedApp:
    """A customer app as LinkedIn holds it."""

    app_urn: str
    client_id: str
    client_secret: str
    callback_urls: tuple[str, ...] = ()
    js_sdk_domains: tuple[str, ...] = ()


class Provisioning(StrEnum):
    CREATED = "created"
    #: Found by its uniqueForeignId and left as it was.
    REUSED = "reused"
    #: Found, and its callback URLs or JS SDK domains brought in line with the settings.
    UPDATED = "updated"


@dataclass(frozen=True)
class Provisioned:
    app: ProvisionedApp
    outcome: Provisioning
    #: The profile fields the update set (empty unless ``outcome`` is UPDATED).
    changed: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class AppSecretInfo:
    """One of a customer app's secrets, as listed (never its value)."""

    secret_id: str
    created_at: int | None = None


@dataclass(frozen=True)
class NewSecret:
    secret_id: str
    client_secret: str


class MalformedAnswer(PermanentError):
    """LinkedIn answered without what the call is for (an app's key or credentials, a secret)."""

    reason_code = "linkedin_malformed_answer"


def _first(entity: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if entity.get(name) not in (None, ""):
            return entity[name]
    return None


def _app(entity: Mapping[str, Any]) -> ProvisionedApp:
    """A provisioned app from LinkedIn's answer; the credentials may sit in ``credentials`` or on top."""
    nested = entity.get("credentials")
    credentials: Mapping[str, Any] = nested if isinstance(nested, Mapping) else {}
    client_id = _first(credentials, "clientId", "client_id") or _first(entity, "clientId", "client_id")
    secret = _first(credentials, "clientSecret", "client_secret") or _first(
        entity, "clientSecret", "client_secret"
    )
    key = _first(entity, "key", "id", "appUrn")
    if not key or not client_id or not secret:
        raise MalformedAnswer("LinkedIn answered a provisioned application without its key or credentials")
    return ProvisionedApp(
        str(key),
        str(client_id),
        str(secret),
        tuple(entity.get("oauth2AuthorizedCallbackUrls") or ()),
        tuple(entity.get("validJsSdkDomains") or ()),
    )


class ProvisionedApplications:
    """``provisionedApplications`` and its secrets, called with the partner app's token."""

    def __init__(self, http: LinkedInHttp) -> None:
        self.http = http

    def _path(self, family: Family, app_urn: str | None = None) -> Endpoint:
        return self.http.api.endpoint(family, quote(app_urn, safe="") if app_urn else None)

    def find(self, unique_foreign_id: str) -> ProvisionedApp | None:
        endpoint = self._path(Family.PROVISIONED_APPLICATIONS)
        params = {"q": FINDER, "uniqueForeignId": unique_foreign_id}
        elements = self.http.call("GET", endpoint, params=params).json().get("elements") or []
        return _app(elements[0]) if elements else None

    def create(self, profile: AppProfile) -> ProvisionedApp:
        endpoint = self._path(Family.PROVISIONED_APPLICATIONS)
        answer = self.http.call("POST", endpoint, json=profile.body())
        return _app(answer.json())

    def update(self, app_urn: str, changes: Mapping[str, Sequence[str]]) -> None:
        """Set profile fields of the app (§3.1: ``{"patch": {"$set": {...}}}``)."""
        endpoint = self._path(Family.PROVISIONED_APPLICATIONS).entity(quote(app_urn, safe=""))
        body = {"patch": {"$set": {name: list(value) for name, value in changes.items()}}}
        self.http.call("POST", endpoint, json=body)

    def secrets(self, app_urn: str) -> list[AppSecretInfo]:
        """The app's secrets (at most two), oldest first."""
        answer = self.http.call("GET", self._path(Family.APPLICATION_SECRETS, app_urn)).json()
        found = []
        for element in answer.get("elements") or []:
            secret_id = _first(element, "secretId", "id")
            if secret_id is None:
                raise MalformedAnswer("LinkedIn listed an application secret without its id")
            created = _first(element, "createdAt", "created")
            found.append(AppSecretInfo(str(secret_id), int(created) if created is not None else None))
        return sorted(found, key=lambda s: (s.created_at is None, s.created_at or 0))

    def create_secret(self, app_urn: str) -> NewSecret:
        """Rotate: a new secret beside the current one (both work until one is deleted)."""
        answer = self.http.call("POST", self._path(Family.APPLICATION_SECRETS, app_urn), json={})
        body = answer.json()
        secret_id = _first(body, "secretId", "id") or answer.headers.get("X-RestLi-Id")
        value = _first(body, "clientSecret", "secret", "value")
        if not secret_id or not value:
            raise MalformedAnswer("LinkedIn answered a new application secret without its id or value")
        return NewSecret(str(secret_id), str(value))

    def delete_secret(self, app_urn: str, secret_id: str) -> None:
        endpoint = self._path(Family.APPLICATION_SECRETS, app_urn).entity(quote(secret_id, safe=""))
        self.http.call("DELETE", endpoint)


def _differences(app: ProvisionedApp, profile: AppProfile) -> dict[str, tuple[str, ...]]:
    wanted = profile.body()
    changes: dict[str, tuple[str, ...]] = {}
    if set(app.callback_urls) != set(wanted["oauth2AuthorizedCallbackUrls"]):
        changes["oauth2AuthorizedCallbackUrls"] = tuple(wanted["oauth2AuthorizedCallbackUrls"])
    if set(app.js_sdk_domains) != set(wanted["validJsSdkDomains"]):
        changes["validJsSdkDomains"] = tuple(wanted["validJsSdkDomains"])
    return changes


def provision(apps: ProvisionedApplications, profile: AppProfile) -> Provisioned:
    """The customer's app: found by its uniqueForeignId (and its callback URLs and JS SDK domains set
    to the profile's where they differ), else created."""
    found = apps.find(profile.unique_foreign_id)
    if found is None:
        try:
            return Provisioned(apps.create(profile), Provisioning.CREATED)
        except LinkedInRejected as exc:
            # 409: a create of the same app (an earlier attempt, another operator) got there first.
            found = apps.find(profile.unique_foreign_id) if exc.status == 409 else None
            if found is None:
                raise
    changes = _differences(found, profile)
    if not changes:
        return Provisioned(found, Provisioning.REUSED)
    apps.update(found.app_urn, changes)
    updated = ProvisionedApp(
        found.app_urn,
        found.client_id,
        found.client_secret,
        changes.get("oauth2AuthorizedCallbackUrls", found.callback_urls),
        changes.get("validJsSdkDomains", found.js_sdk_domains),
    )
    return Provisioned(updated, Provisioning.UPDATED, tuple(sorted(changes)))
