"""The HTTP core every resource family uses: auth, protocol headers, batch turns, rate limits,
timeouts and retries.

A call names its endpoint (``linkedin.versions``: family, path, API version); the core adds the
version's headers. A batch call first takes its (app, family) turn (``linkedin.sequencing``), so
batches of one app to one family are never in flight together, whichever process sends them. Every
attempt is admitted by the shared rate limiter (``linkedin.ratelimit``), so the customer app stays
within LinkedIn's budgets. 429 and 5xx (and transport errors) are retried a few times with
exponential backoff that honours ``Retry-After``; a wait longer than the client is willing to block a
worker thread for surfaces as ``LinkedInUnavailable`` so the message is retried later by the broker
instead. 401 re-mints the token once (``linkedin.auth``). 426 (the version is sunset) and other 4xx
are permanent (``LinkedInRejected``).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from linkedin.auth import AppCredentials, TokenCache
from linkedin.errors import LinkedInNotFound, LinkedInRejected, LinkedInUnavailable, LinkedInVersionSunset
from linkedin.ratelimit import Admission, RateLimited, Traffic, budget_family, is_batch, records_of
from linkedin.restli import safe_message
from linkedin.sequencing import BatchSequencer, SequenceBusy
from linkedin.transport import Params, Response, Transport, TransportError, build_request
from linkedin.versions import Api, Endpoint
from rsc.logs import get_logger
from rsc.metrics import LINKEDIN_CALLS, endpoint_label
from rsc.settings import Settings

log = get_logger(__name__)

#: Attempts per call before the failure is handed to the broker's retry policy.
MAX_ATTEMPTS = 4
#: Longest Retry-After the client sleeps through in-thread; longer ones go back to the broker.
MAX_INLINE_WAIT_S = 20.0


class _NoInlineRetry(LinkedInUnavailable):
    """A LinkedInUnavailable whose Retry-After is too long to wait for in a worker thread."""


def _retry_inline(exc: BaseException) -> bool:
    # The rate limiter or the batch turn has already waited as long as a worker thread may.
    return isinstance(exc, LinkedInUnavailable) and not isinstance(
        exc, _NoInlineRetry | RateLimited | SequenceBusy
    )


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, LinkedInUnavailable) and exc.retry_after_s is not None:
        return exc.retry_after_s
    return float(wait_random_exponential(multiplier=0.2, max=5)(state))


class LinkedInHttp:
    """Calls on behalf of one customer app; thread-safe, shares the process's connection pool."""

    def __init__(
        self,
        credentials: AppCredentials,
        *,
        transport: Transport,
        tokens: TokenCache,
        limiter: Admission,
        sequencer: BatchSequencer,
        traffic: Traffic = Traffic.LIVE,
        settings: Settings,
    ) -> None:
        self.settings = settings
        self.credentials = credentials
        self.traffic = traffic
        #: The resource table as the configured API version reads it.
        self.api = Api(self.settings.linkedin_api)
        self._transport = transport
        self._tokens = tokens
        self._limiter = limiter
        self._sequencer = sequencer
        self._base = self.settings.linkedin_api_url.rstrip("/")
        self.calls = 0

    def call(
        self,
        method: str,
        endpoint: Endpoint,
        *,
        params: Params | None = None,
        json: Any = None,
        restli_method: str | None = None,
    ) -> Response:
        retrying = Retrying(
            stop=stop_after_attempt(MAX_ATTEMPTS),
            wait=_wait,
            retry=retry_if_exception(_retry_inline),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                return self._once(method, endpoint, params=params, json=json, restli_method=restli_method)
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(
        self, method: str, endpoint: Endpoint, *, params: Params | None, json: Any, restli_method: str | None
    ) -> Response:
        app, path = self.credentials.client_id, endpoint.path
        budget, records = budget_family(endpoint.family), records_of(params, json)
        for _auth_attempt in range(2):
            token = self._tokens.token(self.credentials)
            request_headers = {
                "Authorization": f"Bearer {token.value}",
                **endpoint.version.headers(self.settings.linkedin_restli_version),
            }
            if restli_method:
                request_headers["x-restli-method"] = restli_method
            request = build_request(
                method, self._base + path, params=params, json_body=json, headers=request_headers
            )
            batch = is_batch(params, json)
            with self._sequencer.turn(app, endpoint.family) if batch else nullcontext() as turn:
                self._limiter.acquire(app, budget, records, self.traffic, max_wait_s=MAX_INLINE_WAIT_S)
                if turn is not None:
                    turn.ready()
                self.calls += 1
                try:
                    response = self._transport.send(request, timeout_s=self.settings.linkedin_timeout_s)
                except TransportError as exc:
                    LINKEDIN_CALLS.labels(endpoint=endpoint_label(budget), status="transport_error").inc()
                    log.info("linkedin call failed", endpoint=path, error_class=str(exc))
                    raise LinkedInUnavailable(f"{method} {path}: {exc}") from exc
            LINKEDIN_CALLS.labels(endpoint=endpoint_label(budget), status=str(response.status_code)).inc()
            if response.status_code == 401:
                self._tokens.invalidate(self.credentials, token)
                continue
            return self._check(method, endpoint, response)
        raise LinkedInUnavailable(f"{method} {path}: 401 after re-minting the token")

    def _check(self, method: str, endpoint: Endpoint, response: Response) -> Response:
        status, path = response.status_code, endpoint.path
        if status < 400:
            return response
        if status == 426:
            raise LinkedInVersionSunset(
                f"{method} {path}: LinkedIn no longer serves API version {endpoint.version.value} (426); "
                f"set RSC_LINKEDIN_API_VERSION to a version LinkedIn supports (YYYYMM) and restart",
                status=status,
            )
        if status == 429 or status >= 500:
            retry_after = _retry_after(response)
            log.info(
                "linkedin call throttled or failed",
                endpoint=path,
                status_code=status,
                retry_after_s=retry_after,
            )
            if retry_after is not None and retry_after > MAX_INLINE_WAIT_S:
                # Do not block a worker thread that long: let the broker redeliver later.
                raise _NoInlineRetry(f"{method} {path}: {status}", retry_after_s=retry_after)
            raise LinkedInUnavailable(f"{method} {path}: {status}", retry_after_s=retry_after)
        message = _error_message(response)
        if status == 404:
            raise LinkedInNotFound(f"{method} {path}: 404 {message}", status=status)
        raise LinkedInRejected(f"{method} {path}: {status} {message}", status=status)


def _retry_after(response: Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _error_message(response: Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, Mapping):
        # LinkedIn's messages may quote the offending value.
        return safe_message(str(body.get("message", "")))
    return ""
