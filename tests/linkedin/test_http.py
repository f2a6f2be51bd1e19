"""The HTTP core: shared tokens, re-minting, retries that honour Retry-After, permanent 4xx, timeouts,
and only the keys that failed sent again."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.errors import LinkedInAuthFailed, LinkedInRejected, LinkedInUnavailable
from linkedin.transport import PooledTransport, Request, Response, TransportError, build_request
from rsc.settings import get_settings
from store.db import get_store
from tests.helpers import ORG
from tests.sandbox_harness import SandboxHarness

Handler = Callable[[Request], Response]


def reply(code: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(code, headers or {}, json.dumps(body).encode())


class Scripted:
    """A transport whose answers come from ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def send(self, request: Request, *, timeout_s: float) -> Response:
        return self.handler(request)

    def close(self) -> None:
        pass


class FakeLinkedIn:
    """A scripted LinkedIn: the token endpoint, and answers for API calls in order."""

    def __init__(self, *answers: Handler) -> None:
        self.answers = list(answers)
        self.api_calls: list[tuple[float, Request]] = []
        self.minted = 0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        if request.path == "/oauth/v2/accessToken":
            with self._lock:
                self.minted += 1
                return reply(200, {"access_token": f"token-{self.minted}", "expires_in": 1800})
        with self._lock:
            self.api_calls.append((time.monotonic(), request))
            scripted = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return scripted(request)

    def client(self) -> LinkedInClient:
        clients = LinkedInClients(get_settings(), get_store, transport=Scripted(self))
        return clients.for_app(AppCredentials("acme-client", "acme-secret"), ORG)


def ok_batch(request: Request) -> Response:
    keys = json.loads(request.content)["entities"] if request.content else {}
    return reply(200, {"results": {k: {"status": 204} for k in keys}, "errors": {}})


def status(code: int, headers: dict[str, str] | None = None) -> Handler:
    return lambda request: reply(code, {"message": "no", "status": code}, headers)


def ids_of(request: Request) -> list[str]:
    """The candidate ids a batch call names, on either API shape."""
    return [v for k, v in parse_qsl(request.query) if k.endswith((".atsCandidateId", ".externalCandidateId"))]


BODY = {"firstName": "Ada", "atsCreatedAt": 1, "atsLastModifiedAt": 1, "addresses": [], "phoneNumbers": []}


