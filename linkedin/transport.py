"""What the LinkedIn client sends its requests through: one request, one complete answer.

The client owns everything above that (tokens, rate limits, retries, error classes), so a transport
only moves bytes: it never retries, never follows a redirect (LinkedIn's API does not redirect), and
turns every network failure into ``TransportError``.

``PooledTransport`` is urllib3's thread-safe connection pools. It replaced httpx on this path: a GET
of an export against the sandbox cost a worker thread 0.34-0.36 ms of CPU through it against
0.62-0.64 ms through httpx, whose request and URL models cost more than the round trip itself
(``bench/RESULTS.md``, "Profile export"). Tests put the sandbox's in-process app behind the same
interface (``tests.sandbox_harness``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import urllib3

from rsc.errors import NoAnswer

#: A query: pairs in order (repeated names allowed) or a mapping.
Params = list[tuple[str, str]] | Mapping[str, str]


class TransportError(NoAnswer):
    """The request did not get an answer: refused, reset, timed out, or a malformed response.
    Its message is the cause's class name only (never a URL, which may carry personal data)."""


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> str:
        return urlsplit(self.url).query


@dataclass(frozen=True)
class Response:
    status_code: int
    #: Looked up case-insensitively (``PooledTransport`` hands urllib3's header dict through).
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` when it is not JSON."""
        return json.loads(self.content)


class Transport(Protocol):
    def send(self, request: Request, *, timeout_s: float) -> Response: ...

    def close(self) -> None: ...


def build_request(
    method: str,
    url: str,
    *,
    params: Params | None = None,
    json_body: Any = None,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Request:
    """A request with its query encoded and its body serialised (JSON, or an HTML form)."""
    all_headers = dict(headers or {})
    content: bytes | None = None
    if json_body is not None:
        content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
        all_headers["Content-Type"] = "application/json"
    elif form is not None:
        content = urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    if params:
        url = f"{url}?{urlencode(params)}"
    return Request(method, url, all_headers, content)


class PooledTransport:
    """urllib3 connection pools shared by every thread of a process (one pool per host)."""

    def __init__(self, *, connections_per_host: int = 32) -> None:
        # Beyond connections_per_host a busy host gets extra connections that are closed after use,
        # rather than threads queueing for a pooled one.
        self._pools = urllib3.PoolManager(maxsize=connections_per_host, block=False, retries=False)

    def send(self, request: Request, *, timeout_s: float) -> Response:
        try:
            answer = self._pools.request(
                request.method,
                request.url,
                body=request.content,
                headers=dict(request.headers),
                timeout=urllib3.Timeout(connect=timeout_s, read=timeout_s),
                retries=False,
                redirect=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise TransportError(type(exc).__name__) from exc
        return Response(answer.status, answer.headers, answer.data)

    def close(self) -> None:
        self._pools.clear()
