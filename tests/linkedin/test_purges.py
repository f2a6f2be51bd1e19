"""Purge notices (``atsPurgedExportedCandidates``) through the client, on each API shape: read over a
``purgedAt`` window on the versioned API whatever shape the rest speaks, and validated by the caller."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from linkedin.client import LinkedInClient
from linkedin.purges import PurgedCandidate
from tests.helpers import ORG
from tests.sandbox_harness import SandboxHarness

END = 1_800_000_000_000


def test_notices_are_read_over_their_window(sandbox: SandboxHarness, linkedin: LinkedInClient) -> None:
    for member, purged_at in (("urn:li:person:ada", 5_000), ("urn:li:person:bob", 9_000)):
        sandbox.control(
            "POST", "/purged-candidates", json={"organization": ORG, "member": member, "purgedAt": purged_at}
        )
    everything, calls = linkedin.purged_candidates.list(None, END)
    assert calls == 1
    assert sorted(PurgedCandidate.model_validate(i).person_urn for i in everything) == [
        "urn:li:person:ada",
        "urn:li:person:bob",
    ]
    later, _ = linkedin.purged_candidates.list(6_000, END)
    assert [PurgedCandidate.model_validate(i).purged_at_ms for i in later] == [9_000]
    paths = {r["path"] for r in sandbox.control("GET", "/requests")["requests"] if "urged" in r["path"]}
    assert paths == {"/rest/atsPurgedExportedCandidates"}


def test_a_notice_is_a_person_purged_at_a_time() -> None:
    notice = PurgedCandidate.model_validate(
        {"member": "urn:li:person:ada", "purgedAt": 5, "exportType": "ONE_CLICK", "unknown": 1}
    )
    assert (notice.person_urn, notice.purged_at_ms, notice.export_type) == (
        "urn:li:person:ada",
        5,
        "ONE_CLICK",
    )
    for wrong in (
        {"member": "urn:li:organization:1", "purgedAt": 5},
        {"member": "urn:li:person:ada", "purgedAt": -1},
    ):
        with pytest.raises(ValidationError):
            PurgedCandidate.model_validate(wrong)
