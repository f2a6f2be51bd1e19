"""The client speaks the API shape it is configured for, and reads answers in the shape it asked in:
requests and answers against a scripted LinkedIn, on each shape, without a sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import pytest

from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.errors import LinkedInVersionSunset
from linkedin.transport import Request, Response
from rsc.settings import get_settings, reset_settings
from store.db import get_store
from store.integrations import IntegrationStatus, IntegrationType
from tests.helpers import ORG
from tests.linkedin.conftest import EXPECTED

Answer = Callable[[Request], Response]


def reply(code: int, body: Any) -> Response:
    return Response(code, {}, json.dumps(body).encode())


class ScriptedLinkedIn:
    """Mints tokens and answers every API call with ``answer``; keeps the requests."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[Request] = []

    def send(self, request: Request, *, timeout_s: float) -> Response:
        if request.path == "/oauth/v2/accessToken":
            return reply(200, {"access_token": "t", "expires_in": 1800})
        self.requests.append(request)
        return self.answer(request)

    def close(self) -> None:
        pass

    def client(self) -> LinkedInClient:
        return LinkedInClients(get_settings(), get_store, transport=self).for_app(
            AppCredentials("acme-client", "acme-secret"), ORG
        )


def entity_key(**fields: str) -> str:
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in fields.items())


def everything_ok(request: Request) -> Response:
    keys = json.loads(request.content)["entities"] if request.content else {}
    return reply(200, {"results": {k: {"status": 204} for k in keys}, "errors": {}})


