"""What an export and an InMail stub teach the matcher about a member: the export carries no contact
details, the stub every e-mail and phone the member shared."""

from __future__ import annotations

from datetime import UTC, datetime

from linkedin.exports import ExportedCandidate
from schemas.linkedin import MailStub
from store.members import MemberSource
from workers.shared.member_observations import export_observation, stub_observation

T0_MS = int(datetime(2026, 5, 1, 9, 0, tzinfo=UTC).timestamp() * 1000)


def test_an_export_observes_names_employers_and_its_time_but_no_contact_details() -> None:
    export = ExportedCandidate.model_validate(
        {
            "requestId": "r-1",
            "integrationContext": "urn:li:organization:4242",
            "externalJobPostingId": "J-1",
            "exportedAt": T0_MS,
            "candidate": {
                "member": "urn:li:person:ada",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "location": "London",
                "currentPositions": [
                    {"companyName": "Engines", "title": "Analyst"},
                    {"companyName": "Engines"},
                    {"companyName": "Looms"},
                ],
            },
        }
    )
    seen = export_observation(export)
    assert (seen.person_urn, seen.source) == ("urn:li:person:ada", MemberSource.EXPORT)
    assert seen.observed_at == datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    assert (seen.first_name, seen.last_name, seen.location) == ("Ada", "Lovelace", "London")
    assert list(seen.companies) == ["Engines", "Looms"]
    assert (list(seen.emails), list(seen.phones)) == ([], [])


def test_a_stub_observes_every_email_and_phone_the_member_shared() -> None:
    stub = MailStub(
        stub_id="s-1",
        contract="urn:li:contract:10",
        owners=["urn:li:seat:501"],
        member="urn:li:person:ada",
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        other_emails=["ada@engines.example"],
        phone="+44 20 0000 0000",
        other_phones=["+44 20 0000 0001"],
        company="Engines",
        created_ms=T0_MS,
        last_modified_ms=T0_MS + 60_000,
    )
    seen = stub_observation(stub)
    assert seen.source is MemberSource.INMAIL_STUB
    assert seen.observed_at == datetime(2026, 5, 1, 9, 1, tzinfo=UTC)
    assert list(seen.emails) == ["ada@example.com", "ada@engines.example"]
    assert list(seen.phones) == ["+44 20 0000 0000", "+44 20 0000 0001"]
    assert list(seen.companies) == ["Engines"]


def test_a_stub_without_contact_details_observes_none() -> None:
    stub = MailStub(
        stub_id="s-2",
        contract="urn:li:contract:10",
        owners=["urn:li:seat:501"],
        member="urn:li:person:ada",
        created_ms=T0_MS,
        last_modified_ms=T0_MS,
    )
    seen = stub_observation(stub)
    assert (list(seen.emails), list(seen.phones), list(seen.companies)) == ([], [], [])
