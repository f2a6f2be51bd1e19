"""Candidates (v2 atsCandidates, rest/ candidates): whole-record PUT, batch GET with matches,
manual match patches, deletes, notes. Every test runs in both shapes."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.sandbox.support import NOW, Customer, candidate, rules_broken


def _get_one(customer: Customer, candidate_id: str = "C1") -> dict:
    response = customer.get_candidates([candidate_id])
    assert response.status_code == 200
    return response.json()["results"][customer.api.candidate_key(candidate_id, encoded=False)]


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


def test_get_shows_the_timestamps_in_the_shapes_names(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    shown = _get_one(customer)
    api = customer.api
    assert shown[api.wire("atsCreatedAt")] == NOW
    assert shown[api.wire("atsLastModifiedAt")] == NOW + 1000
    assert "dataProvider" not in shown


def test_unknown_ids_are_404_in_a_batch_get(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    response = customer.get_candidates(["C1", "C9"])
    body = response.json()
    assert list(body["results"]) == [customer.api.candidate_key("C1", encoded=False)]
    assert body["errors"][customer.api.candidate_key("C9", encoded=False)]["status"] == 404


def test_fields_projection(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    response = customer.get_candidates(["C1"], extra="&fields=matchedMembers,manualMatchedMember")
    key = customer.api.candidate_key("C1", encoded=False)
    assert set(response.json()["results"][key]) == {"matchedMembers", "manualMatchedMember"}


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
    api = customer.api
    customer.put_candidates({"C1": candidate()})
    query = api.candidate_ids(["C1"])
    key = api.candidate_key("C1")
    set_match = {key: {"patch": {"$set": {"manualMatchedMember": "urn:li:person:abc"}}}}
    response = customer.post_batch(api.candidates, query, set_match)
    assert response.json()["results"] == {key: {"status": 204}}
    assert _get_one(customer)["manualMatchedMember"] == "urn:li:person:abc"
    assert _get_one(customer)["firstName"] == "Ada"
    assert _get_one(customer)[api.wire("atsCreatedAt")] == NOW
    inspected = client.get("/_sandbox/orgs/1/candidates/C1").json()
    assert inspected["manualMatchedMember"] == "urn:li:person:abc"
    customer.post_batch(api.candidates, query, {key: {"patch": {"$delete": ["manualMatchedMember"]}}})
    assert _get_one(customer)["manualMatchedMember"] is None


@pytest.mark.sandbox_violations("field.candidate", "field.patch")
def test_partial_update_rejects_bad_values_and_unknown_candidates(
    client: TestClient, customer: Customer
) -> None:
    api = customer.api
    customer.put_candidates({"C1": candidate()})
    key = api.candidate_key("C1")
    bad = {key: {"patch": {"$set": {"manualMatchedMember": "urn:li:seat:1"}}}}
    response = customer.post_batch(api.candidates, api.candidate_ids(["C1"]), bad)
    assert response.json()["errors"][key]["status"] == 422
    assert rules_broken(client) == ["field.candidate"]
    missing_key = api.candidate_key("C9")
    missing = {missing_key: {"patch": {"$set": {"manualMatchedMember": "urn:li:person:x"}}}}
    response = customer.post_batch(api.candidates, api.candidate_ids(["C9"]), missing)
    assert response.json()["errors"][missing_key]["status"] == 404
    not_a_patch = {key: {"$set": {"firstName": "B"}}}
    response = customer.post_batch(api.candidates, api.candidate_ids(["C1"]), not_a_patch)
    assert response.json()["errors"][key]["status"] == 422
    assert _get_one(customer)["manualMatchedMember"] is None
    assert rules_broken(client) == ["field.candidate", "field.patch"]


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
    ],
)
@pytest.mark.sandbox_violations("field.candidate")
def test_candidate_field_rules(client: TestClient, customer: Customer, overrides: dict, message: str) -> None:
    response = customer.put_candidates({"C1": candidate(**overrides)})
    error = response.json()["errors"][customer.api.candidate_key("C1")]
    assert error["status"] == 422
    assert customer.api.wire(message) in error["message"]
    assert customer.get_candidates(["C1"]).json()["results"] == {}
    [violation] = client.get("/_sandbox/violations").json()["violations"]
    assert violation["rule"] == "field.candidate"
    assert violation["section"] == "§3.4, §6.1"
    assert "C1: " in violation["message"] and customer.api.wire(message) in violation["message"]
    assert (violation["method"], violation["path"], violation["app"]) == (
        "PUT",
        customer.api.candidates,
        "acme",
    )
    assert violation["refused"] is True


@pytest.mark.sandbox_violations("field.unknown")
def test_unlisted_fields_break_a_rule_of_their_own(client: TestClient, customer: Customer) -> None:
    response = customer.put_candidates({"C1": candidate(favouriteColour="blue")})
    error = response.json()["errors"][customer.api.candidate_key("C1")]
    assert error["status"] == 422
    assert "unrecognized field 'favouriteColour'" in error["message"]
    assert rules_broken(client) == ["field.unknown"]


@pytest.mark.sandbox_violations("field.unknown", "field.candidate")
def test_the_other_shapes_timestamp_names_are_refused(client: TestClient, customer: Customer) -> None:
    api = customer.api
    other = {"atsCreatedAt": "externalCreatedAt", "atsLastModifiedAt": "externalLastModifiedAt"}
    if api.renames:
        other = {v: k for k, v in other.items()}
    body = {other.get(name, name): value for name, value in api.fields(candidate()).items()}
    response = customer.client.put(
        f"{api.candidates}?{api.candidate_ids(['C1'])}",
        json={"entities": {api.candidate_key("C1"): body}},
        headers=customer.headers("batch_update"),
    )
    message = response.json()["errors"][api.candidate_key("C1")]["message"]
    assert f"unrecognized field '{next(iter(other.values()))}'" in message
    assert f"{api.wire('atsCreatedAt')} is required" in message
    assert sorted(set(rules_broken(client))) == ["field.candidate", "field.unknown"]


def test_empty_addresses_and_phone_numbers_are_accepted(client: TestClient, customer: Customer) -> None:
    response = customer.put_candidates({"C1": candidate(addresses=[], phoneNumbers=[], emailAddresses=...)})
    assert response.json()["errors"] == {}


@pytest.mark.sandbox_violations("field.unknown")
def test_lenient_fields_accept_unlisted_fields_and_record_them(
    client: TestClient, customer: Customer
) -> None:
    client.put("/_sandbox/settings", json={"strict_fields": False})
    assert customer.put_candidates({"C1": candidate(favouriteColour="blue")}).json()["errors"] == {}
    [violation] = client.get("/_sandbox/violations").json()["violations"]
    assert (violation["rule"], violation["refused"]) == ("field.unknown", False)
    assert "C1: unrecognized field 'favouriteColour' (accepted" in violation["message"]


def test_delete_removes_candidate_and_its_notes_but_not_applications(
    client: TestClient, customer: Customer
) -> None:
    api = customer.api
    customer.put_candidates({"C1": candidate(), "C2": candidate()})
    notes = {
        "N1": {"atsCreatedAt": NOW, "note": "Strong.", "author": {"firstName": "Rita", "lastName": "Book"}}
    }
    assert customer.put_sub(api.candidate_path("C1"), "notes", notes).json()["results"] == {
        "N1": {"status": 204}
    }
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
    response = customer.delete(f"{api.candidates}?{api.candidate_ids(['C1', 'C7'])}")
    body = response.json()
    assert body["results"] == {api.candidate_key("C1", encoded=False): {"status": 204}}
    assert body["errors"][api.candidate_key("C7", encoded=False)]["status"] == 404
    assert customer.get_candidates(["C1"]).json()["results"] == {}
    assert len(customer.get_candidates(["C2"]).json()["results"]) == 1
    assert len(customer.get_applications(["A1"]).json()["results"]) == 1
    deletions = client.get("/_sandbox/orgs/1/deletions").json()["deletions"]
    assert [(d["kind"], d["key"], d["cascadedFrom"]) for d in deletions] == [
        ("candidate", "C1", None),
        ("candidateNote", "N1", "candidate:C1"),
    ]
    assert deletions[0]["clientId"] == "acme"
    # Deleting what is not there (C7) is fine: answered 404, no rule broken.
    assert rules_broken(client) == []


@pytest.mark.sandbox_violations("field.note")
def test_candidate_notes_put_get_delete(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    path = customer.api.candidate_path("C1")
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


@pytest.mark.sandbox_violations("order.parent")
def test_notes_of_an_unknown_candidate_are_404(client: TestClient, customer: Customer) -> None:
    response = customer.put_sub(customer.api.candidate_path("C404"), "notes", {"N1": {"note": "x"}})
    assert response.status_code == 404
    assert rules_broken(client) == ["order.parent"]
    assert customer.get(f"{customer.api.candidate_path('C404')}/notes?ids=N1").status_code == 404
    assert rules_broken(client) == ["order.parent"]


@pytest.mark.sandbox_violations("key.match")
def test_notes_ids_in_query_and_body_must_match(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    path = f"{customer.api.candidate_path('C1')}/notes"
    response = customer.put_batch(path, "ids=N1", {"N2": {"note": "x"}})
    assert response.status_code == 400
    assert rules_broken(client) == ["key.match"]
