"""``atsCandidates``: whole-record upserts, the manual member match, reads and deletes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linkedin.http import LinkedInHttp
from linkedin.restli import BatchResult, CompositeKey, chunks, ids_params, parse_batch_response

PATH = "/v2/atsCandidates"


def candidate_key(candidate_id: str, org_urn: str) -> CompositeKey:
    return CompositeKey.of(atsCandidateId=candidate_id, dataProvider="ATS", integrationContext=org_urn)


class Candidates:
    def __init__(self, http: LinkedInHttp, org_urn: str) -> None:
        self._http = http
        self._org = org_urn

    def _batch(
        self,
        method: str,
        restli_method: str | None,
        entities: Mapping[str, Any],
        *,
        body_of: Any = None,
    ) -> BatchResult:
        """Send ``entities`` (candidate id -> body) in sequential calls of at most 100 records."""
        total = BatchResult()
        for ids in chunks(list(entities)):
            keys = {cid: candidate_key(cid, self._org) for cid in ids}
            by_entity_key = {key.entity_key(): cid for cid, key in keys.items()}
            json = (
                None
                if body_of is None
                else {"entities": {k.entity_key(): body_of(entities[cid]) for cid, k in keys.items()}}
            )
            response = self._http.call(
                method, PATH, params=ids_params(keys.values()), json=json, restli_method=restli_method
            )
            parsed = parse_batch_response(response.json() if response.content else {}, by_entity_key)
            total.merge(_by_candidate(parsed, by_entity_key))
        return total

    def upsert(self, records: Mapping[str, Mapping[str, Any]]) -> BatchResult:
        """PUT whole records (candidate id -> atsCandidates body). An omitted field becomes null."""
        return self._batch("PUT", "batch_update", records, body_of=lambda body: body)

    def set_manual_match(self, matches: Mapping[str, str | None]) -> BatchResult:
        """Link each candidate to a member URN, or unlink it (None)."""

        def patch(urn: str | None) -> dict[str, Any]:
            if urn is None:
                return {"patch": {"$delete": ["manualMatchedMember"]}}
            return {"patch": {"$set": {"manualMatchedMember": urn}}}

        return self._batch("POST", "batch_partial_update", matches, body_of=patch)

    def get(self, candidate_ids: list[str]) -> BatchResult:
        return self._batch("GET", None, dict.fromkeys(candidate_ids))

    def delete(self, candidate_ids: list[str]) -> BatchResult:
        return self._batch("DELETE", None, dict.fromkeys(candidate_ids))


def _by_candidate(result: BatchResult, by_entity_key: Mapping[str, str]) -> BatchResult:
    return BatchResult(
        ok={by_entity_key[k]: v for k, v in result.ok.items()},
        rejected={by_entity_key[k]: v for k, v in result.rejected.items()},
        failed={by_entity_key[k]: v for k, v in result.failed.items()},
    )
