"""Job ACLs through the client, on each API shape, against the strict sandbox (reference §3.7): an
ACL per job and its assignees written with empty bodies, read with q=criteria, deleted."""

from __future__ import annotations

import pytest

from linkedin.acls import JOB_POSTING, Acls, assignee_id
from linkedin.client import LinkedInClient
from linkedin.restli import BatchResult
from tests.helpers import ORG
from tests.linkedin.conftest import expected_path
from tests.sandbox_harness import SandboxHarness

ADA = "urn:li:person:ada"
BOB = "urn:li:person:bob"


def ok(result: BatchResult) -> set[str]:
    assert not result.rejected and not result.failed, (result.rejected, result.failed)
    return set(result.ok)


def test_an_acl_and_its_assignees_are_written_read_and_deleted(
    api_version: str, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    assert ok(linkedin.acls.put(["J-1", "J-2"])) == {"J-1", "J-2"}
    assert ok(linkedin.acls.assign({"J-1": [ADA, BOB], "J-2": [ADA]})) == {
        f"J-1 {ADA}",
        f"J-1 {BOB}",
        f"J-2 {ADA}",
    }
    [acl] = linkedin.acls.of_job("J-1")
    assert (acl["atsEntityId"], acl["atsEntityType"], acl["integrationContext"]) == (
        "J-1",
        "JOB_POSTING",
        ORG,
    )
    assert {a["atsEntityId"] for a in linkedin.acls.assignments_of(ADA)} == {"J-1", "J-2"}

    assert ok(linkedin.acls.unassign({"J-1": [BOB]})) == {f"J-1 {BOB}"}
    assert linkedin.acls.assignments_of(BOB) == []
    assert ok(linkedin.acls.unassign({"J-1": [ADA], "J-2": [ADA]})) == {f"J-1 {ADA}", f"J-2 {ADA}"}
    assert ok(linkedin.acls.delete(["J-1", "J-2"])) == {"J-1", "J-2"}
    assert linkedin.acls.of_job("J-1") == []
    # A repeated delete is harmless.
    assert ok(linkedin.acls.delete(["J-1"])) == {"J-1"}

    paths = {r["path"] for r in sandbox.control("GET", "/requests")["requests"]}
    assert expected_path(api_version, "entityAcls") in paths
    assert expected_path(api_version, "entityAclAssignees") in paths


@pytest.mark.sandbox_violations("field.acl")
def test_the_sandbox_refuses_an_assignee_that_is_not_a_person_and_a_body_that_is_not_empty(
    api_version: str, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    refused = linkedin.acls.assign({"J-1": ["urn:li:seat:1"]})
    assert [status for status, _ in refused.rejected.values()] == [422]
    path = expected_path(api_version, "entityAcls")
    key = "atsEntityAclId=J-1&atsEntityType=JOB_POSTING&atsEntityId=J-1&integrationContext=" + ORG
    if api_version == "v2":
        key += "&dataProvider=ATS"
    params = [(f"ids[0].{k}", v) for k, v in (part.split("=", 1) for part in key.split("&"))]
    answer = linkedin.http.call(
        "PUT", linkedin.acls._acls.endpoint, params=params, json={"entities": {key: {"viewers": 1}}},
        restli_method="batch_update",
    )  # fmt: skip
    assert answer.json()["errors"], path
    assert {v["rule"] for v in sandbox.violations()} == {"field.acl"}


def test_an_assignees_record_id_names_the_job_and_the_member(
    api_version: str, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    acls = Acls(linkedin.http, ORG)
    acls.put(["J-1"])
    assert ok(acls.assign({"J-1": [ADA]})) == {assignee_id("J-1", ADA)}
    [assigned] = acls.assignments_of(ADA)
    assert (assigned["atsEntityId"], assigned["atsEntityType"]) == ("J-1", JOB_POSTING)
