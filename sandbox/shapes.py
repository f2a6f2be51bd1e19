"""Where each resource lives in the two shapes of LinkedIn's API, and how each shape names its keys.

``v2`` is ``/v2/...`` with ``X-RestLi-Protocol-Version: 2.0.0``; the versioned shape is ``/rest/...``
with ``LinkedIn-Version: YYYYMM`` (reference §1, §1.1). The 202602 release renamed candidates and
integrations; the rest of its rename table could not be read, so every row whose ``source`` says
ASSUMPTION is the project's guess (the project's shape decisions hold the same guesses). This table
is the one place to correct when LinkedIn's full rename table is known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: ``LinkedIn-Version`` values: a year of this century and a month.
VERSION_FORMAT = re.compile(r"20\d\d(0[1-9]|1[0-2])")
#: The newest version the reference shows; lenient mode assumes it when a rest/ call names none.
LATEST_VERSION = 202604
#: The release of the breaking renames (candidates, integrations).
RENAMES = 202602
#: How long a version is supported (reference §1.1: at least two years).
SUPPORT_MONTHS = 24


class Shape(StrEnum):
    V2 = "v2"
    REST = "rest"


def months_before(year_month: int, months: int) -> int:
    """``YYYYMM`` ``months`` months before ``year_month``."""
    index = (year_month // 100) * 12 + year_month % 100 - 1 - months
    return (index // 12) * 100 + index % 12 + 1


@dataclass(frozen=True)
class Dialect:
    """How one shape names a family's composite key and fields."""

    #: The id field of the composite key ("" for integrations, keyed by context and type).
    id_field: str = ""
    #: Keys carry ``dataProvider=ATS`` (v2, and rest/ before 202602).
    data_provider: bool = False
    #: v2 field name -> this shape's name, for the fields a release renamed.
    renames: Mapping[str, str] = field(default_factory=dict)

    def wire(self, name: str) -> str:
        return self.renames.get(name, name)

    def to_wire(self, record: Mapping[str, object]) -> dict[str, object]:
        return {self.wire(name): value for name, value in record.items()}

    def to_canonical(self, entity: Mapping[str, object]) -> dict[str, object]:
        back = {wire: name for name, wire in self.renames.items()}
        return {back.get(name, name): value for name, value in entity.items()}


PLAIN = Dialect()
V2_CANDIDATES = Dialect("atsCandidateId", data_provider=True)
REST_CANDIDATES = Dialect(
    "externalCandidateId",
    renames={"atsCreatedAt": "externalCreatedAt", "atsLastModifiedAt": "externalLastModifiedAt"},
)
V2_APPLICATIONS = Dialect("atsJobApplicationId", data_provider=True)
REST_APPLICATIONS = Dialect("id")
V2_INTEGRATIONS = Dialect(data_provider=True)
REST_INTEGRATIONS = Dialect()
V2_ACLS = Dialect(data_provider=True)
REST_ACLS = Dialect()
#: The release that brought the ACL resources to the versioned API (reference §1.1).
ACLS_VERSIONED = 202511


class Resource(StrEnum):
    OAUTH = "oauth"
    PROVISIONED_APPS = "provisionedApplications"
    PROVISIONED_APP = "provisionedApplication"
    APP_SECRETS = "applicationSecrets"
    APP_SECRET = "applicationSecret"  # noqa: S105 (a resource name)
    INTEGRATIONS = "integrations"
    CONFIGURATIONS = "configurations"
    JOB_POSTINGS = "jobPostings"
    JOB_TASKS = "jobTasks"
    CANDIDATES = "candidates"
    CANDIDATE_NOTES = "candidateNotes"
    APPLICATIONS = "applications"
    APPLICATION_STAGES = "applicationStages"
    APPLICATION_NOTES = "applicationNotes"
    INTERVIEW_FEEDBACK = "interviewFeedback"
    EXPORTED = "exportedCandidates"
    PURGED = "purgedExportedCandidates"
    SEATS = "seats"
    CONVERSATION_EVENTS = "conversationEvents"
    MAIL_STUBS = "mailStubs"
    PROSPECT_NOTES = "prospectNotes"
    ENTITY_ACLS = "entityAcls"
    ENTITY_ACL_ASSIGNEES = "entityAclAssignees"


DOCUMENTED = "documented"
ASSUMED = "ASSUMPTION"

