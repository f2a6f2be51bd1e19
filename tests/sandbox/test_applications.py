"""atsApplications (v2 and rest/) and their stages, notes and interview feedback."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.sandbox.support import (
    NOW,
    ORG,
    Customer,
    application,
    application_path,
    entity_key,
    ids_query,
    job,
)

KEY = entity_key("atsJobApplicationId", "A1", encoded=False)


def test_put_get_and_whole_record_replace(client: TestClient, customer: Customer) -> None:
    assert customer.put_applications({"A1": application(dispositionReason="")}).json()["errors"] == {}
    shown = customer.get_applications(["A1"]).json()["results"][KEY]
    assert shown["atsJobPostingName"] == "Engineer"
    assert shown["dispositionReason"] == ""
    customer.put_applications({"A1": application(source=...)})
    assert customer.get_applications(["A1"]).json()["results"][KEY]["source"] is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"atsCreatedAt": ...}, "atsCreatedAt is required"),
        ({"atsLastModifiedAt": 0}, "atsLastModifiedAt must be epoch milliseconds > 0"),
        ({"atsCreatedAt": NOW, "atsLastModifiedAt": NOW - 1}, "must not be before atsCreatedAt"),
        ({"atsJobPostingId": ""}, "atsJobPostingId must not be empty"),
        ({"atsJobPostingId": ...}, "atsJobPostingId is required"),
        ({"atsJobPostingName": ""}, "atsJobPostingName must not be empty"),
        ({"firstName": ""}, "firstName must not be empty"),
        ({"firstName": ...}, "firstName is required"),
        ({"candidateEmail": "nope"}, "candidateEmail 'nope' is not an e-mail address"),
        ({"stage": "Hired"}, "unrecognized field 'stage'"),
    ],
)
def test_application_field_rules(
    client: TestClient, customer: Customer, overrides: dict, message: str
) -> None:
    response = customer.put_applications({"A1": application(**overrides)})
    error = response.json()["errors"][entity_key("atsJobApplicationId", "A1")]
    assert error["status"] == 422
    assert message in error["message"]


def test_candidate_email_is_optional(client: TestClient, customer: Customer) -> None:
    assert customer.put_applications({"A1": application(candidateEmail=...)}).json()["errors"] == {}


def test_known_job_rule_is_a_switch(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"require_known_job": True})
    response = customer.put_applications({"A1": application()})
    assert (
        "is not a job synced" in response.json()["errors"][entity_key("atsJobApplicationId", "A1")]["message"]
    )
    client.post("/v2/simpleJobPostings", json={"elements": [job()]}, headers=customer.headers("batch_create"))
    assert customer.put_applications({"A1": application()}).json()["errors"] == {}


def _with_sub_resources(customer: Customer) -> str:
    customer.put_applications({"A1": application(), "A2": application()})
    path = application_path("A1")
    stages = {
        "S1": {"atsCreatedAt": NOW, "stage": "New"},
        "S2": {"atsCreatedAt": NOW + 1, "stage": "Phone Screen"},
    }
    assert customer.put_sub(path, "stages", stages).json()["errors"] == {}
    assert (
        customer.put_sub(path, "notes", {"N1": {"atsCreatedAt": NOW, "note": "Great resume"}}).json()[
            "errors"
        ]
        == {}
    )
    feedback = {
        "F1": {
            "atsCreatedAt": NOW,
            "evaluations": [{"attribute": "Communication", "result": "4/5"}],
            "feedback": "Great interview!",
            "interviewer": {"firstName": "Rita", "lastName": "Book"},
        }
    }
    assert customer.put_sub(path, "interviewFeedback", feedback).json()["errors"] == {}
    return path


def test_sub_resources_are_stored_under_their_application(client: TestClient, customer: Customer) -> None:
    _with_sub_resources(customer)
    inspected = client.get("/_sandbox/orgs/1/applications/A1").json()
    assert set(inspected["stages"]) == {"S1", "S2"}
    assert inspected["notes"]["N1"]["note"] == "Great resume"
    assert inspected["interviewFeedback"]["F1"]["feedback"] == "Great interview!"


def test_sub_resource_rules(client: TestClient, customer: Customer) -> None:
    customer.put_applications({"A1": application()})
    path = application_path("A1")
    response = customer.put_sub(
        path, "stages", {"S1": {"stage": "New"}, "S2": {"atsCreatedAt": NOW, "stage": ""}}
    )
    assert "atsCreatedAt is required" in response.json()["errors"]["S1"]["message"]
    assert "stage must not be empty" in response.json()["errors"]["S2"]["message"]
    response = customer.put_sub(path, "interviewFeedback", {"F1": {"evaluations": [{"result": "4"}]}})
    assert "evaluations[0].attribute is required" in response.json()["errors"]["F1"]["message"]
    response = customer.put_sub(path, "interviewFeedback", {"F1": {"interviewer": {"lastName": "Book"}}})
    assert "interviewer.firstName is required" in response.json()["errors"]["F1"]["message"]


def test_deleting_an_application_deletes_its_sub_resources(client: TestClient, customer: Customer) -> None:
    _with_sub_resources(customer)
    response = customer.delete(f"/v2/atsApplications?{ids_query('atsJobApplicationId', ['A1'])}")
    assert response.json()["results"] == {KEY: {"status": 204}}
    assert customer.get_applications(["A1"]).json()["results"] == {}
    assert len(customer.get_applications(["A2"]).json()["results"]) == 1
    deletions = client.get("/_sandbox/orgs/1/deletions").json()["deletions"]
    assert sorted((d["kind"], d["key"]) for d in deletions) == [
        ("application", "A1"),
        ("applicationNote", "N1"),
        ("applicationStage", "S1"),
        ("applicationStage", "S2"),
        ("interviewFeedback", "F1"),
    ]
    assert {d["cascadedFrom"] for d in deletions if d["kind"] != "application"} == {"application:A1"}
    _with_sub_resources(customer)
    assert client.get("/_sandbox/orgs/1/applications/A1").json()["stages"].keys() == {"S1", "S2"}


def test_sub_resources_can_be_deleted_one_by_one(client: TestClient, customer: Customer) -> None:
    path = _with_sub_resources(customer)
    assert customer.delete(f"{path}/stages?ids=S1").json()["results"] == {"S1": {"status": 204}}
    assert customer.delete(f"{path}/interviewFeedback?ids=F1").json()["results"] == {"F1": {"status": 204}}
    assert customer.delete(f"{path}/notes?ids=N1&ids=N9").json()["errors"]["N9"]["status"] == 404
    inspected = client.get("/_sandbox/orgs/1/applications/A1").json()
    assert list(inspected["stages"]) == ["S2"]
    assert inspected["interviewFeedback"] == {} and inspected["notes"] == {}
    assert customer.get(f"{path}/stages?ids=S2").json()["results"]["S2"]["stage"] == "Phone Screen"


def test_rest_variant_keys_by_id_and_integration_context(client: TestClient, customer: Customer) -> None:
    headers = customer.headers("batch_update", **{"LinkedIn-Version": "202604"})
    key = f"id=A1&integrationContext={ORG}"
    response = client.put(
        f"/rest/atsApplications?{ids_query('id', ['A1'], data_provider=False)}",
        json={"entities": {key: application()}},
        headers=headers,
    )
    assert response.json()["results"] == {key: {"status": 204}}
    assert len(customer.get_applications(["A1"]).json()["results"]) == 1
    stage_path = f"/rest/atsApplications/{key}/stages?ids=S1"
    response = client.put(
        stage_path, json={"entities": {"S1": {"atsCreatedAt": NOW, "stage": "New"}}}, headers=headers
    )
    assert response.json()["results"] == {"S1": {"status": 204}}
    v2_keyed = f"/rest/atsApplications?{ids_query('atsJobApplicationId', ['A1'])}"
    assert client.get(v2_keyed, headers=headers).status_code == 400
