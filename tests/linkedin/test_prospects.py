"""Prospect interactions and seats through the client, on each API shape, against the strict sandbox:
each finder read over its window, every page, in the pipeline's field names; a window LinkedIn would
refuse is refused before any call."""

from __future__ import annotations

import time

import pytest

from linkedin.client import LinkedInClient
from linkedin.prospects import MAX_WINDOW_MS
from linkedin.seats import Seats
from tests.sandbox_harness import SandboxHarness

ORG = "urn:li:organization:77"
CONTRACT = "urn:li:contract:10"
RITA = "urn:li:seat:501"
ADA = "urn:li:person:ada"


@pytest.fixture
def recruiter(sandbox: SandboxHarness) -> LinkedInClient:
    """An app with one contract and Rita's seat on it, which has one InMail, one stub and one note."""
    now = int(time.time() * 1000)
    sandbox.create_app("beta-client", "beta-secret", ORG, contracts=[CONTRACT])
    sandbox.control(
        "POST",
        "/scenario",
        json={
            "members": [{"member": "urn:li:person:rita", "firstName": "Rita", "lastName": "Book"}],
            "seats": [{"seat": RITA, "contract": CONTRACT, "member": "urn:li:person:rita"}],
            "conversationEvents": [
                {"id": "E1", "thread": "urn:li:messagingThread:t", "viewer": RITA, "member": ADA,
                 "created": now - 60_000, "body": "Hello Ada"},
            ],
            "mailStubs": [
                {"id": "MS1", "contract": CONTRACT, "owners": [RITA], "member": ADA, "firstName": "Ada",
                 "lastName": "Lovelace", "created": now - 60_000, "lastModified": now - 60_000},
            ],
            "prospectNotes": [
                {"id": "PN1", "contract": CONTRACT, "owner": RITA, "member": ADA, "note": "Call in May",
                 "visibility": "ORGANIZATION", "active": True, "created": now - 60_000,
                 "lastModified": now - 60_000},
            ],
        },
    )  # fmt: skip
    return sandbox.linkedin("beta-client", "beta-secret", ORG)


def test_each_finder_returns_the_windows_items(sandbox: SandboxHarness, recruiter: LinkedInClient) -> None:
    now = int(time.time() * 1000)
    start, end = now - MAX_WINDOW_MS, now
    events, calls = recruiter.prospects.conversation_events(RITA, start, end)
    assert ([e["id"] for e in events], calls) == (["E1"], 1)
    stubs, _ = recruiter.prospects.mail_stubs(CONTRACT, [RITA], start, end)
    assert [s["id"] for s in stubs] == ["MS1"]
    notes, _ = recruiter.prospects.prospect_notes(CONTRACT, [RITA], start, end)
    assert [n["id"] for n in notes] == ["PN1"]
    earlier, _ = recruiter.prospects.conversation_events(RITA, start - MAX_WINDOW_MS, start)
    assert earlier == []


def test_the_contracts_seats_are_read_whatever_their_state(
    sandbox: SandboxHarness, recruiter: LinkedInClient
) -> None:
    seats, calls = Seats(recruiter.http).of_contract(CONTRACT)
    assert calls == 1
    assert [seat.get("seat") or seat.get("entityUrn") or seat.get("urn") for seat in seats] == [RITA]


@pytest.mark.parametrize(("start", "end"), [(0, 0), (10, 5), (0, MAX_WINDOW_MS + 1)])
def test_a_window_linkedin_would_refuse_is_refused_before_any_call(
    sandbox: SandboxHarness, recruiter: LinkedInClient, start: int, end: int
) -> None:
    before = len(sandbox.control("GET", "/requests")["requests"])
    with pytest.raises(ValueError, match="a poll window must be 1 ms to 12 h long"):
        recruiter.prospects.prospect_notes(CONTRACT, [RITA], start, end)
    assert len(sandbox.control("GET", "/requests")["requests"]) == before
