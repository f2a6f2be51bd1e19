"""Batch calls as LinkedIn wants them: at most 100 records a call, calls of one stream one after
another, and only the keys that failed transiently sent again.

Two kinds of resource share this: records addressed by composite keys (candidates, applications,
integrations), and sub-resources addressed by plain ids under their parent's key
(``.../stages?ids=S1&ids=S2``). Paths, key fields and field names come from the family's row of the
table for the configured API version (``linkedin.versions``): bodies go out in LinkedIn's names and
answers come back in the pipeline's. Results are always keyed by the caller's ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from linkedin.http import LinkedInHttp
from linkedin.restli import BatchResult, CompositeKey, chunks, ids_params, parse_batch_response
from linkedin.versions import Family, FamilyShape

#: Rounds in which keys that failed transiently (per-entity 429 or 5xx) are sent again.
KEY_RETRIES = 2
#: Pause before the first such round, doubled each round (seconds).
KEY_RETRY_BACKOFF_S = 0.2

Body = Callable[[Any], Any]


def retry_failed_keys(
    ids: list[str], send: Callable[[list[str]], BatchResult], *, sleep: Callable[[float], None] = time.sleep
) -> BatchResult:
    """Send ``ids`` in sequential chunks of at most 100, then resend only the keys that failed."""
    total = BatchResult()
    for chunk in chunks(ids):
        total.merge(send(chunk))
    for round_ in range(KEY_RETRIES):
        if not total.failed:
            break
        sleep(KEY_RETRY_BACKOFF_S * 2**round_)
        retry = sorted(total.failed)
        for chunk in chunks(retry):
            total.merge(send(chunk))
    return total


def _missing_as_done(result: BatchResult) -> BatchResult:
    """A delete of something LinkedIn no longer has is done, not refused."""
    for key, (status, _) in list(result.rejected.items()):
        if status == 404:
            del result.rejected[key]
            result.ok[key] = {"status": 404}
    return result


def _read_back(result: BatchResult, shape: FamilyShape) -> BatchResult:
    """Records LinkedIn answered, in the pipeline's field names."""
    result.ok = {key: shape.from_linkedin(entity) for key, entity in result.ok.items()}
    return result


class CompositeBatch:
    """A family whose records are addressed by a composite key, e.g. ``(atsCandidateId, dataProvider=ATS,
    integrationContext)`` on v2; ``key_values`` gives a record's key fields in the pipeline's names."""

    def __init__(
        self, http: LinkedInHttp, family: Family, key_values: Callable[[str], Mapping[str, str]]
    ) -> None:
        self.http = http
        self.family = family
        self.shape = http.api.shape(family)
        self.endpoint = http.api.endpoint(family)
        self._key_values = key_values

    def key_of(self, record_id: str) -> CompositeKey:
        """The record's key as LinkedIn names it on the configured shape."""
        return CompositeKey(self.shape.key_fields(self._key_values(record_id)))

    def send(
        self,
        method: str,
        restli_method: str | None,
        entities: Mapping[str, Any],
        *,
        body_of: Body | None = None,
        missing_ok: bool = False,
    ) -> BatchResult:
        def send_chunk(ids: list[str]) -> BatchResult:
            keys = {record_id: self.key_of(record_id) for record_id in ids}
            by_entity_key = {key.entity_key(): record_id for record_id, key in keys.items()}
            json = (
                None
                if body_of is None
                else {
                    "entities": {
                        key.entity_key(): self.shape.to_linkedin(body_of(entities[rid]))
                        for rid, key in keys.items()
                    }
                }
            )
            response = self.http.call(
                method,
                self.endpoint,
                params=ids_params(keys.values()),
                json=json,
                restli_method=restli_method,
            )
            parsed = parse_batch_response(response.json() if response.content else {}, by_entity_key)
            result = _read_back(parsed.rekeyed(by_entity_key), self.shape)
            return _missing_as_done(result) if missing_ok else result

        return retry_failed_keys(list(entities), send_chunk)

    def sub(self, record_id: str, family: Family) -> SimpleBatch:
        """A sub-resource family under the record (its notes, stages, configurations...)."""
        return SimpleBatch(self.http, family, self.key_of(record_id).entity_key())


class SimpleBatch:
    """A sub-resource with plain ids under one parent record: ``PUT {parent}/stages?ids=S1&ids=S2``."""

    def __init__(self, http: LinkedInHttp, family: Family, parent_key: str) -> None:
        self.http = http
        self.shape = http.api.shape(family)
        self.endpoint = http.api.endpoint(family, parent_key)

    def send(
        self,
        method: str,
        restli_method: str | None,
        entities: Mapping[str, Any],
        *,
        body_of: Body | None = None,
        missing_ok: bool = False,
    ) -> BatchResult:
        def send_chunk(ids: list[str]) -> BatchResult:
            json = (
                None
                if body_of is None
                else {"entities": {i: self.shape.to_linkedin(body_of(entities[i])) for i in ids}}
            )
            response = self.http.call(
                method,
                self.endpoint,
                params=[("ids", i) for i in ids],
                json=json,
                restli_method=restli_method,
            )
            result = parse_simple_batch_response(response.json() if response.content else {}, ids)
            result = _read_back(result, self.shape)
            return _missing_as_done(result) if missing_ok else result

        return retry_failed_keys(list(entities), send_chunk)

    def upsert(self, records: Mapping[str, Mapping[str, Any]]) -> BatchResult:
        """PUT whole records (id -> body)."""
        return self.send("PUT", "batch_update", records, body_of=lambda body: body)

    def get(self, ids: list[str]) -> BatchResult:
        return self.send("GET", None, dict.fromkeys(ids))

    def delete(self, ids: list[str]) -> BatchResult:
        """Delete records; one LinkedIn no longer has counts as deleted."""
        return self.send("DELETE", None, dict.fromkeys(ids), missing_ok=True)


def parse_simple_batch_response(body: Mapping[str, Any], ids: list[str]) -> BatchResult:
    """Plain ids are their own entity keys (they carry no ``=``), so they are compared as sent."""
    return parse_batch_response(body, ids, plain_ids=True)
