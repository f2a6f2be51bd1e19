"""simpleJobPostings: asynchronous batch_create, task status, field rules; in both shapes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

from sandbox.clock import ScaledClock
from sandbox.jobs import task_status
from tests.sandbox.support import OTHER_ORG, Customer, job, rules_broken


def _post(customer: Customer, *elements: dict) -> dict:
    response = customer.post_jobs(*elements)
    assert response.status_code == 200, response.text
    return response.json()


def _tasks(customer: Customer, *task_ids: str) -> dict:
    path = customer.api.path("simpleJobPostingTasks")
    return customer.get(f"{path}?" + "&".join(f"ids={t}" for t in task_ids)).json()


def test_each_element_gets_a_task_that_succeeds_after_the_delay(
    client: TestClient, customer: Customer
) -> None:
    answers = _post(customer, job(), job(externalJobPostingId="J2", state="CLOSED", availability="PUBLIC"))
    assert [a["status"] for a in answers["elements"]] == [202, 202]
    task_ids = [a["id"] for a in answers["elements"]]
    assert all(t.startswith("urn:li:simpleJobPostingTask:") for t in task_ids)
    assert {r["status"] for r in _tasks(customer, *task_ids)["results"].values()} == {"IN_PROGRESS"}
    client.put("/_sandbox/clock", json={"advance_s": 5})
    results = _tasks(customer, *task_ids)["results"]
    assert {r["status"] for r in results.values()} == {"SUCCEEDED"}
    assert results[task_ids[0]]["jobPosting"].startswith("urn:li:jobPosting:")
    jobs = client.get("/_sandbox/orgs/1/jobs").json()["jobs"]
    assert {(j["externalJobPostingId"], j["state"], j["taskStatus"]) for j in jobs} == {
        ("J1", "LISTED", "SUCCEEDED"),
        ("J2", "CLOSED", "SUCCEEDED"),
    }


def test_reposting_a_job_updates_the_same_job_posting(client: TestClient, customer: Customer) -> None:
    first = _post(customer, job())["elements"][0]["id"]
    second = _post(customer, job(state="CLOSED"))["elements"][0]["id"]
    results = _tasks(customer, first, second)["results"]
    assert results[first]["jobPosting"] == results[second]["jobPosting"]
    assert client.get("/_sandbox/orgs/1/jobs/J1").json()["state"] == "CLOSED"


def test_restli_list_form_of_task_ids(client: TestClient, customer: Customer) -> None:
    task = _post(customer, job())["elements"][0]["id"]
    encoded = task.replace(":", "%3A")
    path = customer.api.path("simpleJobPostingTasks")
    assert task in customer.get(f"{path}?ids=List({encoded})").json()["results"]


def test_unknown_and_foreign_tasks_are_404(client: TestClient, customer: Customer) -> None:
    assert (
        _tasks(customer, "urn:li:simpleJobPostingTask:nope")["errors"]["urn:li:simpleJobPostingTask:nope"][
            "status"
        ]
        == 404
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "x" * 201}, "title is 201 characters; at most 200"),
        ({"title": ...}, "title is required"),
        ({"description": ...}, "description is required"),
        ({"externalJobPostingId": ...}, "externalJobPostingId is required"),
        ({"integrationContext": ...}, "integrationContext is required"),
        ({"location": ...}, "location is required"),
        ({"state": "OPEN"}, "state must be LISTED or CLOSED"),
        ({"state": ...}, "state is required"),
        ({"availability": "INTERNAL"}, "availability must be PUBLIC or PRIVATE_TO_ATS_INTEGRATION"),
        ({"availability": ...}, "availability is required"),
        ({"companyApplyUrl": "jobs page"}, "companyApplyUrl must be an http(s) URL"),
        ({"listedAt": 0}, "listedAt must be epoch milliseconds > 0"),
        ({"salary": 100}, "unrecognized field 'salary'"),
    ],
)
@pytest.mark.sandbox_violations("field.job", "field.unknown")
def test_job_field_rules(client: TestClient, customer: Customer, overrides: dict, message: str) -> None:
    [answer] = _post(customer, job(**overrides))["elements"]
    assert answer["status"] == 422
    assert message in answer["error"]["message"]
    assert client.get("/_sandbox/orgs/1/jobs").json()["jobs"] == []
    assert rules_broken(client) == ["field.unknown" if "unrecognized" in message else "field.job"]


def test_title_of_exactly_200_characters_and_postal_location_are_accepted(
    client: TestClient, customer: Customer
) -> None:
    postal = job(location=..., countryCode="us", postalCode="94105", title="x" * 200)
    assert _post(customer, postal)["elements"][0]["status"] == 202


@pytest.mark.sandbox_violations("auth.scope")
def test_a_job_of_another_organization_is_403(client: TestClient, customer: Customer) -> None:
    answers = _post(customer, job(integrationContext=OTHER_ORG), job(externalJobPostingId="J2"))
    assert [a["status"] for a in answers["elements"]] == [403, 202]
    assert rules_broken(client) == ["auth.scope"]


@pytest.mark.sandbox_violations("body.shape")
def test_a_body_without_elements_is_400(client: TestClient, customer: Customer) -> None:
    response = customer.client.post(
        customer.api.path("simpleJobPostings"),
        json={"entities": {}},
        headers=customer.headers("batch_create"),
    )
    assert response.status_code == 400
    assert rules_broken(client) == ["body.shape"]


def test_a_posting_task_is_in_progress_for_the_configured_delay_then_settles() -> None:
    sandbox = SimpleNamespace(
        settings=SimpleNamespace(job_task_delay_s=2.0), clock=ScaledClock(start_ms=10_000)
    )
    assert task_status(sandbox, created_at=9_000) == "IN_PROGRESS"
    assert task_status(sandbox, created_at=8_000) == "SUCCEEDED"
    assert task_status(sandbox, created_at=8_000, failure="title too long") == "FAILED"