#: ASSUMPTION: the field of a FAILED simpleJobPostingTasks element holding LinkedIn's reason (the
#: reference documents the task call, §3.3, not its fields).
TASK_FAILURE_FIELD = "failureReason"


@dataclass(frozen=True)
class Location:
    resource: Resource
    path: str
    dialect: Dialect = PLAIN
    #: First and last ``LinkedIn-Version`` serving it (rest/ only; None: open-ended).
    since: int | None = None
    until: int | None = None
    #: ``documented`` or ``ASSUMPTION`` with why.
    source: str = DOCUMENTED

    @property
    def shape(self) -> Shape:
        return Shape.REST if self.path.startswith("/rest/") else Shape.V2

    def serves(self, version: int) -> bool:
        return (self.since is None or version >= self.since) and (self.until is None or version <= self.until)


_V2_CANDIDATES_NOTES_KEY = "/v2/atsCandidates/{key}/notes"
#: The release that brought child-application secret management (§1.1).
SECRET_MANAGEMENT = 202510
_SECRETS_ASSUMED = (
    f"{ASSUMED}: secret management of child apps exists since {SECRET_MANAGEMENT} (§1.1), its path is "
    "not documented; a sub-resource of the provisioned app, with the partner's token"
)
_BEFORE_RENAMES = months_before(RENAMES, 1)

