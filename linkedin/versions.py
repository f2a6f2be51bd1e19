"""LinkedIn's two API shapes, and the one table of how each resource family looks on each.

``v2`` is the legacy ``/v2/...`` API with ``X-RestLi-Protocol-Version: 2.0.0``; a ``YYYYMM`` version
is the versioned ``/rest/...`` API with ``LinkedIn-Version: YYYYMM`` (reference §1, §1.1). The client
models the versioned API from 202602 on, the version that renamed candidates and integrations.

Callers build records in one vocabulary, the v2 one (``atsCandidateId``, ``atsCreatedAt``, ...): the
table says what each family is called on each shape (path, composite key, field names), and
``FamilyShape.to_linkedin`` and ``from_linkedin`` translate bodies and answers. Names the reference
documents are marked so in ``source``; every other name on the versioned shape is an ASSUMPTION (the
full 202602 rename table could not be read) and is kept here only, so a partner holding LinkedIn's
table corrects this one place. ``docs/linkedin-client.md`` shows the table, generated from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rsc.api_version import (  # noqa: F401 - the client's names for the API versions, kept here too
    FIRST_MODELLED_VERSION,
    LATEST_VERSION,
    RESTLI_PROTOCOL_VERSION,
    V2,
    ApiVersion,
    Shape,
)


class Family(StrEnum):
    """A resource family; the value names it in rate-limit budgets, batch sequencing and metrics."""

    CANDIDATES = "atsCandidates"
    CANDIDATE_NOTES = "atsCandidateNotes"
    INTEGRATIONS = "atsIntegrations"
    INTEGRATION_CONFIGURATIONS = "atsIntegrationConfigurations"
    APPLICATIONS = "atsApplications"
    APPLICATION_STAGES = "atsApplicationStages"
    APPLICATION_NOTES = "atsApplicationNotes"
    INTERVIEW_FEEDBACK = "atsInterviewFeedback"
    JOB_POSTINGS = "simpleJobPostings"
    JOB_POSTING_TASKS = "simpleJobPostingTasks"
    EXPORTED_CANDIDATES = "exportedCandidates"
    PURGED_CANDIDATES = "atsPurgedExportedCandidates"
    SEATS = "seatsV2"
    CONVERSATION_EVENTS = "conversationEvents"
    MAIL_STUBS = "mailStubs"
    PROSPECT_NOTES = "prospectNotes"
    PROVISIONED_APPLICATIONS = "provisionedApplications"
    APPLICATION_SECRETS = "provisionedApplicationSecrets"
    ENTITY_ACLS = "atsEntityAcls"
    ENTITY_ACL_ASSIGNEES = "atsEntityAclAssignees"


@dataclass(frozen=True)
class FamilyShape:
    """How one family looks on one shape."""

    #: The path; a sub-resource's holds ``{key}``, its parent record's composite key.
    path: str
    #: Composite key fields in LinkedIn's names and order (empty: plain ids, or no key at all).
    key: tuple[str, ...] = ()
    #: Key fields with a fixed value.
    constants: Mapping[str, str] = field(default_factory=dict)
    #: The pipeline's field name -> LinkedIn's on this shape (key fields and top-level body fields).
    renames: Mapping[str, str] = field(default_factory=dict)
    #: Where the names come from, and what of them is an ASSUMPTION.
    source: str = ""
    #: The path or the key is an assumption (the reference does not document them on this shape).
    assumed: bool = False
    #: Served only on the versioned API: sent to rest/ with a LinkedIn-Version even when the client
    #: speaks v2.
    versioned_only: bool = False
    #: Served only on the legacy API: sent to v2/ with its protocol header even when the client speaks
    #: a LinkedIn-Version.
    legacy_only: bool = False

    def key_fields(self, values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
        """The composite key from the pipeline's names (``atsCandidateId=...``) in LinkedIn's names."""
        named = {self.renames.get(name, name): value for name, value in values.items()}
        named.update(self.constants)
        missing = [name for name in self.key if name not in named]
        extra = [name for name in named if name not in self.key]
        if missing or extra:
            raise ValueError(f"key of {self.path}: missing {missing}, unexpected {extra}")
        return tuple((name, named[name]) for name in self.key)

    def to_linkedin(self, body: Any) -> Any:
        """A body in the pipeline's names -> LinkedIn's (top-level fields, and a patch's ``$set`` and
        ``$delete``)."""
        if not self.renames or not isinstance(body, Mapping):
            return body
        if isinstance(body.get("patch"), Mapping):
            patch = dict(body["patch"])
            if isinstance(patch.get("$set"), Mapping):
                patch["$set"] = self._renamed(patch["$set"])
            if isinstance(patch.get("$delete"), list):
                patch["$delete"] = [
                    self.renames.get(n, n) if isinstance(n, str) else n for n in patch["$delete"]
                ]
            return {**body, "patch": patch}
        return self._renamed(body)

    def from_linkedin(self, entity: Any) -> Any:
        """An answer in LinkedIn's names -> the pipeline's. A field already in the pipeline's name
        wins (LinkedIn may send both while a rename rolls out)."""
        if not self.renames or not isinstance(entity, Mapping):
            return entity
        back = {theirs: ours for ours, theirs in self.renames.items()}
        out: dict[str, Any] = {}
        for name, value in entity.items():
            ours = back.get(str(name), str(name))
            if ours not in out or ours == name:
                out[ours] = value
        return out

    def _renamed(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return {self.renames.get(name, name): value for name, value in body.items()}


#: Key of a synced candidate or application in the pipeline's names.
_CANDIDATE_RENAMES = {
    "atsCandidateId": "externalCandidateId",
    "atsCreatedAt": "externalCreatedAt",
    "atsLastModifiedAt": "externalLastModifiedAt",
}
_ATS = {"dataProvider": "ATS"}
_RECRUITER = {"tenantType": "RECRUITER"}
_UNCHANGED = "other fields unchanged: ASSUMPTION"
#: The release that brought child-application secret management (§1.1).
SECRET_MANAGEMENT_VERSION = "202510"  # noqa: S105 (an API version)
_PROVISIONED = FamilyShape(
    "/v2/provisionedApplications",
    source="documented only on v2 (§3.1): called there, with the partner app's token",
    legacy_only=True,
)
_SECRETS = FamilyShape(
    "/rest/provisionedApplications/{key}/secrets",
    assumed=True,
    versioned_only=True,
    source=f"ASSUMPTION: secret management of child apps exists since {SECRET_MANAGEMENT_VERSION} "
    "(§1.1), its path is not documented; under the provisioned app (its URN), with the partner's "
    "token: GET lists {secretId, createdAt}, POST {} creates one (answer: secretId, clientSecret), "
    "DELETE .../{secretId}",
)
#: Key of a job's ACL (reference §3.7).
_ACL_KEY = ("atsEntityAclId", "dataProvider", "integrationContext", "atsEntityType", "atsEntityId")

#: The table: every family the client calls, on each shape.
TABLE: dict[Family, dict[Shape, FamilyShape]] = {
    Family.CANDIDATES: {
        Shape.V2: FamilyShape(
            "/v2/atsCandidates",
            ("atsCandidateId", "dataProvider", "integrationContext"),
            _ATS,
            source="documented (§3.4)",
        ),
        Shape.REST: FamilyShape(
            "/rest/candidates",
            ("externalCandidateId", "integrationContext"),
            renames=_CANDIDATE_RENAMES,
            source=f"documented: the 202602 renames, no dataProvider (§1.1); {_UNCHANGED} "
            "(matchedMembers, manualMatchedMember, ...)",
        ),
    },
    Family.CANDIDATE_NOTES: {
        Shape.V2: FamilyShape("/v2/atsCandidates/{key}/notes", source="documented (§3.5)"),
        Shape.REST: FamilyShape(
            "/rest/candidates/{key}/notes",
            assumed=True,
            source="ASSUMPTION: under the renamed candidates, note fields unchanged",
        ),
    },
    Family.INTEGRATIONS: {
        Shape.V2: FamilyShape(
            "/v2/atsIntegrations",
            ("integrationContext", "integrationType", "tenantType", "dataProvider"),
            {**_RECRUITER, **_ATS},
            source="documented (§3.2)",
        ),
        Shape.REST: FamilyShape(
            "/rest/integrations",
            ("integrationContext", "integrationType", "tenantType"),
            _RECRUITER,
            source=f"documented: renamed in 202602, no dataProvider (§1.1); {_UNCHANGED}",
        ),
    },
    Family.INTEGRATION_CONFIGURATIONS: {
        Shape.V2: FamilyShape("/v2/atsIntegrations/{key}/configurations", source="documented (§3.2)"),
        Shape.REST: FamilyShape(
            "/rest/integrations/{key}/configurations",
            assumed=True,
            source="ASSUMPTION: renamed in 202602, the new name is unknown (§1.1)",
        ),
    },
    Family.APPLICATIONS: {
        Shape.V2: FamilyShape(
            "/v2/atsApplications",
            ("atsJobApplicationId", "dataProvider", "integrationContext"),
            _ATS,
            source="documented (§3.6)",
        ),
        Shape.REST: FamilyShape(
            "/rest/atsApplications",
            ("id", "integrationContext"),
            renames={"atsJobApplicationId": "id"},
            assumed=True,
            source="key documented (id, integrationContext; §1); ASSUMPTION: the path and the fields "
            "after 202602 (atsCandidateId, atsCreatedAt, ... unchanged)",
        ),
    },
    Family.APPLICATION_STAGES: {
        Shape.V2: FamilyShape("/v2/atsApplications/{key}/stages", source="documented (§3.6)"),
        Shape.REST: FamilyShape(
            "/rest/atsApplications/{key}/stages",
            assumed=True,
            source="ASSUMPTION: the v2 path under rest/, fields unchanged",
        ),
    },
    Family.APPLICATION_NOTES: {
        Shape.V2: FamilyShape("/v2/atsApplications/{key}/notes", source="documented (§3.6)"),
        Shape.REST: FamilyShape(
            "/rest/atsApplications/{key}/notes",
            assumed=True,
            source="ASSUMPTION: the v2 path under rest/, fields unchanged",
        ),
    },
    Family.INTERVIEW_FEEDBACK: {
        Shape.V2: FamilyShape("/v2/atsApplications/{key}/interviewFeedback", source="documented (§3.6)"),
        Shape.REST: FamilyShape(
            "/rest/atsApplications/{key}/interviewFeedback",
            assumed=True,
            source="ASSUMPTION: the v2 path under rest/, fields unchanged",
        ),
    },
    Family.JOB_POSTINGS: {
        Shape.V2: FamilyShape("/v2/simpleJobPostings", source="documented (§3.3)"),
        Shape.REST: FamilyShape(
            "/rest/simpleJobPostings", assumed=True, source="ASSUMPTION: same name, fields unchanged"
        ),
    },
    Family.JOB_POSTING_TASKS: {
        Shape.V2: FamilyShape(
            "/v2/simpleJobPostingTasks",
            source="documented (§3.3); ASSUMPTION: a FAILED task's reason in failureReason",
        ),
        Shape.REST: FamilyShape(
            "/rest/simpleJobPostingTasks", assumed=True, source="ASSUMPTION: same name, fields unchanged"
        ),
    },
    Family.EXPORTED_CANDIDATES: {
        Shape.V2: FamilyShape("/v2/exportedCandidates", source="documented (§3.8)"),
        Shape.REST: FamilyShape(
            "/rest/exportedCandidates", source=f"documented (§3.8); {_UNCHANGED} (candidate, ...)"
        ),
    },
    Family.PURGED_CANDIDATES: {
        Shape.V2: FamilyShape(
            "/rest/atsPurgedExportedCandidates",
            source=f"documented only on rest/ (§1.1, §3.8): read there, LinkedIn-Version {LATEST_VERSION}",
            versioned_only=True,
        ),
        Shape.REST: FamilyShape("/rest/atsPurgedExportedCandidates", source="documented (§1.1, §3.8)"),
    },
    Family.SEATS: {
        Shape.V2: FamilyShape("/v2/seatsV2", source="documented (§3.8)"),
        Shape.REST: FamilyShape(
            "/rest/seatsV2", source=f"documented as updated in 202512 (§1.1); {_UNCHANGED}"
        ),
    },
    Family.CONVERSATION_EVENTS: {
        Shape.V2: FamilyShape("/v2/conversationEvents", source="documented (§3.8)"),
        Shape.REST: FamilyShape(
            "/rest/conversationEvents", assumed=True, source="ASSUMPTION: same name, fields unchanged"
        ),
    },
    Family.MAIL_STUBS: {
        Shape.V2: FamilyShape("/v2/mailStubs", source="documented (§3.8)"),
        Shape.REST: FamilyShape(
            "/rest/mailStubs", source=f"documented as updated in 202510 (§1.1); {_UNCHANGED}"
        ),
    },
    Family.PROSPECT_NOTES: {
        Shape.V2: FamilyShape("/v2/prospectNotes", source="documented (§3.8)"),
        Shape.REST: FamilyShape(
            "/rest/prospectNotes", assumed=True, source="ASSUMPTION: same name, fields unchanged"
        ),
    },
    Family.PROVISIONED_APPLICATIONS: {Shape.V2: _PROVISIONED, Shape.REST: _PROVISIONED},
    Family.APPLICATION_SECRETS: {Shape.V2: _SECRETS, Shape.REST: _SECRETS},
    Family.ENTITY_ACLS: {
        Shape.V2: FamilyShape(
            "/v2/atsEntityAcls",
            _ACL_KEY,
            _ATS,
            source="documented (§3.7)",
        ),
        Shape.REST: FamilyShape(
            "/rest/entityAcls",
            tuple(name for name in _ACL_KEY if name != "dataProvider"),
            assumed=True,
            source="documented as entityAcls since 202511 (§1.1); ASSUMPTION: its key is the v2 key "
            "without dataProvider",
        ),
    },
    Family.ENTITY_ACL_ASSIGNEES: {
        Shape.V2: FamilyShape(
            "/v2/atsEntityAclAssignees",
            (*_ACL_KEY, "assignee"),
            _ATS,
            source="documented (§3.7); ASSUMPTION: the fields the reference elides (...) are the ACL's key",
        ),
        Shape.REST: FamilyShape(
            "/rest/entityAclAssignees",
            tuple(name for name in (*_ACL_KEY, "assignee") if name != "dataProvider"),
            assumed=True,
            source="documented as entityAclAssignees since 202511 (§1.1); ASSUMPTION: its key is the v2 "
            "key without dataProvider",
        ),
    },
}


@dataclass(frozen=True)
class Endpoint:
    """Where one call goes: its family (budgets, sequencing, metrics), path and protocol headers."""

    family: Family
    path: str
    version: ApiVersion

    def entity(self, key: str) -> Endpoint:
        """The endpoint of one entity of the resource (``{path}/{key}``, the key already encoded)."""
        return Endpoint(self.family, f"{self.path}/{key}", self.version)


class Api:
    """The table as one configured version reads it."""

    def __init__(self, version: ApiVersion) -> None:
        self.version = version

    def shape(self, family: Family) -> FamilyShape:
        return TABLE[family][self.version.shape]

    def endpoint(self, family: Family, parent_key: str | None = None) -> Endpoint:
        """The family's endpoint; a sub-resource's under its parent's entity key."""
        shape = self.shape(family)
        path = shape.path.format(key=parent_key) if "{key}" in shape.path else shape.path
        if "{key}" in shape.path and parent_key is None:
            raise ValueError(f"{family} is a sub-resource: its parent's key is needed")
        version = self.version
        if shape.versioned_only and version.shape is Shape.V2:
            version = ApiVersion(LATEST_VERSION)
        if shape.legacy_only:
            version = ApiVersion(V2)
        return Endpoint(family, path, version)


def table_markdown() -> str:
    """The table for ``docs/linkedin-client.md`` (a test checks the doc holds exactly this)."""
    rows = [
        "| family | v2 path | v2 key | rest/ path | rest/ key, renames | rest/ source |",
        "|---|---|---|---|---|---|",
    ]
    for family, shapes in TABLE.items():
        v2, rest = shapes[Shape.V2], shapes[Shape.REST]
        renames = ", ".join(f"{ours} → {theirs}" for ours, theirs in rest.renames.items())
        rest_key = ", ".join(_key_text(rest))
        rest_naming = "; ".join(part for part in (rest_key, renames) if part) or "-"
        v2_path = "(none)" if v2.versioned_only else f"`{v2.path}`"
        rest_path = "(none)" if rest.legacy_only else f"`{rest.path}`"
        rows.append(
            f"| {family.value} | {v2_path} | {', '.join(_key_text(v2)) or '-'} | {rest_path} "
            f"| {rest_naming} | {rest.source} |"
        )
    return "\n".join(rows) + "\n"


def _key_text(shape: FamilyShape) -> list[str]:
    return [f"{name}={shape.constants[name]}" if name in shape.constants else name for name in shape.key]
