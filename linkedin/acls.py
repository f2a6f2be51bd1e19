"""Job ACLs (``atsEntityAcls`` and ``atsEntityAclAssignees`` on v2, reference §3.7): who in Recruiter
sees a synced job when the customer's job posting viewers are ``ACL_BASED``.

One ACL per job (its ``atsEntityAclId`` is the job id, ``atsEntityType=JOB_POSTING``), written with a
``batch_update`` of empty entities, and one assignee entry per Recruiter user allowed to see it
(``assignee=urn:li:person:...``). The reference writes an assignee's key as the ACL's key plus
``assignee`` (it elides the ACL's fields as ``...``); the versioned names (``entityAcls``,
``entityAclAssignees`` since 202511) are ASSUMPTIONS of ``linkedin.versions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from linkedin.batching import CompositeBatch
from linkedin.http import LinkedInHttp
from linkedin.restli import BatchResult
from linkedin.versions import Family

#: The one entity type the pipeline puts under ACLs.
JOB_POSTING = "JOB_POSTING"
#: Separates the job id and the person URN in an assignee's record id (ATS ids hold no whitespace).
_SEP = " "


def assignee_id(job_id: str, person_urn: str) -> str:
    return f"{job_id}{_SEP}{person_urn}"


class Acls:
    def __init__(self, http: LinkedInHttp, org_urn: str) -> None:
        self._http = http
        self._org = org_urn
        self._acls = CompositeBatch(http, Family.ENTITY_ACLS, self._acl_key)
        self._assignees = CompositeBatch(http, Family.ENTITY_ACL_ASSIGNEES, self._assignee_key)

    def _acl_key(self, job_id: str) -> dict[str, str]:
        return {
            "atsEntityAclId": job_id,
            "integrationContext": self._org,
            "atsEntityType": JOB_POSTING,
            "atsEntityId": job_id,
        }

    def _assignee_key(self, record_id: str) -> dict[str, str]:
        job_id, _, person = record_id.partition(_SEP)
        return {**self._acl_key(job_id), "assignee": person}

    def put(self, job_ids: Iterable[str]) -> BatchResult:
        """Create (or keep) each job's ACL."""
        return self._acls.send("PUT", "batch_update", dict.fromkeys(job_ids), body_of=lambda _: {})

    def delete(self, job_ids: Iterable[str]) -> BatchResult:
        """Delete each job's ACL; one LinkedIn does not hold counts as deleted."""
        return self._acls.send("DELETE", None, dict.fromkeys(job_ids), missing_ok=True)

    def assign(self, assignees: Mapping[str, Iterable[str]]) -> BatchResult:
        """Assign person URNs to jobs' ACLs (job id -> URNs); results keyed by ``assignee_id``."""
        ids = [assignee_id(job, person) for job, people in assignees.items() for person in people]
        return self._assignees.send("PUT", "batch_update", dict.fromkeys(ids), body_of=lambda _: {})

    def unassign(self, assignees: Mapping[str, Iterable[str]]) -> BatchResult:
        """Remove person URNs from jobs' ACLs; results keyed by ``assignee_id``."""
        ids = [assignee_id(job, person) for job, people in assignees.items() for person in people]
        return self._assignees.send("DELETE", None, dict.fromkeys(ids), missing_ok=True)

    def of_job(self, job_id: str) -> list[dict[str, Any]]:
        """The ACLs LinkedIn holds of the job (``q=criteria``)."""
        params = [("q", "criteria"), ("atsEntityId", job_id), ("atsEntityType", JOB_POSTING)]
        return self._find(self._acls, params)

    def assignments_of(self, person_urn: str) -> list[dict[str, Any]]:
        """The ACL assignments of one person (``q=criteria``)."""
        return self._find(self._assignees, [("q", "criteria"), ("assignee", person_urn)])

    def _find(self, batch: CompositeBatch, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        response = self._http.call("GET", batch.endpoint, params=params)
        elements = (response.json() if response.content else {}).get("elements") or []
        return [batch.shape.from_linkedin(e) for e in elements if isinstance(e, Mapping)]
