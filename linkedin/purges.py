"""``atsPurgedExportedCandidates``: exported members who closed their account or were purged.

LinkedIn asks partners to read it at least once every 30 days and to tell the customer, who may have
to delete those candidates unless it has a legal basis to keep them (reference §3.8, §6.3). The
finder is read over a ``purgedAt`` window, every page of it. It is documented only on the versioned
API, so it is read there (``/rest/atsPurgedExportedCandidates`` with a ``LinkedIn-Version``) whatever
shape the rest of the client speaks (``linkedin.versions``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from linkedin.http import LinkedInHttp
from linkedin.restli import read_pages
from linkedin.versions import Family


class PurgedCandidate(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    person_urn: str = Field(alias="member", pattern=r"^urn:li:person:[A-Za-z0-9_-]+$")
    integration_context: str | None = Field(default=None, alias="integrationContext")
    export_type: str | None = Field(default=None, alias="exportType")
    purged_at_ms: int = Field(alias="purgedAt", ge=0)


class PurgedCandidates:
    def __init__(self, http: LinkedInHttp) -> None:
        self._http = http

    def list(self, start_ms: int | None, end_ms: int) -> tuple[list[dict[str, object]], int]:
        """Raw elements purged in [start_ms, end_ms) (from the beginning when ``start_ms`` is None),
        and how many calls the read took. Validating them is the caller's job."""
        params = [("q", "criteria"), ("timeRange.end", str(end_ms))]
        if start_ms is not None:
            params.append(("timeRange.start", str(start_ms)))
        items, calls = read_pages(self._http, self._http.api.endpoint(Family.PURGED_CANDIDATES), params)
        shape = self._http.api.shape(Family.PURGED_CANDIDATES)
        return [shape.from_linkedin(item) for item in items], calls
