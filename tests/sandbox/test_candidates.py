"""atsCandidates: whole-record PUT, batch GET with matches, manual match patches, deletes, notes."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.sandbox.support import NOW, Customer, candidate, candidate_path, entity_key, ids_query

KEY = entity_key("atsCandidateId", "C1", encoded=False)


def _get_one(customer: Customer, candidate_id: str = "C1") -> dict:
    response = customer.get_candidates([candidate_id])
    assert response.status_code == 200
    return response.json()["results"][entity_key("atsCandidateId", candidate_id, encoded=False)]


def test_put_then_get_returns_every_field(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate(currentJobTitle="Analyst")})
    shown = _get_one(customer)
    assert shown["firstName"] == "Ada"
    assert shown["currentJobTitle"] == "Analyst"
    assert shown["manualMatchedMember"] is None
    assert shown["matchedMembers"] == []


def test_put_replaces_the_whole_record(client: TestClient, customer: Customer) -> None:
    customer.put_candidates(
        {"C1": candidate(currentJobTitle="Analyst", manualMatchedMember="urn:li:person:abc")}
    )
    customer.put_candidates({"C1": candidate()})
    shown = _get_one(customer)
    assert shown["currentJobTitle"] is None
    assert shown["manualMatchedMember"] is None


def test_unknown_ids_are_404_in_a_batch_get(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    response = customer.get_candidates(["C1", "C9"])
    body = response.json()
    assert list(body["results"]) == [KEY]
    assert body["errors"][entity_key("atsCandidateId", "C9", encoded=False)]["status"] == 404


def test_fields_projection(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    response = customer.get_candidates(["C1"], extra="&fields=matchedMembers,manualMatchedMember")
    assert set(response.json()["results"][KEY]) == {"matchedMembers", "manualMatchedMember"}


def test_matched_members_come_from_seeded_members_by_email_or_profile_url(
    client: TestClient, customer: Customer
) -> None:
    client.post(
        "/_sandbox/scenario",
        json={
            "members": [
                {"member": "urn:li:person:ada", "emailAddress": "ADA@example.com"},
                {"member": "urn:li:person:ada2", "profileUrl": "https://www.linkedin.com/in/ada/"},
                {"member": "urn:li:person:other", "emailAddress": "other@example.com"},
            ]
        },
    )
    customer.put_candidates({"C1": candidate(linkedInProfileUrl="https://www.linkedin.com/in/ada")})
    assert _get_one(customer)["matchedMembers"] == ["urn:li:person:ada", "urn:li:person:ada2"]


def test_manual_match_is_set_and_deleted_with_partial_updates(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    query = ids_query("atsCandidateId", ["C1"])
    key = entity_key("atsCandidateId", "C1")
    set_match = {key: {"patch": {"$set": {"manualMatchedMember": "urn:li:person:abc"}}}}
    response = customer.post_batch("/v2/atsCandidates", query, set_match)
    assert response.json()["results"] == {key: {"status": 204}}
    assert _get_one(customer)["manualMatchedMember"] == "urn:li:person:abc"
    assert _get_one(customer)["firstName"] == "Ada"
    inspected = client.get("/_sandbox/orgs/1/candidates/C1").json()
    assert inspected["manualMatchedMember"] == "urn:li:person:abc"
    customer.post_batch("/v2/atsCandidates", query, {key: {"patch": {"$delete": ["manualMatchedMember"]}}})
    assert _get_one(customer)["manualMatchedMember"] is None


def test_partial_update_rejects_bad_values_and_unknown_candidates(
    client: TestClient, customer: Customer
) -> None:
    customer.put_candidates({"C1": candidate()})
    key = entity_key("atsCandidateId", "C1")
    bad = {key: {"patch": {"$set": {"manualMatchedMember": "urn:li:seat:1"}}}}
    response = customer.post_batch("/v2/atsCandidates", ids_query("atsCandidateId", ["C1"]), bad)
    assert response.json()["errors"][key]["status"] == 422
    missing_key = entity_key("atsCandidateId", "C9")
    missing = {missing_key: {"patch": {"$set": {"manualMatchedMember": "urn:li:person:x"}}}}
    response = customer.post_batch("/v2/atsCandidates", ids_query("atsCandidateId", ["C9"]), missing)
    assert response.json()["errors"][missing_key]["status"] == 404
    not_a_patch = {key: {"$set": {"firstName": "B"}}}
    response = customer.post_batch("/v2/atsCandidates", ids_query("atsCandidateId", ["C1"]), not_a_patch)
    assert response.json()["errors"][key]["status"] == 422
    assert _get_one(customer)["manualMatchedMember"] is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"firstName": ...}, "firstName is required"),
        ({"firstName": "  "}, "firstName must not be empty"),
        ({"atsCreatedAt": ...}, "atsCreatedAt is required"),
        ({"atsLastModifiedAt": ...}, "atsLastModifiedAt is required"),
        ({"atsCreatedAt": 0}, "atsCreatedAt must be epoch milliseconds > 0"),
        ({"atsLastModifiedAt": -5}, "atsLastModifiedAt must be epoch milliseconds > 0"),
        ({"atsCreatedAt": "yesterday"}, "atsCreatedAt must be epoch milliseconds > 0"),
        ({"atsCreatedAt": NOW, "atsLastModifiedAt": NOW - 1}, "must not be before atsCreatedAt"),
        ({"addresses": ...}, "addresses is required"),
        ({"phoneNumbers": ...}, "phoneNumbers is required"),
        ({"addresses": "Main St"}, "addresses must be a list"),
        ({"phoneNumbers": [{"extension": "1"}]}, "phoneNumbers[0].number is required"),
        ({"emailAddresses": ["not-an-email"]}, "is not an e-mail address"),
        ({"emailAddresses": ["a@b"]}, "is not an e-mail address"),
        ({"doNotContact": "no"}, "doNotContact must be true or false"),
        ({"favouriteColour": "blue"}, "unrecognized field 'favouriteColour'"),
    ],
)
def test_candidate_field_rules(client: TestClient, customer: Customer, overrides: dict, message: str) -> None:
    response = customer.put_candidates({"C1": candidate(**overrides)})
    error = response.json()["errors"][entity_key("atsCandidateId", "C1")]
    assert error["status"] == 422
    assert message in error["message"]
    assert customer.get_candidates(["C1"]).json()["results"] == {}


def test_empty_addresses_and_phone_numbers_are_accepted(client: TestClient, customer: Customer) -> None:
    response = customer.put_candidates({"C1": candidate(addresses=[], phoneNumbers=[], emailAddresses=...)})
    assert response.json()["errors"] == {}


def test_lenient_fields_accept_unlisted_fields(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"strict_fields": False})
    assert customer.put_candidates({"C1": candidate(favouriteColour="blue")}).json()["errors"] == {}


def test_delete_removes_candidate_and_its_notes_but_not_applications(
    client: TestClient, customer: Customer
) -> None:
    customer.put_candidates({"C1": candidate(), "C2": candidate()})
    notes = {
        "N1": {"atsCreatedAt": NOW, "note": "Strong.", "author": {"firstName": "Rita", "lastName": "Book"}}
    }
    assert customer.put_sub(candidate_path("C1"), "notes", notes).json()["results"] == {"N1": {"status": 204}}
    customer.put_applications(
        {
            "A1": {
                "atsCandidateId": "C1",
                "atsCreatedAt": NOW,
                "atsLastModifiedAt": NOW,
                "atsJobPostingId": "J1",
                "atsJobPostingName": "Eng",
                "firstName": "Ada",
            }
        }
    )
    response = customer.delete(f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1', 'C7'])}")
    body = response.json()
    assert body["results"] == {KEY: {"status": 204}}
    assert body["errors"][entity_key("atsCandidateId", "C7", encoded=False)]["status"] == 404
    assert customer.get_candidates(["C1"]).json()["results"] == {}
    assert len(customer.get_candidates(["C2"]).json()["results"]) == 1
    assert len(customer.get_applications(["A1"]).json()["results"]) == 1
    deletions = client.get("/_sandbox/orgs/1/deletions").json()["deletions"]
    assert [(d["kind"], d["key"], d["cascadedFrom"]) for d in deletions] == [
        ("candidate", "C1", None),
        ("candidateNote", "N1", "candidate:C1"),
    ]
    assert deletions[0]["clientId"] == "acme"


def test_candidate_notes_put_get_delete(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    path = candidate_path("C1")
    notes: dict[str, dict[str, Any]] = {
        "N1": {"note": "hello"},
        "N2": {"atsCreatedAt": NOW, "author": {"firstName": "Rita"}},
    }
    response = customer.put_sub(path, "notes", notes)
    assert response.json()["results"] == {"N1": {"status": 204}}
    assert "author.lastName is required" in response.json()["errors"]["N2"]["message"]
    assert customer.get(f"{path}/notes?ids=N1&ids=N2").json()["results"] == {"N1": {"note": "hello"}}
    response = customer.delete(f"{path}/notes?ids=N1&ids=N2")
    assert response.json()["results"] == {"N1": {"status": 204}}
    assert response.json()["errors"]["N2"]["status"] == 404
    assert client.get("/_sandbox/orgs/1/candidates/C1").json()["notes"] == {}


def test_notes_of_an_unknown_candidate_are_404(client: TestClient, customer: Customer) -> None:
    response = customer.put_sub(candidate_path("C404"), "notes", {"N1": {"note": "x"}})
    assert response.status_code == 404


def test_notes_ids_in_query_and_body_must_match(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    response = customer.put_batch(f"{candidate_path('C1')}/notes", "ids=N1", {"N2": {"note": "x"}})
    assert response.status_code == 400