@pytest.fixture(autouse=True)
def _scripted(sqlite_url: str, api_version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://li")
    reset_settings()


def test_a_candidate_goes_to_the_shapes_path_with_its_key_and_field_names(api_version: str) -> None:
    fake = ScriptedLinkedIn(everything_ok)
    body = {
        "firstName": "Ada",
        "atsCreatedAt": 1,
        "atsLastModifiedAt": 2,
        "addresses": [],
        "phoneNumbers": [],
    }
    result = fake.client().candidates.upsert({"C-1": body})
    assert set(result.ok) == {"C-1"}
    (request,) = fake.requests
    path, key_fields, renames = EXPECTED[api_version]["candidates"]
    assert request.path == path
    key = {"atsCandidateId": "C-1", "dataProvider": "ATS", "integrationContext": ORG}
    expected_key = {renames.get(k, k): v for k, v in key.items() if renames.get(k, k) in key_fields}
    assert dict((name.split(".", 1)[1], v) for name, v in parse_qsl(request.query)) == expected_key
    (sent_key, sent_body), *_ = json.loads(request.content or b"")["entities"].items()
    assert dict(part.split("=", 1) for part in unquote(sent_key).split("&")) == expected_key
    assert sent_body == {renames.get(k, k): v for k, v in body.items()}
    if api_version == "v2":
        assert "LinkedIn-Version" not in request.headers
    else:
        assert request.headers["LinkedIn-Version"] == api_version
    assert request.headers["X-RestLi-Protocol-Version"] == "2.0.0"
    assert request.headers["x-restli-method"] == "batch_update"


def test_matched_members_and_records_are_read_in_the_shape_asked_in(api_version: str) -> None:
    if api_version == "v2":
        key = entity_key(atsCandidateId="C-1", dataProvider="ATS", integrationContext=ORG)
        record = {"matchedMembers": ["urn:li:person:b", "urn:li:person:a"], "atsCreatedAt": 7}
    else:
        # LinkedIn may answer the key's fields in another order.
        key = entity_key(integrationContext=ORG, externalCandidateId="C-1")
        record = {"matchedMembers": ["urn:li:person:b", "urn:li:person:a"], "externalCreatedAt": 7}
    fake = ScriptedLinkedIn(lambda request: reply(200, {"results": {key: record}, "errors": {}}))
    client = fake.client()
    assert client.candidates.matched_members(["C-1"]) == {"C-1": ["urn:li:person:a", "urn:li:person:b"]}
    assert client.candidates.get(["C-1"]).ok["C-1"]["atsCreatedAt"] == 7


def test_integration_states_are_read_by_the_key_the_shape_asked_with(api_version: str) -> None:
    context = {"integrationContext": ORG, "integrationType": "ONE_CLICK_EXPORT", "tenantType": "RECRUITER"}
    if api_version == "v2":
        context["dataProvider"] = "ATS"
    element = {"integrationContext": ORG, "integrationType": "ONE_CLICK_EXPORT", "status": "ENABLED"}
    unknown = entity_key(**{**context, "integrationType": "PROFILE_PLUGIN"})
    answer = {"results": {entity_key(**context): element}, "errors": {unknown: {"status": 404}}}
    fake = ScriptedLinkedIn(lambda request: reply(200, answer))
    readings = fake.client().integrations.statuses(
        [(IntegrationType.ONE_CLICK_EXPORT, ORG), (IntegrationType.PROFILE_PLUGIN, ORG)]
    )
    assert readings[(IntegrationType.ONE_CLICK_EXPORT, ORG)].status is IntegrationStatus.ENABLED
    # One LinkedIn does not know reads as not named, whatever the shape.
    assert readings[(IntegrationType.PROFILE_PLUGIN, ORG)].status is IntegrationStatus.NOT_NAMED
    (request,) = fake.requests
    assert request.path == EXPECTED[api_version]["integrations"][0]
    assert ("dataProvider" in request.query) == (api_version == "v2")


def test_an_integration_status_change_is_read_on_the_shapes_path(api_version: str) -> None:
    element = {"integrationContext": ORG, "integrationType": "IN_ATS_INDICATOR", "status": "ENABLED"}
    fake = ScriptedLinkedIn(lambda request: reply(200, {"elements": [element]}))
    (reading,) = fake.client().integrations.status_change("req-1")
    assert reading.status is IntegrationStatus.ENABLED and reading.request_id == "req-1"
    (request,) = fake.requests
    assert request.path == EXPECTED[api_version]["integrations"][0]
    assert parse_qsl(request.query) == [("q", "request"), ("requestId", "req-1")]


def test_configurations_hang_off_the_integrations_key_of_the_shape(api_version: str) -> None:
    fake = ScriptedLinkedIn(everything_ok)
    fake.client().integrations.set_configurations(
        IntegrationType.ONE_CLICK_EXPORT, ORG, {"CALLBACK_URL": "https://ats.example/cb"}
    )
    (request,) = fake.requests
    template = EXPECTED[api_version]["configurations"][0]
    prefix, suffix = template.split("{key}")
    assert request.path.startswith(prefix) and request.path.endswith(suffix)
    key = unquote(request.path[len(prefix) : -len(suffix)])
    assert ("dataProvider=ATS" in key) == (api_version == "v2")
    assert "integrationType=ONE_CLICK_EXPORT" in key and "tenantType=RECRUITER" in key


def test_applications_stages_and_jobs_go_to_the_shapes_paths(api_version: str) -> None:
    def answer(request: Request) -> Response:
        if request.path.endswith("simpleJobPostings"):
            return reply(200, {"elements": [{"status": 201, "id": "task-1"}]})
        return everything_ok(request)

    fake = ScriptedLinkedIn(answer)
    client = fake.client()
    client.applications.stages("A-1").upsert({"T-1": {"atsCreatedAt": 1, "stage": "New"}})
    client.jobs.upsert({"J-1": {"title": "Engineer"}})
    stages, jobs = fake.requests
    id_field = EXPECTED[api_version]["applications"][1][0]
    assert stages.path.startswith(EXPECTED[api_version]["stages"][0].split("{key}")[0] + id_field + "=A-1")
    assert json.loads(stages.content or b"") == {"entities": {"T-1": {"atsCreatedAt": 1, "stage": "New"}}}
    assert jobs.path == EXPECTED[api_version]["jobs"][0]


def test_exports_are_fetched_on_the_shapes_path(api_version: str) -> None:
    export = {
        "requestId": "r-1",
        "integrationContext": ORG,
        "externalJobPostingId": "J-1",
        "candidate": {"member": "urn:li:person:ada", "firstName": "Ada"},
    }
    fake = ScriptedLinkedIn(lambda request: reply(200, {"elements": [export]}))
    assert fake.client().exports.fetch("r-1").member.person_urn == "urn:li:person:ada"
    assert fake.requests[0].path == EXPECTED[api_version]["exports"][0]


def test_purge_notices_are_read_on_rest_with_a_linkedin_version_whatever_the_shape(api_version: str) -> None:
    fake = ScriptedLinkedIn(lambda request: reply(200, {"elements": []}))
    assert fake.client().purged_candidates.list(None, 1_000) == ([], 1)
    (request,) = fake.requests
    assert request.path == "/rest/atsPurgedExportedCandidates"
    assert request.headers["LinkedIn-Version"] == ("202604" if api_version == "v2" else api_version)


def test_prospect_finders_go_to_the_shapes_paths(api_version: str) -> None:
    fake = ScriptedLinkedIn(lambda request: reply(200, {"elements": [], "paging": {"total": 0}}))
    client = fake.client()
    client.seats.of_contract("urn:li:contract:1")
    client.prospects.conversation_events("urn:li:seat:1", 0, 1000)
    client.prospects.mail_stubs("urn:li:contract:1", ["urn:li:seat:1"], 0, 1000)
    client.prospects.prospect_notes("urn:li:contract:1", ["urn:li:seat:1"], 0, 1000)
    assert [r.path for r in fake.requests] == [
        EXPECTED[api_version][family][0]
        for family in ("seats", "conversationEvents", "mailStubs", "prospectNotes")
    ]


def test_a_sunset_version_is_a_permanent_error_naming_the_setting(api_version: str) -> None:
    fake = ScriptedLinkedIn(lambda request: reply(426, {"message": "version sunset", "status": 426}))
    with pytest.raises(LinkedInVersionSunset, match="RSC_LINKEDIN_API_VERSION") as raised:
        fake.client().candidates.get(["C-1"])
    assert raised.value.status == 426
    assert len(fake.requests) == 1  # not retried
