"""One-Click Export: what a recruiter exported, fetched after LinkedIn's push.

The model is the filter: of everything the export carries, only the member URN, first and last name,
the displayed location and the current employers' names are read (the integration promises no
e-mail, experience or education from an export); the profile URL and current title are read too,
for the member record profile matching uses, and never reach the candidate.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from linkedin.errors import LinkedInNotFound
from linkedin.http import LinkedInHttp
from linkedin.versions import Family


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class CurrentPosition(_Tolerant):
    company_name: str | None = Field(default=None, alias="companyName")
    title: str | None = None


class ExportedMember(_Tolerant):
    person_urn: str = Field(alias="member", pattern=r"^urn:li:person:[A-Za-z0-9_-]+$")
    first_name: str = Field(alias="firstName", min_length=1)
    last_name: str | None = Field(default=None, alias="lastName")
    location: str | None = None
    #: Kept on the member record for matching, not on the candidate.
    profile_url: str | None = Field(default=None, alias="profileUrl")
    current_positions: list[CurrentPosition] = Field(default_factory=list, alias="currentPositions")

    @property
    def current_employers(self) -> list[str]:
        names: list[str] = []
        for position in self.current_positions:
            if position.company_name and position.company_name not in names:
                names.append(position.company_name)
        return names

    @property
    def current_title(self) -> str | None:
        """The title of the first current position that has one (kept on the member, for matching)."""
        return next((p.title for p in self.current_positions if p.title), None)


class ExportedCandidate(_Tolerant):
    request_id: str = Field(alias="requestId")
    integration_context: str = Field(alias="integrationContext")
    job_id: str = Field(alias="externalJobPostingId", min_length=1)
    exporter: str | None = None
    exported_at_ms: int | None = Field(default=None, alias="exportedAt")
    member: ExportedMember = Field(alias="candidate")


class Exports:
    def __init__(self, http: LinkedInHttp) -> None:
        self._http = http

    def fetch(self, request_id: str) -> ExportedCandidate:
        response = self._http.call(
            "GET",
            self._http.api.endpoint(Family.EXPORTED_CANDIDATES),
            params={"q": "request", "requestId": request_id},
        )
        elements = response.json().get("elements") or []
        if not elements:
            raise LinkedInNotFound(
                "LinkedIn has no export for this request id (expired, or for another organization)",
                status=404,
            )
        shape = self._http.api.shape(Family.EXPORTED_CANDIDATES)
        return ExportedCandidate.model_validate(shape.from_linkedin(elements[0]))
