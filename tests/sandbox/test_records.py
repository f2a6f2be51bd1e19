"""What the sandbox holds per organization: records put and read back, and deleted with what LinkedIn
deletes with them (an application's stages, notes and feedback; a candidate's notes, not its
applications), every deletion logged."""

from __future__ import annotations

from pathlib import Path

from sandbox.clock import ScaledClock
from sandbox.db import Database
from sandbox.records import Kind, Records

ORG = "urn:li:organization:1"


def records(tmp_path: Path) -> Records:
    return Records(Database(str(tmp_path / "sandbox.db")), ScaledClock(start_ms=1_000))


def test_a_record_is_put_read_and_replaced_per_organization(tmp_path: Path) -> None:
    held = records(tmp_path)
    held.put(Kind.CANDIDATE, ORG, "C-1", {"firstName": "Ada"})
    held.put(Kind.CANDIDATE, ORG, "C-1", {"firstName": "Augusta"})
    assert held.get(Kind.CANDIDATE, ORG, "C-1") == {"firstName": "Augusta"}
    assert held.get(Kind.CANDIDATE, "urn:li:organization:2", "C-1") is None
    assert held.get_many(Kind.CANDIDATE, ORG, ["C-1", "C-9"]) == {"C-1": {"firstName": "Augusta"}}
    assert held.get_many(Kind.CANDIDATE, ORG, []) == {}
    [row] = held.all_of(Kind.CANDIDATE, ORG)
    assert (row["key"], row["body"]) == ("C-1", {"firstName": "Augusta"})


def test_a_deleted_application_takes_its_children_and_a_candidate_keeps_its_applications(
    tmp_path: Path,
) -> None:
    held = records(tmp_path)
    held.put(Kind.CANDIDATE, ORG, "C-1", {})
    held.put(Kind.CANDIDATE_NOTE, ORG, "N-1", {"note": "x"}, parent="C-1")
    held.put(Kind.APPLICATION, ORG, "A-1", {"atsCandidateId": "C-1"})
    held.put(Kind.APPLICATION_STAGE, ORG, "S-1", {"stage": "Screen"}, parent="A-1")
    assert held.delete(Kind.APPLICATION, ORG, "A-1", client_id="acme-client")
    assert held.children(Kind.APPLICATION_STAGE, ORG, "A-1") == {}
    assert held.delete(Kind.CANDIDATE, ORG, "C-1")
    assert held.child_keys(Kind.CANDIDATE_NOTE, ORG, "C-1") == []
    assert not held.delete(Kind.CANDIDATE, ORG, "C-1")  # gone already
    logged = held.deletions(ORG)
    assert len(logged) == 4  # the application, its stage, the candidate, its note
    assert [(e["key"], e["cascadedFrom"]) for e in logged] == [
        ("A-1", None),
        ("S-1", "application:A-1"),
        ("C-1", None),
        ("N-1", "candidate:C-1"),
    ]
    assert logged[0]["clientId"] == "acme-client"
