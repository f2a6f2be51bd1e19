"""Client-credentials tokens per customer app, cached and shared by every thread of a process.

LinkedIn tokens live about 30 minutes; one token is reused by all concurrent calls and re-minted
only when it is about to expire or LinkedIn answers 401.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from linkedin.errors import LinkedInAuthFailed, LinkedInUnavailable
from linkedin.transport import Transport, TransportError, build_request

#: Re-mint this long before LinkedIn's stated expiry, so no call carries a token that dies in flight.
EXPIRY_MARGIN_S = 60.0


@dataclass(frozen=True)
class AppCredentials:
    client_id: str
    client_secret: str


@dataclass
class _Token:
    value: str
    expires_at: float


class TokenCache:
    def __init__(self, transport: Transport, oauth_url: str, *, timeout_s: float = 10.0) -> None:
        self._transport = transport
        self._timeout_s = timeout_s
        self._url = oauth_url.rstrip("/") + "/oauth/v2/accessToken"
        self._tokens: dict[str, _Token] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.minted = 0

    def _lock_for(self, client_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(client_id, threading.Lock())

    def token(self, credentials: AppCredentials) -> str:
        cached = self._tokens.get(credentials.client_id)
        if cached and cached.expires_at > time.monotonic():
            return cached.value
        with self._lock_for(credentials.client_id):
            cached = self._tokens.get(credentials.client_id)
            if cached and cached.expires_at > time.monotonic():
                return cached.value
            fresh = self._mint(credentials)
            self._tokens[credentials.client_id] = fresh
            return fresh.value

    def invalidate(self, credentials: AppCredentials, token: str) -> None:
        """Forget ``token`` after a 401, unless another thread already replaced it."""
        with self._lock_for(credentials.client_id):
            cached = self._tokens.get(credentials.client_id)
            if cached and cached.value == token:
                del self._tokens[credentials.client_id]

    def _mint(self, credentials: AppCredentials) -> _Token:
        try:
            form = {
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
            }
            response = self._transport.send(
                build_request("POST", self._url, form=form), timeout_s=self._timeout_s
            )
        except TransportError as exc:
            raise LinkedInUnavailable(f"token endpoint unreachable ({exc})") from exc
        if response.status_code in (400, 401):
            raise LinkedInAuthFailed(
                "LinkedIn refused the customer app's client credentials; check the tenant's "
                "client id and secret (`rsc tenant show`)"
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise LinkedInUnavailable(f"token endpoint answered {response.status_code}")
        if response.status_code >= 400:
            raise LinkedInAuthFailed(f"token endpoint answered {response.status_code}")
        body = response.json()
        self.minted += 1
        lifetime = float(body.get("expires_in", 1800))
        return _Token(body["access_token"], time.monotonic() + max(lifetime - EXPIRY_MARGIN_S, lifetime / 2))
