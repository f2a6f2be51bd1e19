"""Rest.li details: composite keys in query strings and bodies, and per-entity batch results.

A synced ATS record is addressed by a composite key such as
``(atsCandidateId, dataProvider=ATS, integrationContext=urn:li:organization:1)`` on v2 or
``(externalCandidateId, integrationContext=...)`` on rest/ (``linkedin.versions``). In a batch call the
keys appear twice: as ``ids[i].field=value`` query parameters and as ``field=value&...`` entity keys
in the body (values URL-encoded). The response reports a status per entity key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, unquote

from rsc.logs import scrub

if TYPE_CHECKING:
    from linkedin.transport import Params, Response
    from linkedin.versions import Endpoint

#: LinkedIn accepts at most this many records per batch call.
MAX_BATCH = 100
#: Largest page LinkedIn's finders serve (their default is 10).
MAX_PAGE = 100


@dataclass(frozen=True)
class CompositeKey:
    fields: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, **fields: str) -> CompositeKey:
        return cls(tuple(fields.items()))

    def entity_key(self) -> str:
        """The key as it appears in a batch body: ``a=x&b=urn%3Ali%3A...``."""
        return "&".join(f"{name}={quote(value, safe='')}" for name, value in self.fields)

    def get(self, name: str) -> str:
        return dict(self.fields)[name]


def ids_params(keys: Iterable[CompositeKey]) -> list[tuple[str, str]]:
    """``ids[i].field=value`` query parameters for a batch of composite keys."""
    params: list[tuple[str, str]] = []
    for i, key in enumerate(keys):
        params.extend((f"ids[{i}].{name}", value) for name, value in key.fields)
    return params


def parse_entity_key(text: str) -> dict[str, str]:
    return {name: unquote(value) for name, _, value in (part.partition("=") for part in text.split("&"))}


@dataclass
class BatchResult:
    """Per-key outcome of one batch call."""

    ok: dict[str, Any] = field(default_factory=dict)
    #: key -> (status, message) for entities LinkedIn refused as invalid (not retried).
    rejected: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: key -> (status, message) for entities that failed transiently (429/5xx; retried).
    failed: dict[str, tuple[int, str]] = field(default_factory=dict)

    def merge(self, other: BatchResult) -> None:
        self.ok.update(other.ok)
        self.rejected.update(other.rejected)
        self.failed.update(other.failed)
        for key in [*other.ok, *other.rejected]:
            self.failed.pop(key, None)

    def rekeyed(self, names: Mapping[str, str]) -> BatchResult:
        """The same outcome keyed by ``names[key]`` (entity keys -> the caller's record ids)."""
        return BatchResult(
            ok={names[k]: v for k, v in self.ok.items()},
            rejected={names[k]: v for k, v in self.rejected.items()},
            failed={names[k]: v for k, v in self.failed.items()},
        )


def parse_batch_response(
    body: Mapping[str, Any], keys: Iterable[str], *, plain_ids: bool = False
) -> BatchResult:
    """Split a Rest.li batch response into succeeded, rejected and transiently failed keys.

    A key with neither a result nor an error counts as failed (retried): LinkedIn must confirm each
    record before the pipeline treats it as synced. Composite keys are compared field by field
    (LinkedIn may answer them in another order or encoding); ``plain_ids`` are compared as sent.
    """
    normalise = (lambda key: key) if plain_ids else _normalise
    results: Mapping[str, Any] = body.get("results") or {}
    errors: Mapping[str, Any] = body.get("errors") or {}
    normalised_results = {normalise(k): v for k, v in results.items()}
    normalised_errors = {normalise(k): v for k, v in errors.items()}
    out = BatchResult()
    for key in keys:
        norm = normalise(key)
        if norm in normalised_errors:
            error = normalised_errors[norm] or {}
            status = int(error.get("status", 500))
            message = safe_message(str(error.get("message", "")))
            if status == 429 or status >= 500:
                out.failed[key] = (status, message)
            else:
                out.rejected[key] = (status, message)
        elif norm in normalised_results:
            result = normalised_results[norm]
            # A write answers {"status": 204}; a read answers the record, whose own fields may
            # include a "status" that is not an HTTP one.
            written = result.get("status") if isinstance(result, Mapping) else None
            status = written if isinstance(written, int) and not isinstance(written, bool) else 200
            if status >= 400:
                target = out.failed if status == 429 or status >= 500 else out.rejected
                target[key] = (status, "")
            else:
                out.ok[key] = result
        else:
            out.failed[key] = (0, "no result for this key in LinkedIn's response")
    return out


#: A quoted value in LinkedIn's message (validation messages quote what was sent).
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def safe_message(text: str) -> str:
    """LinkedIn's message without the values it quotes (they may be personal data), capped."""
    return scrub(_QUOTED.sub("<value>", text))[:300]


def _normalise(key: str) -> str:
    return "&".join(sorted(f"{k}={v}" for k, v in parse_entity_key(key).items()))


def chunks(items: list[Any], size: int = MAX_BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Caller(Protocol):
    """What reading pages needs of a LinkedIn client (``linkedin.http.LinkedInHttp``): one call."""

    def call(self, method: str, endpoint: Endpoint, *, params: Params | None = None) -> Response: ...


def read_pages(
    http: Caller, endpoint: Endpoint, params: list[tuple[str, str]], page: int = MAX_PAGE
) -> tuple[list[dict[str, Any]], int]:
    """Every element of a finder, page after page, and how many calls the pages cost.

    The last page is the first one shorter than ``page`` or the one that reaches ``paging.total``.
    """
    items: list[dict[str, Any]] = []
    calls = 0
    while True:
        response = http.call(
            "GET", endpoint, params=[*params, ("start", str(len(items))), ("count", str(page))]
        )
        calls += 1
        body = response.json()
        elements = [e for e in body.get("elements") or [] if isinstance(e, dict)]
        items.extend(elements)
        total = (body.get("paging") or {}).get("total")
        if len(elements) < page or (isinstance(total, int) and len(items) >= total):
            return items, calls
