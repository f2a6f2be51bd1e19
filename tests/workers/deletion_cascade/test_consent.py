"""Consent: when and how the member agreed to share contact details, shown with the candidate."""

from __future__ import annotations

from datetime import UTC, datetime

from store.candidate_view import candidate_view
from tests.workers.deletion_cascade.support import SEAT, World
from tests.workers.deletion_cascade.test_deletion_cascade import PERSON, member
from workers.inmail_sync.handlers import StubResult


def test_contact_details_show_the_consent_they_were_shared_under(world: World) -> None:
    world.deliver(world.candidate_event("C-1", PERSON, created=world.now()))
    world.deliver(world.export_event(member(world)))
    urn = member(world)["member"]
    stub = world.stub_event(urn, {**PERSON, "email": "shared@example.org"}, phone="+44 161 496 0001")
    result = world.deliver(stub)
    assert isinstance(result, StubResult) and result.merged_into is None  # another e-mail: no merge
    view = candidate_view(world.uow(), result.candidate_id, None)
    (consent,) = view["contact_consents"]
    given = datetime.fromtimestamp(stub.data.created_ms / 1000, UTC).isoformat()
    assert consent == {
        "given_at": given,
        "source": "linkedin_inmail_reply",
        "stub_id": stub.data.stub_id,
        "contract": stub.data.contract,
        "seats": [SEAT],
        "email": "shared@example.org",
        "phone": "+44 161 496 0001",
        "emails": ["shared@example.org"],
        "phones": ["+44 161 496 0001"],
    }
    assert view["contact_shared_at"] == given
    details = {(d["kind"], d["value"]): d["consent"] for d in view["contact_details"]}
    assert details[("email", "shared@example.org")] == {
        "given_at": given,
        "source": "linkedin_inmail_reply",
        "stub_id": stub.data.stub_id,
        "seats": [SEAT],
    }
    assert details[("phone", "+44 161 496 0001")]["stub_id"] == stub.data.stub_id
    # The ATS's own candidate: its details came from the ATS, with no LinkedIn consent attached.
    ats = candidate_view(world.uow(), "C-1", None)
    assert ats["contact_consents"] == []
    assert {d["consent"] is None for d in ats["contact_details"]} == {True}
