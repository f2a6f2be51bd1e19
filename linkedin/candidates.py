"""Candidates (``atsCandidates`` on v2, ``candidates`` on rest/): whole-record upserts, the manual member
match, reads, deletes, and notes.

Records are built in the pipeline's (v2) names; the table of ``linkedin.versions`` renames them for
the configured API (``atsCreatedAt`` is ``externalCreatedAt`` on rest/, ...) and renames answers back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linkedin.batching import CompositeBatch, SimpleBatch
from linkedin.errors import LinkedInUnavailable
from linkedin.http import LinkedInHttp
from linkedin.restli import BatchResult
from linkedin.versions import Family


class Candidates:
    def __init__(self, http: LinkedInHttp, org_urn: str) -> None:
        self._org = org_urn
        self._batch = CompositeBatch(
            http,
            Family.CANDIDATES,
            lambda candidate_id: {"atsCandidateId": candidate_id, "integrationContext": org_urn},
        )

    def upsert(self, records: Mapping[str, Mapping[str, Any]]) -> BatchResult:
        """PUT whole records (candidate id -> candidate body). An omitted field becomes null."""
        return self._batch.send("PUT", "batch_update", records, body_of=lambda body: body)

    def set_manual_match(self, matches: Mapping[str, str | None]) -> BatchResult:
        """Link each candidate to a member URN, or unlink it (None)."""

        def patch(urn: str | None) -> dict[str, Any]:
            if urn is None:
                return {"patch": {"$delete": ["manualMatchedMember"]}}
            return {"patch": {"$set": {"manualMatchedMember": urn}}}

        return self._batch.send("POST", "batch_partial_update", matches, body_of=patch)

    def get(self, candidate_ids: list[str]) -> BatchResult:
        """The records LinkedIn holds, in the pipeline's field names."""
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
        return self._batch.sub(candidate_id, Family.CANDIDATE_NOTES)
