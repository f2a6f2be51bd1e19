"""Candidates through the client, on each API shape: whole records, the member link, notes and deletes."""

from __future__ import annotations

from typing import Any

import pytest

from linkedin.candidates import Candidates
from linkedin.client import LinkedInClient
from tests.helpers import ORG
from tests.sandbox_harness import SandboxHarness

NOW = 1_700_000_000_000


def candidate(**overrides: Any) -> dict[str, Any]:
    body = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "emailAddresses": ["ada@example.com"],
        "phoneNumbers": [],
        "addresses": [],
        "atsCreatedAt": NOW,
        "atsLastModifiedAt": NOW,
    }
    return {**body, **overrides}


def test_a_candidate_is_upserted_linked_and_read_back(
    sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    assert set(linkedin.candidates.upsert({"C-1": candidate()}).ok) == {"C-1"}
    assert set(linkedin.candidates.set_manual_match({"C-1": "urn:li:person:ada"}).ok) == {"C-1"}
    read = linkedin.candidates.get(["C-1", "C-404"])
    assert read.ok["C-1"]["manualMatchedMember"] == "urn:li:person:ada"
    assert read.rejected["C-404"][0] == 404
    linkedin.candidates.set_manual_match({"C-1": None})
    assert sandbox.record(ORG, "candidates", "C-1")["manualMatchedMember"] is None


@pytest.mark.sandbox_violations("field.note")
def test_candidate_notes(sandbox: SandboxHarness, linkedin: LinkedInClient) -> None:
    linkedin.candidates.upsert({"C-1": candidate()})
    notes = linkedin.candidates.notes("C-1")
    ok = notes.upsert(
        {
            "N-1": {"atsCreatedAt": NOW, "note": "Call back", "author": {"firstName": "R", "lastName": "B"}},
            "N-2": {"note": "No author"},
            "N-3": {"note": "Half an author", "author": {"firstName": "R"}},
        }
    )
    assert set(ok.ok) == {"N-1", "N-2"}
    assert ok.rejected["N-3"][0] == 422
    assert notes.get(["N-1"]).ok["N-1"]["note"] == "Call back"
    assert set(notes.delete(["N-2"]).ok) == {"N-2"}
    assert set(sandbox.record(ORG, "candidates", "C-1")["notes"]) == {"N-1"}


def test_deleting_a_candidate_takes_its_notes_but_not_its_applications(
    sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    linkedin.candidates.upsert({"C-1": candidate()})
    linkedin.candidates.notes("C-1").upsert({"N-1": {"note": "x"}})
    linkedin.applications.upsert(
        {
            "A-1": {
                "atsCandidateId": "C-1",
                "atsCreatedAt": NOW,
                "atsLastModifiedAt": NOW,
                "atsJobPostingId": "J-1",
                "atsJobPostingName": "Engineer",
                "firstName": "Ada",
            }
        }
    )
    assert set(linkedin.candidates.delete(["C-1", "C-404"]).ok) == {"C-1", "C-404"}
    assert sandbox.record(ORG, "candidates", "C-1") is None
    assert sandbox.record(ORG, "applications", "A-1") is not None
    kinds = sorted(d["kind"] for d in sandbox.records(ORG, "deletions")["deletions"])
    assert kinds == ["candidate", "candidateNote"]


def test_linkedins_own_matches_are_read_for_the_candidates_it_holds(
    sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    linkedin.candidates.upsert({"C-1": candidate()})
    assert Candidates(linkedin.http, ORG).matched_members(["C-1", "C-404"]) == {"C-1": []}


@pytest.mark.sandbox_violations("auth.scope")
def test_candidates_are_keyed_by_the_organization_the_client_was_built_for(
    sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    linkedin.candidates.upsert({"C-1": candidate()})
    other = Candidates(linkedin.http, "urn:li:organization:999").get(["C-1"])
    assert other.rejected["C-1"][0] == 403 and not other.ok
