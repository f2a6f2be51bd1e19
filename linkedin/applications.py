"""Applications (``atsApplications``) and what hangs off an application: stages (its status history),
notes and interview feedback. Deleting an application deletes those with it on LinkedIn's side.

On v2 an application is keyed by ``atsJobApplicationId`` and ``dataProvider=ATS``; on rest/ by ``id``
(``linkedin.versions``). Bodies keep the same fields on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linkedin.batching import CompositeBatch, SimpleBatch
from linkedin.http import LinkedInHttp
from linkedin.restli import BatchResult
from linkedin.versions import Family


class Applications:
    def __init__(self, http: LinkedInHttp, org_urn: str) -> None:
        self._batch = CompositeBatch(
            http,
            Family.APPLICATIONS,
            lambda application_id: {"atsJobApplicationId": application_id, "integrationContext": org_urn},
        )

    def upsert(self, records: Mapping[str, Mapping[str, Any]]) -> BatchResult:
        """PUT whole records (application id -> application body). An omitted field becomes null."""
        return self._batch.send("PUT", "batch_update", records, body_of=lambda body: body)

    def get(self, application_ids: list[str]) -> BatchResult:
        return self._batch.send("GET", None, dict.fromkeys(application_ids))

    def delete(self, application_ids: list[str]) -> BatchResult:
        """Delete applications with their stages, notes and feedback; a missing one counts as deleted."""
        return self._batch.send("DELETE", None, dict.fromkeys(application_ids), missing_ok=True)

    def stages(self, application_id: str) -> SimpleBatch:
        """One record per status transition: ``{atsCreatedAt, stage}`` keyed by the transition id."""
        return self._batch.sub(application_id, Family.APPLICATION_STAGES)

    def notes(self, application_id: str) -> SimpleBatch:
        """``{atsCreatedAt, atsLastModifiedAt, note, author{firstName, lastName}}`` keyed by note id."""
        return self._batch.sub(application_id, Family.APPLICATION_NOTES)

    def interview_feedback(self, application_id: str) -> SimpleBatch:
        """``{atsCreatedAt, evaluations[{attribute, result}], feedback, interviewer{...}}`` by feedback id."""
        return self._batch.sub(application_id, Family.INTERVIEW_FEEDBACK)
