"""The ingress's profile plugin endpoints for the ATS UI: view, link, unlink, review, and their guard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from events.publisher import Publisher
from ingress import profile_plugin
from ingress.app import create_app
from rsc.settings import get_settings
from schemas.ats import CandidateSnapshot
from store.db import get_store
from store.linkedin_sync import Resource
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from tests.helpers import create_tenant
from workers.profile_matching.bulk import match_tenant

T0 = datetime(2026, 5, 1, tzinfo=UTC)
TOKEN = "ats-backend-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PATH = "/ats/acme/candidates/C1/linkedin-profile"


@pytest.fixture
def client(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("RSC_ATS_API_TOKEN", TOKEN)
    from rsc.settings import reset_settings

    reset_settings()
    create_tenant("acme")
    with UnitOfWork("acme", get_store()) as uow:
        uow.candidates.apply(
            CandidateSnapshot(
                candidate_id="C1",
                first_name="Ada",
                last_name="Lovelace",
                emails=["ada@example.com"],
                created_at=T0,
                modified_at=T0,
            )
        )
        uow.members.observe(
            MemberObservation(
                "urn:li:person:ada",
                MemberSource.INMAIL_STUB,
                T0,
                first_name="Ada",
                last_name="Lovelace",
                emails=["ada@example.com"],
                profile_url="https://www.linkedin.com/in/ada",
            )
        )
        uow.commit()
    match_tenant(get_store(), "acme")
    with TestClient(plugin_app()) as test_client:
        yield test_client


def plugin_app() -> Starlette:
    """The ingress with the plugin's routes, wired with the settings as they are now."""
    settings = get_settings()
    publisher = Publisher("memory://", settings=settings)
    return create_app(publisher=publisher, extra_routes=profile_plugin.routes(settings, get_store()))


def test_the_view_gives_the_profile_url_and_why(client: TestClient) -> None:
    response = client.get(PATH, headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["standing"] == "linked" and body["link_source"] == "automatic"
    assert body["link"]["profile_url"] == "https://www.linkedin.com/in/ada"
    assert body["link"]["reason"] == "email" and body["link"]["reason_text"] == "same e-mail address"


def test_link_and_unlink_from_the_widget_callbacks_are_recorded_and_queued_for_linkedin(
    client: TestClient,
) -> None:
    linked = client.put(PATH, headers=AUTH, json={"personUrn": "urn:li:person:other", "decidedBy": "u-17"})
    assert linked.status_code == 200, linked.text
    assert linked.json()["changed"] and linked.json()["previousUrn"] == "urn:li:person:ada"
    unlinked = client.delete(PATH, headers=AUTH, params={"decidedBy": "u-18"})
    assert unlinked.json()["action"] == "unlink"
    again = client.delete(PATH, headers=AUTH, params={"decidedBy": "u-18"})
    assert again.json() == {**again.json(), "changed": False, "linkedin": "unchanged"}
    body = client.get(PATH, headers=AUTH).json()
    assert body["standing"] == "unlinked" and body["decided_by"] == "u-18"
    assert [(h["action"], h["actor"]) for h in body["history"]] == [
        ("auto_link", "matcher"),
        ("link", "u-17"),
        ("unlink", "u-18"),
    ]
    with UnitOfWork("acme", get_store()) as uow:
        assert uow.outbox.dirty_count(Resource.CANDIDATE_MEMBER) == 1


def test_bad_requests_are_refused_with_their_reason(client: TestClient) -> None:
    assert client.get(PATH).status_code == 401
    assert client.get(PATH, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/ats/nope/candidates/C1/linkedin-profile", headers=AUTH).status_code == 404
    missing = client.get("/ats/acme/candidates/C404/linkedin-profile", headers=AUTH)
    assert missing.status_code == 404 and missing.json()["error"] == "candidate_not_found"
    no_urn = client.put(PATH, headers=AUTH, json={"decidedBy": "u-1"})
    assert no_urn.status_code == 400
    bad_urn = client.put(PATH, headers=AUTH, json={"personUrn": "ada", "decidedBy": "u-1"})
    assert bad_urn.status_code == 422 and bad_urn.json()["error"] == "invalid_person_urn"
    nobody = client.delete(PATH, headers=AUTH)
    assert nobody.status_code == 422 and nobody.json()["error"] == "missing_decider"
    unknown = client.put(
        "/ats/acme/candidates/C404/linkedin-profile",
        headers=AUTH,
        json={"personUrn": "urn:li:person:x", "decidedBy": "u-1"},
    )
    assert unknown.status_code == 404


def test_the_review_list(client: TestClient) -> None:
    response = client.get("/ats/acme/linkedin-profile/review", headers=AUTH, params={"limit": "10"})
    assert response.status_code == 200 and response.json() == {"items": []}
    assert (
        client.get("/ats/acme/linkedin-profile/review", headers=AUTH, params={"limit": "x"}).status_code
        == 400
    )


def test_without_a_token_configured_the_endpoints_are_off(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_ATS_API_TOKEN", "")
    from rsc.settings import reset_settings

    reset_settings()
    # The routes read the settings they were wired with: an ingress started without a token.
    with TestClient(plugin_app()) as without_token:
        response = without_token.get(PATH, headers=AUTH)
    assert response.status_code == 503 and "RSC_ATS_API_TOKEN" in response.json()["reason"]
