"""One token per customer app, shared by every process through the store: one mint per token lifetime
however many processes call, one re-mint per 401, one after expiry. Two ``LinkedInClients`` on one
store stand for two worker processes; both stores."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from functools import partial

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.errors import LinkedInUnavailable
from linkedin.transport import Request, Response
from rsc.settings import get_settings, reset_settings
from store.db import Store
from store.linkedin_tokens import LinkedInToken
from tests.helpers import ORG

APP = "acme-client"
BODY = {"firstName": "Ada", "atsCreatedAt": 1, "atsLastModifiedAt": 1, "addresses": [], "phoneNumbers": []}


def reply(code: int, body: object) -> Response:
    return Response(code, {}, json.dumps(body).encode())


class TokenIssuingLinkedIn:
    """LinkedIn's token endpoint (slow, as a real round trip is) and an API that accepts only tokens
    it has not revoked."""

    def __init__(self, *, expires_in: float = 1800, mint_s: float = 0.2) -> None:
        self.expires_in = expires_in
        self.mint_s = mint_s
        self.minted: list[str] = []
        self.revoked: set[str] = set()
        self.failing_mints = 0
        self.api_calls = 0
        self._lock = threading.Lock()

    def send(self, request: Request, *, timeout_s: float) -> Response:
        if request.path == "/oauth/v2/accessToken":
            time.sleep(self.mint_s)
            with self._lock:
                if self.failing_mints:
                    self.failing_mints -= 1
                    return reply(503, {"error": "temporarily_unavailable"})
                token = f"token-{len(self.minted) + 1}"
                self.minted.append(token)
            return reply(200, {"access_token": token, "expires_in": self.expires_in})
        with self._lock:
            self.api_calls += 1
        token = request.headers["Authorization"].removeprefix("Bearer ")
        if token in self.revoked or token not in self.minted:
            return reply(401, {"message": "Invalid access token", "status": 401})
        keys = json.loads(request.content)["entities"] if request.content else {}
        return reply(200, {"results": {k: {"status": 204} for k in keys}, "errors": {}})

    def close(self) -> None:
        pass


def process(linkedin: TokenIssuingLinkedIn, store: Store) -> LinkedInClient:
    """A worker process's client: its own token cache, connection pool and sequencer."""
    clients = LinkedInClients(get_settings(), transport=linkedin, store=lambda: store)
    return clients.for_app(AppCredentials(APP, "acme-secret"), ORG)


def in_threads(calls: list[Callable[[], object]]) -> None:
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def upserts(client: LinkedInClient, n: int) -> list[Callable[[], object]]:
    return [partial(client.candidates.upsert, {f"C-{i}": BODY}) for i in range(n)]


def mints_counted(cause: str) -> float:
    value = REGISTRY.get_sample_value("rsc_linkedin_token_mints_total", {"app": APP, "cause": cause})
    return value or 0.0


@pytest.fixture(autouse=True)
def _fake_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://li")
    reset_settings()


def test_two_processes_calling_at_once_mint_one_token_and_keep_it_encrypted(store: Store) -> None:
    linkedin = TokenIssuingLinkedIn()
    first, second = process(linkedin, store), process(linkedin, store)
    counted = mints_counted("first")
    in_threads(upserts(first, 4) + upserts(second, 4))
    assert linkedin.minted == ["token-1"] and linkedin.api_calls == 8
    assert mints_counted("first") - counted == 1
    with store.session(None) as session:
        row = session.scalars(select(LinkedInToken).where(LinkedInToken.app_id == APP)).one()
    assert row.token_enc is not None and "token-1" not in row.token_enc
    assert store.keyring.decrypt(row.token_enc) == "token-1" and row.generation == 1 and row.minter is None
    # A later run (a CLI command, a restarted worker) takes the stored token too.
    process(linkedin, store).candidates.upsert({"C-9": BODY})
    assert linkedin.minted == ["token-1"]


def test_a_401_has_the_token_re_minted_once_for_every_process(store: Store) -> None:
    linkedin = TokenIssuingLinkedIn()
    first, second = process(linkedin, store), process(linkedin, store)
    in_threads(upserts(first, 2) + upserts(second, 2))
    linkedin.revoked.add("token-1")
    counted = mints_counted("unauthorized")
    in_threads(upserts(first, 4) + upserts(second, 4))
    assert linkedin.minted == ["token-1", "token-2"]
    assert mints_counted("unauthorized") - counted == 1


def test_an_expired_token_is_re_minted_once_for_every_process(store: Store) -> None:
    # A 2 s token is renewed after half its lifetime.
    linkedin = TokenIssuingLinkedIn(expires_in=2)
    first, second = process(linkedin, store), process(linkedin, store)
    in_threads(upserts(first, 2) + upserts(second, 2))
    time.sleep(1.1)
    counted = mints_counted("expiry")
    in_threads(upserts(first, 4) + upserts(second, 4))
    assert linkedin.minted == ["token-1", "token-2"]
    assert mints_counted("expiry") - counted == 1


def test_a_failed_mint_leaves_the_next_call_free_to_mint_at_once(store: Store) -> None:
    linkedin = TokenIssuingLinkedIn(mint_s=0)
    linkedin.failing_mints = 4  # every attempt of the first process's call
    with pytest.raises(LinkedInUnavailable, match="token endpoint answered 503"):
        process(linkedin, store).candidates.upsert({"C-1": BODY})
    started = time.monotonic()
    process(linkedin, store).candidates.upsert({"C-1": BODY})
    assert time.monotonic() - started < 2  # not waiting 25 s for the failed minter's claim to expire
    assert linkedin.minted == ["token-1"]


@pytest.mark.parametrize(
    ("clock_scale", "expires_in", "renewed_after_s"), [(1.0, 1800, 1740), (30.0, 60, 58)]
)
def test_a_token_is_renewed_a_minute_of_linkedins_clock_before_it_expires(
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    clock_scale: float,
    expires_in: float,
    renewed_after_s: float,
) -> None:
    # A sandbox run 30 times faster lets a 30-minute token live one real minute (its expires_in says
    # so, in real seconds), and that token's last LinkedIn minute is two real seconds.
    monkeypatch.setenv("RSC_LINKEDIN_CLOCK_SCALE", str(clock_scale))
    reset_settings()
    linkedin = TokenIssuingLinkedIn(expires_in=expires_in, mint_s=0)
    clients = LinkedInClients(get_settings(), transport=linkedin, store=lambda: store)
    before = time.time()
    token = clients.tokens.token(AppCredentials(APP, "acme-secret"))
    assert renewed_after_s - 1 <= token.renew_at - before <= renewed_after_s + 1