#: Every path the sandbox serves, by shape and version. A rest/ path outside its versions is 404.
LOCATIONS: tuple[Location, ...] = (
    Location(Resource.OAUTH, "/oauth/v2/accessToken"),
    Location(Resource.PROVISIONED_APPS, "/v2/provisionedApplications"),
    Location(Resource.PROVISIONED_APP, "/v2/provisionedApplications/{app_urn}"),
    Location(
        Resource.APP_SECRETS,
        "/rest/provisionedApplications/{app_urn}/secrets",
        since=SECRET_MANAGEMENT,
        source=_SECRETS_ASSUMED,
    ),
    Location(
        Resource.APP_SECRET,
        "/rest/provisionedApplications/{app_urn}/secrets/{secret_id}",
        since=SECRET_MANAGEMENT,
        source=_SECRETS_ASSUMED,
    ),
    # integrations (§3.2)
    Location(Resource.INTEGRATIONS, "/v2/atsIntegrations", V2_INTEGRATIONS),
    Location(
        Resource.INTEGRATIONS,
        "/rest/atsIntegrations",
        V2_INTEGRATIONS,
        until=_BEFORE_RENAMES,
        source=f"{ASSUMED}: the v2 resource under rest/ until the {RENAMES} rename",
    ),
    Location(Resource.INTEGRATIONS, "/rest/integrations", REST_INTEGRATIONS, since=RENAMES),
    Location(Resource.CONFIGURATIONS, "/v2/atsIntegrations/{key}/configurations", V2_INTEGRATIONS),
    Location(
        Resource.CONFIGURATIONS,
        "/rest/atsIntegrations/{key}/configurations",
        V2_INTEGRATIONS,
        until=_BEFORE_RENAMES,
        source=ASSUMED,
    ),
    Location(
        Resource.CONFIGURATIONS,
        "/rest/integrations/{key}/configurations",
        REST_INTEGRATIONS,
        since=RENAMES,
        source=f"{ASSUMED}: LinkedIn renamed the resource in {RENAMES}; its new name is unknown",
    ),
    # jobs (§3.3)
    Location(Resource.JOB_POSTINGS, "/v2/simpleJobPostings"),
    Location(Resource.JOB_POSTINGS, "/rest/simpleJobPostings", source=ASSUMED),
    Location(Resource.JOB_TASKS, "/v2/simpleJobPostingTasks"),
    Location(Resource.JOB_TASKS, "/rest/simpleJobPostingTasks", source=ASSUMED),
    # candidates and their notes (§3.4, §3.5)
    Location(Resource.CANDIDATES, "/v2/atsCandidates", V2_CANDIDATES),
    Location(
        Resource.CANDIDATES,
        "/rest/atsCandidates",
        V2_CANDIDATES,
        until=_BEFORE_RENAMES,
        source=f"{ASSUMED}: the v2 resource under rest/ until the {RENAMES} rename",
    ),
    Location(Resource.CANDIDATES, "/rest/candidates", REST_CANDIDATES, since=RENAMES),
    Location(Resource.CANDIDATE_NOTES, _V2_CANDIDATES_NOTES_KEY, V2_CANDIDATES),
    Location(
        Resource.CANDIDATE_NOTES,
        "/rest/atsCandidates/{key}/notes",
        V2_CANDIDATES,
        until=_BEFORE_RENAMES,
        source=ASSUMED,
    ),
    Location(
        Resource.CANDIDATE_NOTES,
        "/rest/candidates/{key}/notes",
        REST_CANDIDATES,
        since=RENAMES,
        source=f"{ASSUMED}: notes follow their candidate's rename; note fields unchanged",
    ),
    # applications and their sub-resources (§3.6)
    Location(Resource.APPLICATIONS, "/v2/atsApplications", V2_APPLICATIONS),
    Location(
        Resource.APPLICATIONS,
        "/rest/atsApplications",
        REST_APPLICATIONS,
        source=f"key documented (id, integrationContext); path and fields from {RENAMES} on {ASSUMED}",
    ),
    *(
        Location(resource, f"{prefix}/atsApplications/{{key}}/{sub}", dialect, source=source)
        for resource, sub in (
            (Resource.APPLICATION_STAGES, "stages"),
            (Resource.APPLICATION_NOTES, "notes"),
            (Resource.INTERVIEW_FEEDBACK, "interviewFeedback"),
        )
        for prefix, dialect, source in (
            ("/v2", V2_APPLICATIONS, DOCUMENTED),
            ("/rest", REST_APPLICATIONS, ASSUMED),
        )
    ),
    # pulled from LinkedIn (§3.8)
    Location(Resource.EXPORTED, "/v2/exportedCandidates"),
    Location(Resource.EXPORTED, "/rest/exportedCandidates"),
    Location(Resource.PURGED, "/rest/atsPurgedExportedCandidates"),
    Location(Resource.SEATS, "/v2/seatsV2"),
    Location(Resource.SEATS, "/rest/seatsV2"),
    Location(Resource.CONVERSATION_EVENTS, "/v2/conversationEvents"),
    Location(Resource.CONVERSATION_EVENTS, "/rest/conversationEvents", source=ASSUMED),
    Location(Resource.MAIL_STUBS, "/v2/mailStubs"),
    Location(Resource.MAIL_STUBS, "/rest/mailStubs"),
    Location(Resource.PROSPECT_NOTES, "/v2/prospectNotes"),
    Location(Resource.PROSPECT_NOTES, "/rest/prospectNotes", source=ASSUMED),
    # ACLs (§3.7)
    Location(Resource.ENTITY_ACLS, "/v2/atsEntityAcls", V2_ACLS),
    Location(
        Resource.ENTITY_ACLS,
        "/rest/entityAcls",
        REST_ACLS,
        since=ACLS_VERSIONED,
        source=f"name documented (§1.1); {ASSUMED}: the v2 key without dataProvider, same calls",
    ),
    Location(
        Resource.ENTITY_ACL_ASSIGNEES,
        "/v2/atsEntityAclAssignees",
        V2_ACLS,
        source=f"documented; {ASSUMED}: the key the reference elides (ids[0]...) is the ACL's key",
    ),
    Location(
        Resource.ENTITY_ACL_ASSIGNEES,
        "/rest/entityAclAssignees",
        REST_ACLS,
        since=ACLS_VERSIONED,
        source=f"name documented (§1.1); {ASSUMED}: the v2 key without dataProvider, same calls",
    ),
)


def resource_name(path: str) -> str:
    """The name counters and the request log use: the path without its shape and key segments."""
    if path.startswith("/oauth/"):
        return "oauth/accessToken"
    segments = [s for s in path.split("/")[2:] if s and not s.startswith("{")]
    return "/".join(segments)


def misplaced_hint(path: str) -> str:
    """Why an unknown path is unknown, when the same resource lives in the other shape."""
    shape, _, rest = path.lstrip("/").partition("/")
    other = "rest" if shape == "v2" else "v2"
    head = rest.split("/", 1)[0]
    for location in LOCATIONS:
        if head and location.path.split("/")[1:3] == [other, head]:
            if other == "rest":
                return f"{head} is served only under /rest/ (with a LinkedIn-Version header)"
            return f"{head} is served only under /v2/"
    return "LinkedIn serves no such resource"
