"""atsApplications and their stages, notes and interview feedback; every test runs in both shapes
(v2 keyed by atsJobApplicationId and dataProvider, rest/ by id and integrationContext)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.sandbox.support import NOW, ORG, V2_API, Customer, application, ids_query, job, rules_broken


def test_put_get_and_whole_record_replace(client: TestClient, customer: Customer) -> None:
    key = customer.api.application_key("A1", encoded=False)
    assert customer.put_applications({"A1": application(dispositionReason="")}).json()["errors"] == {}
    shown = customer.get_applications(["A1"]).json()["results"][key]
    assert shown["atsJobPostingName"] == "Engineer"
    assert shown["dispositionReason"] == ""
    customer.put_applications({"A1": application(source=...)})
    assert customer.get_applications(["A1"]).json()["results"][key]["source"] is None


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
@pytest.mark.sandbox_violations("field.application", "field.unknown")
def test_application_field_rules(
    client: TestClient, customer: Customer, overrides: dict, message: str
) -> None:
    response = customer.put_applications({"A1": application(**overrides)})
    error = response.json()["errors"][customer.api.application_key("A1")]
    assert error["status"] == 422
    assert message in error["message"]
    expected = "field.unknown" if "unrecognized" in message else "field.application"
    assert rules_broken(client) == [expected]


def test_candidate_email_is_optional(client: TestClient, customer: Customer) -> None:
    assert customer.put_applications({"A1": application(candidateEmail=...)}).json()["errors"] == {}


@pytest.mark.sandbox_violations("field.application")
def test_known_job_rule_is_a_switch(client: TestClient, customer: Customer) -> None:
    client.put("/_sandbox/settings", json={"require_known_job": True})
    response = customer.put_applications({"A1": application()})
    assert "is not a job synced" in response.json()["errors"][customer.api.application_key("A1")]["message"]
    customer.post_jobs(job())
    assert customer.put_applications({"A1": application()}).json()["errors"] == {}


def _with_sub_resources(customer: Customer) -> str:
    customer.put_applications({"A1": application(), "A2": application()})
    path = customer.api.application_path("A1")
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


@pytest.mark.sandbox_violations("field.stage", "field.feedback")
def test_sub_resource_rules(client: TestClient, customer: Customer) -> None:
    customer.put_applications({"A1": application()})
    path = customer.api.application_path("A1")
    response = customer.put_sub(
        path, "stages", {"S1": {"stage": "New"}, "S2": {"atsCreatedAt": NOW, "stage": ""}}
    )
    assert "atsCreatedAt is required" in response.json()["errors"]["S1"]["message"]
    assert "stage must not be empty" in response.json()["errors"]["S2"]["message"]
    response = customer.put_sub(path, "interviewFeedback", {"F1": {"evaluations": [{"result": "4"}]}})
    assert "evaluations[0].attribute is required" in response.json()["errors"]["F1"]["message"]
    response = customer.put_sub(path, "interviewFeedback", {"F1": {"interviewer": {"lastName": "Book"}}})
    assert "interviewer.firstName is required" in response.json()["errors"]["F1"]["message"]
    assert rules_broken(client) == ["field.stage", "field.feedback", "field.feedback"]


def test_deleting_an_application_deletes_its_sub_resources(client: TestClient, customer: Customer) -> None:
    _with_sub_resources(customer)
    api = customer.api
    response = customer.delete(f"{api.applications}?{api.application_ids(['A1'])}")
    assert response.json()["results"] == {api.application_key("A1", encoded=False): {"status": 204}}
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


@pytest.mark.sandbox_violations("key.shape")
def test_each_shape_refuses_the_other_shapes_keys(client: TestClient, customer: Customer) -> None:
    api = customer.api
    other = (
        ids_query("id", ["A1"], data_provider=False)
        if api is V2_API
        else ids_query("atsJobApplicationId", ["A1"])
    )
    response = customer.get(f"{api.applications}?{other}")
    assert response.status_code == 400
    assert "must have exactly the fields" in response.json()["message"]
    assert rules_broken(client) == ["key.shape"]


def test_records_written_in_one_shape_read_the_same_in_the_other(
    client: TestClient, customer: Customer
) -> None:
    customer.put_applications({"A1": application()})
    stage = {"S1": {"atsCreatedAt": NOW, "stage": "New"}}
    assert customer.put_sub(customer.api.application_path("A1"), "stages", stage).json()["errors"] == {}
    inspected = client.get("/_sandbox/orgs/1/applications/A1").json()
    assert inspected["atsJobApplicationId"] == "A1"
    assert inspected["stages"] == stage
    rest_key = f"id=A1&integrationContext={ORG}"
    v2 = customer.client.get(
        f"/v2/atsApplications?{ids_query('atsJobApplicationId', ['A1'])}",
        headers={**customer.headers(), "X-RestLi-Protocol-Version": "2.0.0"},
    ).json()["results"]
    rest = customer.client.get(
        f"/rest/atsApplications?{ids_query('id', ['A1'], data_provider=False)}",
        headers={**customer.headers(), "LinkedIn-Version": "202604"},
    ).json()["results"]
    assert rest[rest_key] == next(iter(v2.values()))
