"""The LinkedIn client against the in-process sandbox, with the rate limiter on a real store, on each
API shape.

``EXPECTED`` is what each shape looks like, written down from the reference and the project's
decisions on API shapes (independently of ``linkedin.versions``, which the tests check against it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkedin.client import LinkedInClient
from rsc.settings import reset_settings
from tests.helpers import ORG
from tests.sandbox_harness import BASE_URL, SandboxHarness, running_sandbox

#: The API shapes every client test runs on: the legacy v2 API and the versioned rest/ API.
API_VERSIONS = ["v2", "202604"]

#: Per shape: family -> (path, composite key fields, field renames). ``{key}`` is the parent's key.
EXPECTED: dict[str, dict[str, tuple[str, tuple[str, ...], dict[str, str]]]] = {
    "v2": {
        "candidates": ("/v2/atsCandidates", ("atsCandidateId", "dataProvider", "integrationContext"), {}),
        "candidateNotes": ("/v2/atsCandidates/{key}/notes", (), {}),
        "integrations": (
            "/v2/atsIntegrations",
            ("integrationContext", "integrationType", "tenantType", "dataProvider"),
            {},
        ),
        "configurations": ("/v2/atsIntegrations/{key}/configurations", (), {}),
        "applications": (
            "/v2/atsApplications",
            ("atsJobApplicationId", "dataProvider", "integrationContext"),
            {},
        ),
        "stages": ("/v2/atsApplications/{key}/stages", (), {}),
        "applicationNotes": ("/v2/atsApplications/{key}/notes", (), {}),
        "interviewFeedback": ("/v2/atsApplications/{key}/interviewFeedback", (), {}),
        "jobs": ("/v2/simpleJobPostings", (), {}),
        "tasks": ("/v2/simpleJobPostingTasks", (), {}),
        "exports": ("/v2/exportedCandidates", (), {}),
        "purges": ("/rest/atsPurgedExportedCandidates", (), {}),
        "seats": ("/v2/seatsV2", (), {}),
        "conversationEvents": ("/v2/conversationEvents", (), {}),
        "mailStubs": ("/v2/mailStubs", (), {}),
        "prospectNotes": ("/v2/prospectNotes", (), {}),
        "provisioning": ("/v2/provisionedApplications", (), {}),
        "secrets": ("/rest/provisionedApplications/{key}/secrets", (), {}),
        "entityAcls": (
            "/v2/atsEntityAcls",
            ("atsEntityAclId", "dataProvider", "integrationContext", "atsEntityType", "atsEntityId"),
            {},
        ),
        "entityAclAssignees": (
            "/v2/atsEntityAclAssignees",
            (
                "atsEntityAclId",
                "dataProvider",
                "integrationContext",
                "atsEntityType",
                "atsEntityId",
                "assignee",
            ),
            {},
        ),
    },
    "202604": {
        "candidates": (
            "/rest/candidates",
            ("externalCandidateId", "integrationContext"),
            {
                "atsCandidateId": "externalCandidateId",
                "atsCreatedAt": "externalCreatedAt",
                "atsLastModifiedAt": "externalLastModifiedAt",
            },
        ),
        "candidateNotes": ("/rest/candidates/{key}/notes", (), {}),
        "integrations": ("/rest/integrations", ("integrationContext", "integrationType", "tenantType"), {}),
        "configurations": ("/rest/integrations/{key}/configurations", (), {}),
        "applications": (
            "/rest/atsApplications",
            ("id", "integrationContext"),
            {"atsJobApplicationId": "id"},
        ),
        "stages": ("/rest/atsApplications/{key}/stages", (), {}),
        "applicationNotes": ("/rest/atsApplications/{key}/notes", (), {}),
        "interviewFeedback": ("/rest/atsApplications/{key}/interviewFeedback", (), {}),
        "jobs": ("/rest/simpleJobPostings", (), {}),
        "tasks": ("/rest/simpleJobPostingTasks", (), {}),
        "exports": ("/rest/exportedCandidates", (), {}),
        "purges": ("/rest/atsPurgedExportedCandidates", (), {}),
        "seats": ("/rest/seatsV2", (), {}),
        "conversationEvents": ("/rest/conversationEvents", (), {}),
        "mailStubs": ("/rest/mailStubs", (), {}),
        "prospectNotes": ("/rest/prospectNotes", (), {}),
        "provisioning": ("/v2/provisionedApplications", (), {}),
        "secrets": ("/rest/provisionedApplications/{key}/secrets", (), {}),
        "entityAcls": (
            "/rest/entityAcls",
            ("atsEntityAclId", "integrationContext", "atsEntityType", "atsEntityId"),
            {},
        ),
        "entityAclAssignees": (
            "/rest/entityAclAssignees",
            ("atsEntityAclId", "integrationContext", "atsEntityType", "atsEntityId", "assignee"),
            {},
        ),
    },
}


def expected_path(version: str, family: str) -> str:
    return EXPECTED[version][family][0]


def candidate_id_field(version: str) -> str:
    return EXPECTED[version]["candidates"][1][0]


def application_id_field(version: str) -> str:
    return EXPECTED[version]["applications"][1][0]


@pytest.fixture(params=API_VERSIONS)
def api_version(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """RSC_LINKEDIN_API_VERSION for the test: each shape in turn."""
    version: str = request.param
    monkeypatch.setenv("RSC_LINKEDIN_API_VERSION", version)
    reset_settings()
    return version


@pytest.fixture
def sandbox(
    api_version: str, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", BASE_URL)
    reset_settings()
    with running_sandbox(tmp_path) as harness:
        harness.create_app("acme-client", "acme-secret", ORG)
        yield harness


@pytest.fixture
def linkedin(sandbox: SandboxHarness) -> LinkedInClient:
    return sandbox.linkedin("acme-client", "acme-secret", ORG)