@pytest.fixture(autouse=True)
def _store(sqlite_url: str, api_version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limiter keeps its budgets in the store; these tests point the client at a fake host,
    on each API shape."""
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://li")
    from rsc.settings import reset_settings

    reset_settings()


def test_one_token_is_minted_for_many_threads_and_sent_as_a_bearer() -> None:
    fake = FakeLinkedIn(ok_batch)
    client = fake.client()
    threads = [threading.Thread(target=client.candidates.upsert, args=({f"C-{i}": BODY},)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fake.minted == 1
    assert len(fake.api_calls) == 8
    for _, request in fake.api_calls:
        assert request.headers["Authorization"] == "Bearer token-1"
        assert request.headers["X-RestLi-Protocol-Version"] == "2.0.0"
        assert request.headers["x-restli-method"] == "batch_update"


def test_a_401_re_mints_the_token_once() -> None:
    fake = FakeLinkedIn(status(401), ok_batch)
    result = fake.client().candidates.upsert({"C-1": BODY})
    assert set(result.ok) == {"C-1"}
    assert fake.minted == 2
    assert fake.api_calls[1][1].headers["Authorization"] == "Bearer token-2"


def test_an_expired_token_is_re_minted_against_the_sandbox(
    sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    sandbox.control("PUT", "/settings", json={"token_ttl_s": 120})
    linkedin.candidates.get(["C-1"])
    sandbox.control("PUT", "/clock", json={"advance_s": 600})
    linkedin.candidates.get(["C-1"])
    tokens = [
        r for r in sandbox.control("GET", "/requests")["requests"] if r["resource"] == "oauth/accessToken"
    ]
    statuses = [r["status"] for r in sandbox.control("GET", "/requests")["requests"] if r["method"] == "GET"]
    assert len(tokens) == 2
    assert 401 in statuses and statuses[-1] == 200


def test_refused_credentials_are_permanent_and_name_the_fix() -> None:
    def handler(request: Request) -> Response:
        return reply(401, {"error": "invalid_client"})

    clients = LinkedInClients(get_settings(), get_store, transport=Scripted(handler))
    client = clients.for_app(AppCredentials("acme-client", "wrong"), ORG)
    with pytest.raises(LinkedInAuthFailed, match="rsc tenant show"):
        client.candidates.get(["C-1"])


def test_429_is_retried_after_the_time_linkedin_asks_for() -> None:
    fake = FakeLinkedIn(status(429, {"Retry-After": "0.4"}), status(503), ok_batch)
    result = fake.client().candidates.upsert({"C-1": BODY})
    assert set(result.ok) == {"C-1"}
    (first, _), (second, _), _ = fake.api_calls
    assert second - first >= 0.4


def test_5xx_that_persists_ends_as_unavailable_after_a_few_attempts() -> None:
    fake = FakeLinkedIn(status(500))
    with pytest.raises(LinkedInUnavailable):
        fake.client().candidates.upsert({"C-1": BODY})
    assert len(fake.api_calls) == 4


def test_a_long_retry_after_goes_back_to_the_broker_instead_of_blocking_a_thread() -> None:
    fake = FakeLinkedIn(status(429, {"Retry-After": "3600"}))
    with pytest.raises(LinkedInUnavailable) as raised:
        fake.client().candidates.upsert({"C-1": BODY})
    assert raised.value.retry_after_s == 3600
    assert len(fake.api_calls) == 1


def test_a_validation_error_is_permanent_and_not_retried() -> None:
    fake = FakeLinkedIn(status(400))
    with pytest.raises(LinkedInRejected) as raised:
        fake.client().candidates.upsert({"C-1": BODY})
    assert raised.value.status == 400
    assert len(fake.api_calls) == 1


def test_timeouts_are_transient() -> None:
    def timeout(request: Request) -> Response:
        raise TransportError("ReadTimeoutError")

    fake = FakeLinkedIn(timeout)
    with pytest.raises(LinkedInUnavailable, match="ReadTimeoutError"):
        fake.client().candidates.upsert({"C-1": BODY})
    assert len(fake.api_calls) == 4


@pytest.fixture
def silent_host() -> Iterator[str]:
    """A host that accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_a_host_that_never_answers_times_out_as_a_transport_error(silent_host: str) -> None:
    transport = PooledTransport()
    started = time.monotonic()
    with pytest.raises(TransportError, match="ReadTimeoutError") as raised:
        transport.send(Request("GET", f"{silent_host}/v2/atsCandidates"), timeout_s=0.3)
    assert str(raised.value) == "ReadTimeoutError"  # the cause only, never the URL
    assert 0.3 <= time.monotonic() - started < 5
    transport.close()


def test_a_refused_connection_is_a_transport_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(TransportError):
        PooledTransport().send(Request("GET", f"http://127.0.0.1:{port}/v2/atsCandidates"), timeout_s=1)


def test_requests_carry_their_query_and_body_encoded() -> None:
    request = build_request(
        "POST",
        "http://li/v2/atsCandidates",
        params=[("ids[0].atsCandidateId", "C 1&2"), ("ids[1].atsCandidateId", "C-2")],
        json_body={"entities": {"k": "é"}},
        headers={"x-restli-method": "batch_update"},
    )
    assert parse_qsl(request.query) == [("ids[0].atsCandidateId", "C 1&2"), ("ids[1].atsCandidateId", "C-2")]
    assert json.loads(request.content or b"") == {"entities": {"k": "é"}}
    assert request.headers == {"x-restli-method": "batch_update", "Content-Type": "application/json"}
    form = build_request("POST", "http://li/oauth/v2/accessToken", form={"client_secret": "a&b=c"})
    assert parse_qsl((form.content or b"").decode()) == [("client_secret", "a&b=c")]


def test_only_the_keys_that_failed_are_sent_again() -> None:
    def partly(request: Request) -> Response:
        keys = list(json.loads(request.content or b"")["entities"])
        return reply(
            200,
            {
                "results": {k: {"status": 204} for k in keys if "C-2" not in k},
                "errors": {k: {"status": 503, "message": "busy"} for k in keys if "C-2" in k},
            },
        )

    fake = FakeLinkedIn(partly, ok_batch)
    result = fake.client().candidates.upsert({"C-1": BODY, "C-2": BODY, "C-3": BODY})
    assert set(result.ok) == {"C-1", "C-2", "C-3"} and not result.failed
    assert [ids_of(request) for _, request in fake.api_calls] == [["C-1", "C-2", "C-3"], ["C-2"]]


def test_keys_that_keep_failing_are_reported_failed_not_lost() -> None:
    def always_busy(request: Request) -> Response:
        keys = list(json.loads(request.content or b"")["entities"])
        return reply(200, {"results": {}, "errors": {k: {"status": 429} for k in keys}})

    fake = FakeLinkedIn(always_busy)
    result = fake.client().candidates.upsert({"C-1": BODY})
    assert result.failed == {"C-1": (429, "")} and not result.ok
    assert len(fake.api_calls) == 3
