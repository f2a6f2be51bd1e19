"""A recruiter's 1-click export in the sandbox: a seeded member's profile exported into a job, only the
fields LinkedIn exports, by the app's first seat unless another exporter is named; and a purge notice
added for an organization."""

from __future__ import annotations

import pytest

from sandbox.exports import add_purged, create_export, exports_of
from sandbox.scenario import load
from sandbox.state import Sandbox

ORG = "urn:li:organization:1"
CONTRACT = "urn:li:contract:10"
ADA = "urn:li:person:ada"


def test_a_seeded_member_is_exported_with_the_fields_linkedin_exports(sandbox: Sandbox) -> None:
    app = sandbox.apps.create(client_id="acme-client", organization=ORG, contracts=[CONTRACT])
    load(
        sandbox,
        {
            "members": [{"member": ADA, "firstName": "Ada", "emailAddress": "ada@example.com"}],
            "seats": [{"seat": "urn:li:seat:501", "contract": CONTRACT}],
        },
    )
    made = create_export(sandbox, app, external_job_posting_id="J-1", member=ADA, push=False)
    export = made["export"]
    assert (made["pushId"], export["integrationContext"], export["exporter"]) == (
        None,
        ORG,
        "urn:li:seat:501",
    )
    assert export["candidate"]["member"] == ADA and export["candidate"]["firstName"] == "Ada"
    assert "emailAddress" not in export["candidate"]  # an export carries no contact details
    assert export["candidate"]["currentPositions"] == []
    assert [e["requestId"] for e in exports_of(sandbox, ORG)] == [made["requestId"]]
    assert exports_of(sandbox, "urn:li:organization:2") == []


def test_an_export_needs_a_bound_app_and_a_known_member(sandbox: Sandbox) -> None:
    loose = sandbox.apps.create(client_id="loose-client")
    with pytest.raises(ValueError, match="has no organization; bind one first"):
        create_export(sandbox, loose, external_job_posting_id="J-1", member=ADA, push=False)
    app = sandbox.apps.create(client_id="acme-client", organization=ORG)
    with pytest.raises(ValueError, match="is not seeded; seed it or pass an inline 'candidate'"):
        create_export(sandbox, app, external_job_posting_id="J-1", member=ADA, push=False)
    inline = create_export(
        sandbox, app, external_job_posting_id="J-1", candidate={"member": ADA, "firstName": "Ada"}, push=False
    )
    assert inline["export"]["exporter"] == "urn:li:seat:1"  # no seat on a contract: the default one


def test_a_purge_notice_is_added_now_unless_a_time_is_given(sandbox: Sandbox) -> None:
    notice = add_purged(sandbox, ORG, ADA, purged_at=5_000)
    assert notice == {
        "member": ADA,
        "integrationContext": ORG,
        "exportType": "ONE_CLICK_EXPORT",
        "purgedAt": 5_000,
    }
    assert add_purged(sandbox, ORG, ADA)["purgedAt"] == pytest.approx(sandbox.clock.now_ms(), abs=5_000)
