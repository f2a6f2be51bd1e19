"""Client-credentials tokens per customer app: one token shared by every thread, process and host.

LinkedIn tokens live about 30 minutes and are meant to be reused by all concurrent calls (reference
§1). The token is kept in the store, encrypted (``store.linkedin_tokens``); each process also keeps
it in memory, so a call reads no store at all while the token is good. Shortly before it expires,
whichever process needs it first mints the next one (one minter at a time: the others wait for its
token); a 401 has it re-minted once, by one process, and every other process picks that token up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from linkedin.errors import LinkedInAuthFailed, LinkedInUnavailable
from linkedin.sequencing import process_holder
from linkedin.transport import Transport, TransportError, build_request
from rsc.logs import get_logger
from rsc.metrics import LINKEDIN_TOKEN_MINTS
from store.db import Store
from store.linkedin_tokens import LinkedInTokens, MintCause, MintClaimed, StoredToken

log = get_logger(__name__)

#: Renew this long before LinkedIn's stated expiry, so no call carries a token that dies in flight
#: (half the lifetime for tokens shorter than twice this).
EXPIRY_MARGIN_S = 60.0
#: Between two looks at the store while another process mints (seconds).
MINT_POLL_S = 0.05


@dataclass(frozen=True)
class AppCredentials:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Token:
    """An access token and its generation (which mint it came from)."""

    value: str
    generation: int
    renew_at: float


class TokenCache:
    """Tokens of every customer app this process calls for, shared through the store."""

    def __init__(
        self,
        transport: Transport,
        oauth_url: str,
        *,
        store: Callable[[], Store],
        timeout_s: float = 10.0,
        holder: str | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        clock_scale: float = 1.0,
    ) -> None:
        self._transport = transport
        self._timeout_s = timeout_s
        self._url = oauth_url.rstrip("/") + "/oauth/v2/accessToken"
        self._store = store
        self._holder = holder or process_holder()
        self._clock = clock
        self._sleep = sleep
        #: How many times faster than real time LinkedIn's clock runs (1 against LinkedIn; a sandbox
        #: run faster states a token's lifetime in real seconds but counts the minute before its
        #: expiry on its own clock).
        self._clock_scale = clock_scale
        #: How long a mint claim holds: the token call's longest duration, and some.
        self._claim_s = 2 * timeout_s + 5
        self._tokens: dict[str, Token] = {}
        #: Generation LinkedIn answered 401 to, per app, until a newer token is in.
        self._refused: dict[str, int] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        #: Tokens this process minted.
        self.minted = 0

    def _lock_for(self, client_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(client_id, threading.Lock())

    def token(self, credentials: AppCredentials) -> Token:
        """The app's current token: from memory, else from the store, else minted."""
        app = credentials.client_id
        cached = self._tokens.get(app)
        if cached is not None and cached.renew_at > self._clock():
            return cached
        with self._lock_for(app):
            cached = self._tokens.get(app)
            if cached is not None and cached.renew_at > self._clock():
                return cached
            fresh = self._shared(credentials)
            self._tokens[app] = fresh
            self._refused.pop(app, None)
            return fresh

    def renew(self, credentials: AppCredentials) -> Token:
        """Drop the app's token and mint the next one with ``credentials`` (a new secret, after a
        rotation), for every process to use from now on: a refused secret raises and changes nothing."""
        app = credentials.client_id
        with self._lock_for(app):
            value, lifetime = self._mint(credentials)
            renew_at = self._renew_at(lifetime)
            store = self._store()
            with store.session(None) as session:
                generation = LinkedInTokens(session).put(
                    app, store.keyring.encrypt(value), int(renew_at * 1000)
                )
                session.commit()
            self.minted += 1
            LINKEDIN_TOKEN_MINTS.labels(app=app, cause=MintCause.ROTATION.value).inc()
            log.info("linkedin token minted", app=app, cause=MintCause.ROTATION.value, generation=generation)
            fresh = self._tokens[app] = Token(value, generation, renew_at)
            self._refused.pop(app, None)
            return fresh

    def _renew_at(self, lifetime: float) -> float:
        # The lifetime comes in real seconds; the margin is a minute of LinkedIn's clock.
        return self._clock() + max(lifetime - EXPIRY_MARGIN_S / self._clock_scale, lifetime / 2)

    def invalidate(self, credentials: AppCredentials, token: Token) -> None:
        """LinkedIn answered 401 to ``token``: the next ``token()`` brings a newer one (minting it
        only if no process has yet)."""
        app = credentials.client_id
        with self._lock_for(app):
            cached = self._tokens.get(app)
            if cached is not None and cached.generation == token.generation:
                del self._tokens[app]
                self._refused[app] = token.generation

    def _shared(self, credentials: AppCredentials) -> Token:
        """The store's token, or one this process mints while it holds the claim to."""
        app = credentials.client_id
        refused = self._refused.get(app)
        deadline = self._clock() + 2 * self._claim_s
        while True:
            now_ms = int(self._clock() * 1000)
            store = self._store()
            with store.session(None) as session:
                tokens = LinkedInTokens(session)
                found = tokens.current(app, now_ms, refused=refused)
                decided = found or tokens.claim_mint(
                    app, self._holder, now_ms, int(self._claim_s * 1000), refused=refused
                )
                session.commit()
            if isinstance(decided, StoredToken):
                return Token(
                    store.keyring.decrypt(decided.token_enc), decided.generation, decided.renew_at_ms / 1000
                )
            if isinstance(decided, MintClaimed):
                return self._mint_and_share(credentials, decided.cause)
            if self._clock() > deadline:
                raise LinkedInUnavailable(
                    f"another process has been minting the token of app {app} for over "
                    f"{2 * self._claim_s:.0f}s; retry later"
                )
            self._sleep(min(MINT_POLL_S, max(0.001, decided.wait_ms / 1000)))

    def _mint_and_share(self, credentials: AppCredentials, cause: MintCause) -> Token:
        app = credentials.client_id
        try:
            value, lifetime = self._mint(credentials)
        except BaseException:
            with self._store().session(None) as session:
                LinkedInTokens(session).abandon(app, self._holder)
                session.commit()
            raise
        renew_at = self._renew_at(lifetime)
        store = self._store()
        with store.session(None) as session:
            generation = LinkedInTokens(session).store(
                app, self._holder, store.keyring.encrypt(value), int(renew_at * 1000)
            )
            session.commit()
        self.minted += 1
        LINKEDIN_TOKEN_MINTS.labels(app=app, cause=cause.value).inc()
        log.info("linkedin token minted", app=app, cause=cause.value, generation=generation)
        return Token(value, generation, renew_at)

    def _mint(self, credentials: AppCredentials) -> tuple[str, float]:
        """A new token from LinkedIn's token endpoint, and its lifetime in seconds."""
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
        return str(body["access_token"]), float(body.get("expires_in", 1800))
