"""What the integration pulls: exported candidates, seats, InMails, stubs, prospect notes, purged members."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.sandbox.conftest import make_customer
from tests.sandbox.support import CONTRACT, NOW, ORG, OTHER_CONTRACT, Customer

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
    body = customer.get(f"/v2/exportedCandidates?q=request&requestId={created['requestId']}").json()
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


def test_export_is_invisible_to_other_organizations(client: TestClient, customer: Customer) -> None:
    other = make_customer(client, "globex", org="urn:li:organization:2")
    created = client.post(
        "/_sandbox/exports",
        json={
            "organization": "1",
            "externalJobPostingId": "J1",
            "push": False,
            "candidate": {"member": "urn:li:person:inline", "firstName": "In", "lastName": "Line"},
        },
    ).json()
    assert other.get(f"/v2/exportedCandidates?q=request&requestId={created['requestId']}").status_code == 404
    assert customer.get("/v2/exportedCandidates?q=request&requestId=nope").status_code == 404
    assert customer.get("/v2/exportedCandidates?q=request").status_code == 400
    exports = client.get("/_sandbox/orgs/1/exports").json()["exports"]
    assert exports[0]["candidate"]["firstName"] == "In"


def test_export_of_an_unseeded_member_is_refused(client: TestClient, customer: Customer) -> None:
    response = client.post(
        "/_sandbox/exports",
        json={"clientId": "acme", "externalJobPostingId": "J1", "member": "urn:li:person:ghost"},
    )
    assert response.status_code == 400
    assert "not seeded" in response.json()["error"]


def test_seats_page_filter_and_require_start(client: TestClient, customer: Customer) -> None:
    _seed(client)
    base = f"/v2/seatsV2?q=attributes&contracts={CONTRACT}"
    assert customer.get(base).status_code == 400
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
    assert customer.get(f"/v2/seatsV2?q=attributes&contracts={OTHER_CONTRACT}&start=0").status_code == 403
    assert customer.get(f"{base}&states=RETIRED&start=0").status_code == 400


def test_conversation_events_window_rules(client: TestClient, customer: Customer) -> None:
    _seed(client)
    base = f"/v2/conversationEvents?q=criteria&viewer={SEAT}"
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
    no_viewer = f"/v2/conversationEvents?q=criteria&timeRange.start={NOW}&timeRange.end={NOW + HOUR}"
    assert customer.get(no_viewer).status_code == 400
    foreign = f"/v2/conversationEvents?q=criteria&viewer=urn:li:seat:900&timeRange.start={NOW}"
    foreign += f"&timeRange.end={NOW + 1}"
    assert customer.get(foreign).status_code == 403


def test_mail_stubs_need_owners_and_filter_by_them(client: TestClient, customer: Customer) -> None:
    _seed(client)
    base = f"/v2/mailStubs?q=contract&contract={CONTRACT}"
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
    assert (
        customer.get(f"/v2/mailStubs?q=contract&contract={OTHER_CONTRACT}&owners={SEAT}").status_code == 403
    )


def test_mail_stub_results_are_capped(client: TestClient, customer: Customer, monkeypatch) -> None:
    from sandbox import prospects

    monkeypatch.setattr(prospects, "MAIL_STUB_RESULT_CAP", 1)
    _seed(client)
    body = customer.get(
        f"/v2/mailStubs?q=contract&contract={CONTRACT}&owners=List({SEAT},urn:li:seat:502)"
    ).json()
    assert body["paging"]["total"] == 1


def test_prospect_notes_bounds_order_and_active_flag(client: TestClient, customer: Customer) -> None:
    _seed(client)
    base = f"/v2/prospectNotes?q=criteria&contract={CONTRACT}&owners={SEAT}"
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


def test_purged_exported_candidates(client: TestClient, customer: Customer) -> None:
    client.post(
        "/_sandbox/purged-candidates",
        json={"clientId": "acme", "member": "urn:li:person:gone", "purgedAt": NOW},
    )
    client.post("/_sandbox/purged-candidates", json={"organization": "2", "member": "urn:li:person:other"})
    headers = {"LinkedIn-Version": "202604"}
    body = customer.get("/rest/atsPurgedExportedCandidates?q=criteria", **headers).json()
    assert [e["member"] for e in body["elements"]] == ["urn:li:person:gone"]
    assert body["elements"][0]["exportType"] == "ONE_CLICK_EXPORT"
    window = f"/rest/atsPurgedExportedCandidates?q=criteria&timeRange.start={NOW + 1}&timeRange.end={NOW + 2}"
    assert customer.get(window, **headers).json()["elements"] == []
    v2 = customer.get(
        f"/v2/atsPurgedExportedCandidates?q=criteria&exportType=ONE_CLICK_EXPORT"
        f"&timeRange.start={NOW}&timeRange.end={NOW + 1}"
    ).json()
    assert len(v2["elements"]) == 1
