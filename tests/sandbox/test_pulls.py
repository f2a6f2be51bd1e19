"""What the integration pulls: exported candidates, seats, InMails, stubs, prospect notes, purged
members. Every test runs in both shapes (purged members exist only under rest/)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.sandbox.conftest import make_customer
from tests.sandbox.support import (
    CONTRACT,
    NOW,
    ORG,
    OTHER_CONTRACT,
    REST_API,
    V2,
    Api,
    Customer,
    rules_broken,
    violations,
)

HOUR = 3_600_000
SEAT = "urn:li:seat:501"
MEMBER = {
    "member": "urn:li:person:ada",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "headline": "Analyst of engines",
    "location": "London, England, United Kingdom",
    "profileUrl": "https://www.linkedin.com/in/ada",
    "emailAddress": "ada@example.com",
    "currentPositions": [
        {"companyName": "Analytical Engines", "title": "Analyst", "startedOn": {"year": 1842, "month": 9}}
    ],
    "pastPositions": [
        {"companyName": "Babbage & Co", "title": "Assistant", "startedOn": {"year": 1833, "month": 6}}
    ],
    "educations": [{"schoolName": "Home", "degree": "Mathematics"}],
}
SCENARIO = {
    "members": [
        MEMBER,
        {
            "member": "urn:li:person:rec",
            "firstName": "Rita",
            "lastName": "Book",
            "emailAddress": "rita@acme.example",
        },
    ],
    "seats": [
        {"seat": SEAT, "contract": CONTRACT, "member": "urn:li:person:rec"},
        {
            "seat": "urn:li:seat:502",
            "contract": CONTRACT,
            "member": "urn:li:person:x",
            "firstName": "X",
            "state": "INACTIVE",
        },
        {"seat": "urn:li:seat:900", "contract": OTHER_CONTRACT},
    ],
    "conversationEvents": [
        {
            "id": "E1",
            "thread": "urn:li:messagingThread:1",
            "viewer": SEAT,
            "member": "urn:li:person:ada",
            "created": NOW,
            "subject": "Hello",
            "body": "Interested?",
        },
        {
            "id": "E2",
            "thread": "urn:li:messagingThread:1",
            "viewer": SEAT,
            "author": "urn:li:person:ada",
            "member": "urn:li:person:ada",
            "created": NOW + HOUR,
            "subject": "Re: Hello",
            "body": "Yes",
        },
        {"id": "E3", "thread": "urn:li:messagingThread:2", "viewer": SEAT, "created": NOW + 2 * HOUR},
    ],
    "mailStubs": [
        {
            "id": "M1",
            "contract": CONTRACT,
            "owners": [SEAT],
            "member": "urn:li:person:ada",
            "firstName": "Ada",
            "emailAddress": "ada@example.com",
            "created": NOW,
        },
        {"id": "M2", "contract": CONTRACT, "owners": ["urn:li:seat:502"], "created": NOW + 1},
    ],
    "prospectNotes": [
        {
            "id": "P1",
            "contract": CONTRACT,
            "owner": SEAT,
            "member": "urn:li:person:ada",
            "note": "Call her",
            "created": NOW,
            "lastModified": NOW + 2 * HOUR,
        },
        {
            "id": "P2",
            "contract": CONTRACT,
            "owner": SEAT,
            "note": "Private",
            "visibility": "PRIVATE",
            "created": NOW,
            "lastModified": NOW + HOUR,
        },
        {
            "id": "P3",
            "contract": CONTRACT,
            "owner": SEAT,
            "note": "Gone",
            "active": False,
            "created": NOW,
            "lastModified": NOW,
        },
    ],
}


def _seed(client: TestClient) -> None:
    response = client.post("/_sandbox/scenario", json=SCENARIO)
    assert response.status_code == 200, response.text


def test_exported_candidate_is_pulled_by_request_id(client: TestClient, customer: Customer) -> None:
    _seed(client)
    created = client.post(
        "/_sandbox/exports",
        json={"clientId": "acme", "externalJobPostingId": "J1", "member": "urn:li:person:ada"},
    ).json()
    assert created["pushId"] is not None
    body = customer.get(f"/v2/exportedCandidates?q=request&requestId={created['requestId']}", **V2).json()
    [element] = body["elements"]
    assert element["integrationContext"] == ORG
    assert element["externalJobPostingId"] == "J1"
    assert element["exporter"] == SEAT
    assert element["exportedAt"] == created["export"]["exportedAt"]
    candidate = element["candidate"]
    assert candidate["member"] == "urn:li:person:ada"
    assert candidate["headline"] == "Analyst of engines"
    assert candidate["pastPositions"][0]["companyName"] == "Babbage & Co"
    assert candidate["educations"] == [{"schoolName": "Home", "degree": "Mathematics"}]
    assert "emailAddress" not in candidate
    rest = customer.get(
        f"/rest/exportedCandidates?q=request&requestId={created['requestId']}",
        **{"LinkedIn-Version": "202604"},
    )
    assert rest.json()["elements"] == [element]


@pytest.mark.sandbox_violations("finder.required")
def test_export_is_invisible_to_other_organizations(client: TestClient, customer: Customer) -> None:
    exported = customer.api.path("exportedCandidates")
    other = make_customer(client, "globex", org="urn:li:organization:2", api=customer.api)
    created = client.post(
        "/_sandbox/exports",
        json={
            "organization": "1",
            "externalJobPostingId": "J1",
            "push": False,
            "candidate": {"member": "urn:li:person:inline", "firstName": "In", "lastName": "Line"},
        },
    ).json()
    assert other.get(f"{exported}?q=request&requestId={created['requestId']}").status_code == 404
    assert customer.get(f"{exported}?q=request&requestId=nope").status_code == 404
    assert rules_broken(client) == []
    assert customer.get(f"{exported}?q=request").status_code == 400
    assert rules_broken(client) == ["finder.required"]
    exports = client.get("/_sandbox/orgs/1/exports").json()["exports"]
    assert exports[0]["candidate"]["firstName"] == "In"


def test_export_of_an_unseeded_member_is_refused(client: TestClient, customer: Customer) -> None:
    response = client.post(
        "/_sandbox/exports",
        json={"clientId": "acme", "externalJobPostingId": "J1", "member": "urn:li:person:ghost"},
    )
    assert response.status_code == 400
    assert "not seeded" in response.json()["error"]


@pytest.mark.sandbox_violations("finder.required", "auth.scope", "finder.value")
def test_seats_page_filter_and_require_start(client: TestClient, customer: Customer) -> None:
    _seed(client)
    seats = customer.api.path("seatsV2")
    base = f"{seats}?q=attributes&contracts={CONTRACT}"
    assert customer.get(base).status_code == 400
    [missing_start] = violations(client)
    assert missing_start["rule"] == "finder.required" and "'start'" in missing_start["message"]
    body = customer.get(f"{base}&start=0").json()
    assert [e["seat"] for e in body["elements"]] == [SEAT, "urn:li:seat:502"]
    assert body["paging"] == {"start": 0, "count": 10, "total": 2, "links": []}
    seat = body["elements"][0]
    assert seat == {
        "id": 501,
        "seat": SEAT,
        "contract": CONTRACT,
        "member": "urn:li:person:rec",
        "firstName": "Rita",
        "lastName": "Book",
        "emailAddress": "rita@acme.example",
        "state": "ACTIVE",
    }
    active = customer.get(f"{base}&states=ACTIVE&start=0").json()["elements"]
    assert [e["id"] for e in active] == [501]
    second_page = customer.get(f"{base}&start=1&count=1").json()
    assert [e["id"] for e in second_page["elements"]] == [502]
    assert customer.get(f"{seats}?q=attributes&contracts={OTHER_CONTRACT}&start=0").status_code == 403
    assert customer.get(f"{base}&states=RETIRED&start=0").status_code == 400
    assert rules_broken(client) == ["finder.required", "auth.scope", "finder.value"]


@pytest.mark.sandbox_violations("finder.window", "finder.required", "auth.scope")
def test_conversation_events_window_rules(client: TestClient, customer: Customer) -> None:
    _seed(client)
    events = customer.api.path("conversationEvents")
    base = f"{events}?q=criteria&viewer={SEAT}"
    body = customer.get(f"{base}&timeRange.start={NOW}&timeRange.end={NOW + 2 * HOUR}").json()
    assert [e["id"] for e in body["elements"]] == ["E1", "E2"]
    assert body["elements"][1]["author"] == "urn:li:person:ada"
    assert body["elements"][0]["author"] == SEAT
    threaded = customer.get(
        f"{base}&timeRange.start={NOW}&timeRange.end={NOW + 3 * HOUR}&threadUrn=urn:li:messagingThread:2"
    ).json()
    assert [e["id"] for e in threaded["elements"]] == ["E3"]
    assert customer.get(f"{base}&timeRange.start={NOW}&timeRange.end={NOW + 12 * HOUR}").status_code == 200
    too_long = customer.get(f"{base}&timeRange.start={NOW}&timeRange.end={NOW + 12 * HOUR + 1}")
    assert too_long.status_code == 400
    assert "at most 12 h" in too_long.json()["message"]
    assert customer.get(f"{base}&timeRange.start={NOW}").status_code == 400
    no_viewer = f"{events}?q=criteria&timeRange.start={NOW}&timeRange.end={NOW + HOUR}"
    assert customer.get(no_viewer).status_code == 400
    foreign = f"{events}?q=criteria&viewer=urn:li:seat:900&timeRange.start={NOW}"
    foreign += f"&timeRange.end={NOW + 1}"
    assert customer.get(foreign).status_code == 403
    assert rules_broken(client) == ["finder.window", "finder.required", "finder.required", "auth.scope"]


@pytest.mark.sandbox_violations("finder.required", "auth.scope")
def test_mail_stubs_need_owners_and_filter_by_them(client: TestClient, customer: Customer) -> None:
    _seed(client)
    stubs = customer.api.path("mailStubs")
    base = f"{stubs}?q=contract&contract={CONTRACT}"
    assert customer.get(base).status_code == 400
    body = customer.get(f"{base}&owners={SEAT}").json()
    [stub] = body["elements"]
    assert stub["emailAddress"] == "ada@example.com"
    assert stub["owners"] == [SEAT]
    both = customer.get(f"{base}&owners=List({SEAT},urn:li:seat:502)").json()
    assert [s["id"] for s in both["elements"]] == ["M1", "M2"]
    windowed = customer.get(
        f"{base}&owners={SEAT}&owners=urn:li:seat:502&createdDateStart={NOW + 1}&createdDateEnd={NOW + 2}"
    ).json()
    assert [s["id"] for s in windowed["elements"]] == ["M2"]
    assert customer.get(f"{stubs}?q=contract&contract={OTHER_CONTRACT}&owners={SEAT}").status_code == 403
    assert rules_broken(client) == ["finder.required", "auth.scope"]


def test_mail_stub_results_are_capped(client: TestClient, customer: Customer, monkeypatch) -> None:
    from sandbox import prospects

    monkeypatch.setattr(prospects, "MAIL_STUB_RESULT_CAP", 1)
    _seed(client)
    body = customer.get(
        f"{customer.api.path('mailStubs')}?q=contract&contract={CONTRACT}&owners=List({SEAT},urn:li:seat:502)"
    ).json()
    assert body["paging"]["total"] == 1


@pytest.mark.sandbox_violations("finder.window")
def test_prospect_notes_bounds_order_and_active_flag(client: TestClient, customer: Customer) -> None:
    _seed(client)
    base = f"{customer.api.path('prospectNotes')}?q=criteria&contract={CONTRACT}&owners={SEAT}"
    body = customer.get(f"{base}&cutoffDate={NOW}&beforeDate={NOW + 2 * HOUR}").json()
    assert [n["id"] for n in body["elements"]] == ["P2", "P1"]
    assert body["elements"][0]["visibility"] == "PRIVATE"
    inclusive_cutoff = customer.get(f"{base}&cutoffDate={NOW - 1}&beforeDate={NOW + HOUR}").json()
    assert [(n["id"], n["active"]) for n in inclusive_cutoff["elements"]] == [("P3", False), ("P2", True)]
    assert customer.get(f"{base}&cutoffDate={NOW}&beforeDate={NOW + 13 * HOUR}").status_code == 400
    client.post(
        "/_sandbox/scenario",
        json={
            "prospectNotes": [
                {
                    "id": "P1",
                    "contract": CONTRACT,
                    "owner": SEAT,
                    "active": False,
                    "created": NOW,
                    "lastModified": NOW + 3 * HOUR,
                }
            ]
        },
    )
    later = customer.get(f"{base}&cutoffDate={NOW + 2 * HOUR}&beforeDate={NOW + 3 * HOUR}").json()
    assert [(n["id"], n["active"]) for n in later["elements"]] == [("P1", False)]


@pytest.mark.sandbox_violations("path.unknown")
def test_purged_exported_candidates_are_served_only_under_rest(
    client: TestClient, customer: Customer
) -> None:
    client.post(
        "/_sandbox/purged-candidates",
        json={"clientId": "acme", "member": "urn:li:person:gone", "purgedAt": NOW},
    )
    client.post("/_sandbox/purged-candidates", json={"organization": "2", "member": "urn:li:person:other"})
    headers = REST_API.headers
    body = customer.get("/rest/atsPurgedExportedCandidates?q=criteria", **headers).json()
    assert [e["member"] for e in body["elements"]] == ["urn:li:person:gone"]
    assert body["elements"][0]["exportType"] == "ONE_CLICK_EXPORT"
    window = f"/rest/atsPurgedExportedCandidates?q=criteria&timeRange.start={NOW + 1}&timeRange.end={NOW + 2}"
    assert customer.get(window, **headers).json()["elements"] == []
    typed = customer.get(
        f"/rest/atsPurgedExportedCandidates?q=criteria&exportType=ONE_CLICK_EXPORT"
        f"&timeRange.start={NOW}&timeRange.end={NOW + 1}",
        **headers,
    ).json()
    assert len(typed["elements"]) == 1
    assert rules_broken(client) == []
    v2 = customer.get("/v2/atsPurgedExportedCandidates?q=criteria", **V2)
    assert v2.status_code == 404
    assert "served only under /rest/" in v2.json()["message"]
    [violation] = violations(client)
    assert violation["rule"] == "path.unknown" and violation["path"] == "/v2/atsPurgedExportedCandidates"


@pytest.mark.sandbox_violations("enablement.contract")
def test_prospect_interactions_need_the_contracts_csa_api_enabled(client: TestClient, api: Api) -> None:
    _seed(client)
    onboarding = make_customer(client, "newco", org="urn:li:organization:3", api=api, enabled=False)
    client.put("/_sandbox/apps/newco", json={"contracts": [CONTRACT]})
    calls = [
        f"{api.path('seatsV2')}?q=attributes&contracts={CONTRACT}&start=0",
        f"{api.path('conversationEvents')}?q=criteria&viewer={SEAT}"
        f"&timeRange.start={NOW}&timeRange.end={NOW + 1}",
        f"{api.path('mailStubs')}?q=contract&contract={CONTRACT}&owners={SEAT}",
        f"{api.path('prospectNotes')}?q=criteria&contract={CONTRACT}&cutoffDate={NOW}&beforeDate={NOW + 1}",
    ]
    for path in calls:
        response = onboarding.get(path)
        assert response.status_code == 403, path
        assert "CSA_API" in response.json()["message"]
    assert rules_broken(client) == ["enablement.contract"] * 4
    # The company-level integrations do not open the contract's prospect interactions.
    client.post(
        "/_sandbox/integration-status",
        json={"clientId": "newco", "integrationTypes": ["ONE_CLICK_EXPORT"], "push": False},
    )
    assert onboarding.get(calls[0]).status_code == 403
    client.post(
        "/_sandbox/integration-status",
        json={"clientId": "newco", "integrationTypes": ["CSA_API"], "push": False},
    )
    assert all(onboarding.get(path).status_code == 200 for path in calls)
    assert rules_broken(client) == ["enablement.contract"] * 5
