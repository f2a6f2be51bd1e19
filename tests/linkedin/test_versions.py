"""The table of resource families per API shape, checked against what the reference and the project's
decisions say each shape looks like (``EXPECTED``), without a sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from linkedin.restli import CompositeKey
from linkedin.versions import TABLE, Api, ApiVersion, Family, Shape, table_markdown
from rsc.settings import Settings
from tests.linkedin.conftest import API_VERSIONS, EXPECTED

ORG = "urn:li:organization:1"
ROOT = Path(__file__).resolve().parents[2]

#: The table's families under the names ``EXPECTED`` uses.
FAMILIES = {
    "candidates": Family.CANDIDATES,
    "candidateNotes": Family.CANDIDATE_NOTES,
    "integrations": Family.INTEGRATIONS,
    "configurations": Family.INTEGRATION_CONFIGURATIONS,
    "applications": Family.APPLICATIONS,
    "stages": Family.APPLICATION_STAGES,
    "applicationNotes": Family.APPLICATION_NOTES,
    "interviewFeedback": Family.INTERVIEW_FEEDBACK,
    "jobs": Family.JOB_POSTINGS,
    "tasks": Family.JOB_POSTING_TASKS,
    "exports": Family.EXPORTED_CANDIDATES,
    "purges": Family.PURGED_CANDIDATES,
    "seats": Family.SEATS,
    "conversationEvents": Family.CONVERSATION_EVENTS,
    "mailStubs": Family.MAIL_STUBS,
    "prospectNotes": Family.PROSPECT_NOTES,
    "provisioning": Family.PROVISIONED_APPLICATIONS,
    "secrets": Family.APPLICATION_SECRETS,
    "entityAcls": Family.ENTITY_ACLS,
    "entityAclAssignees": Family.ENTITY_ACL_ASSIGNEES,
}


def test_the_default_is_the_latest_version_the_reference_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RSC_LINKEDIN_API_VERSION", raising=False)
    settings = Settings()
    assert settings.linkedin_api_version == "202604"
    assert settings.linkedin_api == ApiVersion("202604") and settings.linkedin_api.shape is Shape.REST


@pytest.mark.parametrize("value", ["v2", "V2", "202602", "202604", "202812"])
def test_v2_and_versions_from_202602_on_are_accepted(value: str) -> None:
    assert ApiVersion.parse(value).value == value.lower()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("202512", "older than 202602"),
        ("202601", "older than 202602"),
        ("2026-04", "'v2' or a LinkedIn-Version YYYYMM"),
        ("202613", "'v2' or a LinkedIn-Version YYYYMM"),
        ("v3", "'v2' or a LinkedIn-Version YYYYMM"),
    ],
)
def test_other_versions_are_refused_at_start_up_naming_the_setting(
    value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_LINKEDIN_API_VERSION", value)
    with pytest.raises(ValidationError, match="RSC_LINKEDIN_API_VERSION") as raised:
        Settings()
    assert message in str(raised.value)


def test_each_shape_sends_its_protocol_headers() -> None:
    assert ApiVersion("v2").headers() == {"X-RestLi-Protocol-Version": "2.0.0"}
    assert ApiVersion("202604").headers() == {
        "LinkedIn-Version": "202604",
        "X-RestLi-Protocol-Version": "2.0.0",
    }


@pytest.mark.parametrize("version", API_VERSIONS)
def test_every_family_has_the_path_and_key_the_shape_documents_or_the_project_decided(version: str) -> None:
    api = Api(ApiVersion(version))
    assert set(FAMILIES.values()) == set(TABLE), "every family of the table is checked here"
    for name, family in FAMILIES.items():
        path, key, renames = EXPECTED[version][name]
        shape = api.shape(family)
        assert shape.path == path, name
        assert shape.key == key, name
        assert dict(shape.renames) == renames, name


@pytest.mark.parametrize("version", API_VERSIONS)
def test_keys_are_built_from_the_pipelines_names(version: str) -> None:
    api = Api(ApiVersion(version))
    candidate = api.shape(Family.CANDIDATES).key_fields({"atsCandidateId": "C-1", "integrationContext": ORG})
    application = api.shape(Family.APPLICATIONS).key_fields(
        {"atsJobApplicationId": "A-1", "integrationContext": ORG}
    )
    integration = api.shape(Family.INTEGRATIONS).key_fields(
        {"integrationContext": ORG, "integrationType": "ONE_CLICK_EXPORT"}
    )
    if version == "v2":
        assert candidate == (("atsCandidateId", "C-1"), ("dataProvider", "ATS"), ("integrationContext", ORG))
        assert application == (
            ("atsJobApplicationId", "A-1"),
            ("dataProvider", "ATS"),
            ("integrationContext", ORG),
        )
        assert dict(integration)["dataProvider"] == "ATS"
    else:
        assert candidate == (("externalCandidateId", "C-1"), ("integrationContext", ORG))
        assert application == (("id", "A-1"), ("integrationContext", ORG))
        assert "dataProvider" not in dict(integration)
    assert dict(integration)["tenantType"] == "RECRUITER"


def test_a_key_missing_a_field_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="missing"):
        Api(ApiVersion("v2")).shape(Family.CANDIDATES).key_fields({"atsCandidateId": "C-1"})


def test_candidate_bodies_are_renamed_on_rest_and_answers_renamed_back() -> None:
    rest = Api(ApiVersion("202604")).shape(Family.CANDIDATES)
    body = {"firstName": "Ada", "atsCreatedAt": 1, "atsLastModifiedAt": 2, "addresses": []}
    sent = rest.to_linkedin(body)
    assert sent == {"firstName": "Ada", "externalCreatedAt": 1, "externalLastModifiedAt": 2, "addresses": []}
    assert rest.from_linkedin(sent) == body
    # A field already in the pipeline's name wins over LinkedIn's (both sent while a rename rolls out).
    assert rest.from_linkedin({"externalCreatedAt": 5, "atsCreatedAt": 6})["atsCreatedAt"] == 6
    assert rest.from_linkedin({"atsCreatedAt": 6, "externalCreatedAt": 5})["atsCreatedAt"] == 6
    # Patches rename what they set or delete.
    assert rest.to_linkedin({"patch": {"$set": {"atsLastModifiedAt": 3}, "$delete": ["atsCreatedAt"]}}) == {
        "patch": {"$set": {"externalLastModifiedAt": 3}, "$delete": ["externalCreatedAt"]}
    }
    # v2 and the families without renames send bodies as they are.
    assert Api(ApiVersion("v2")).shape(Family.CANDIDATES).to_linkedin(body) == body
    stage = {"atsCreatedAt": 1, "stage": "New"}
    assert Api(ApiVersion("202604")).shape(Family.APPLICATION_STAGES).to_linkedin(stage) == stage


@pytest.mark.parametrize("version", API_VERSIONS)
def test_sub_resources_hang_off_their_parents_key_on_the_same_shape(version: str) -> None:
    api = Api(ApiVersion(version))
    key = CompositeKey(
        api.shape(Family.APPLICATIONS).key_fields({"atsJobApplicationId": "A 1", "integrationContext": ORG})
    )
    endpoint = api.endpoint(Family.APPLICATION_STAGES, key.entity_key())
    expected = EXPECTED[version]["stages"][0].format(key=key.entity_key())
    assert endpoint.path == expected
    assert endpoint.family is Family.APPLICATION_STAGES and endpoint.version == ApiVersion(version)
    with pytest.raises(ValueError, match="parent"):
        api.endpoint(Family.APPLICATION_STAGES)


def test_purge_notices_are_read_on_rest_with_a_linkedin_version_whatever_the_client_speaks() -> None:
    for version in API_VERSIONS:
        endpoint = Api(ApiVersion(version)).endpoint(Family.PURGED_CANDIDATES)
        assert endpoint.path == "/rest/atsPurgedExportedCandidates"
        assert endpoint.version.headers()["LinkedIn-Version"] == ("202604" if version == "v2" else version)
    assert Api(ApiVersion("202606")).endpoint(Family.PURGED_CANDIDATES).version == ApiVersion("202606")


def test_provisioning_is_called_on_v2_and_secrets_on_rest_whatever_the_client_speaks() -> None:
    for version in API_VERSIONS:
        api = Api(ApiVersion(version))
        provisioning = api.endpoint(Family.PROVISIONED_APPLICATIONS)
        assert provisioning.path == "/v2/provisionedApplications"
        assert "LinkedIn-Version" not in provisioning.version.headers()
        secrets = api.endpoint(Family.APPLICATION_SECRETS, "urn%3Ali%3AdeveloperApplication%3A7")
        assert secrets.path == "/rest/provisionedApplications/urn%3Ali%3AdeveloperApplication%3A7/secrets"
        assert secrets.version.headers()["LinkedIn-Version"] == ("202604" if version == "v2" else version)


def test_names_the_reference_does_not_document_are_marked_as_assumptions() -> None:
    documented = {
        Family.CANDIDATES,
        Family.INTEGRATIONS,
        Family.EXPORTED_CANDIDATES,
        Family.PURGED_CANDIDATES,
        Family.SEATS,
        Family.MAIL_STUBS,
        Family.PROVISIONED_APPLICATIONS,
    }
    for family, shapes in TABLE.items():
        # Secret management of child apps has no documented path on either shape (§1.1).
        assert shapes[Shape.V2].assumed == (family is Family.APPLICATION_SECRETS), family
        assert shapes[Shape.REST].assumed == (family not in documented), family
        assert shapes[Shape.REST].source, family


def test_the_client_doc_shows_the_table() -> None:
    doc = (ROOT / "docs" / "linkedin-client.md").read_text()
    assert table_markdown() in doc, "paste linkedin.versions.table_markdown() into docs/linkedin-client.md"


@pytest.mark.parametrize("version", API_VERSIONS)
def test_rsc_config_shows_the_version_in_use(version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cli.main import app
    from rsc.settings import reset_settings

    monkeypatch.setenv("RSC_LINKEDIN_API_VERSION", version)
    reset_settings()
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0, result.output
    assert f"RSC_LINKEDIN_API_VERSION={version}\n" in result.output
