"""``atsCandidates``: whole-record upserts, the manual member match, reads, deletes, and notes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linkedin.batching import CompositeBatch, SimpleBatch
from linkedin.errors import LinkedInUnavailable
from linkedin.http import LinkedInHttp
from linkedin.restli import BatchResult, CompositeKey

PATH = "/v2/atsCandidates"


def candidate_key(candidate_id: str, org_urn: str) -> CompositeKey:
    return CompositeKey.of(atsCandidateId=candidate_id, dataProvider="ATS", integrationContext=org_urn)


class Candidates:
    def __init__(self, http: LinkedInHttp, org_urn: str) -> None:
        self._org = org_urn
        self._batch = CompositeBatch(http, PATH, lambda candidate_id: candidate_key(candidate_id, org_urn))

    def upsert(self, records: Mapping[str, Mapping[str, Any]]) -> BatchResult:
        """PUT whole records (candidate id -> atsCandidates body). An omitted field becomes null."""
        return self._batch.send("PUT", "batch_update", records, body_of=lambda body: body)

    def set_manual_match(self, matches: Mapping[str, str | None]) -> BatchResult:
        """Link each candidate to a member URN, or unlink it (None)."""

        def patch(urn: str | None) -> dict[str, Any]:
            if urn is None:
                return {"patch": {"$delete": ["manualMatchedMember"]}}
            return {"patch": {"$set": {"manualMatchedMember": urn}}}

        return self._batch.send("POST", "batch_partial_update", matches, body_of=patch)

    def get(self, candidate_ids: list[str]) -> BatchResult:
        return self._batch.send("GET", None, dict.fromkeys(candidate_ids))

    def matched_members(self, candidate_ids: list[str]) -> dict[str, list[str]]:
        """LinkedIn's own matches of synced candidates (``matchedMembers``), by candidate id.

        A candidate LinkedIn does not hold is left out; keys that kept failing transiently raise.
        """
        result = self.get(candidate_ids)
        if result.failed:
            raise LinkedInUnavailable(
                f"LinkedIn failed to return {len(result.failed)} of {len(candidate_ids)} candidates; "
                f"retry later"
            )
        found: dict[str, list[str]] = {}
        for candidate_id, entity in result.ok.items():
            members = entity.get("matchedMembers") if isinstance(entity, Mapping) else None
            found[candidate_id] = sorted({m for m in members or [] if isinstance(m, str)})
        return found

    def delete(self, candidate_ids: list[str]) -> BatchResult:
        """Delete candidates (LinkedIn deletes their notes with them, not their applications).

        A candidate LinkedIn no longer has counts as deleted, so a repeated delete is harmless.
        """
        return self._batch.send("DELETE", None, dict.fromkeys(candidate_ids), missing_ok=True)

    def notes(self, candidate_id: str) -> SimpleBatch:
        """The candidate's notes: ``{atsCreatedAt, atsLastModifiedAt, note, author{firstName, lastName}}``."""
        return SimpleBatch(self._batch.http, f"{self._batch.path_of(candidate_id)}/notes")
