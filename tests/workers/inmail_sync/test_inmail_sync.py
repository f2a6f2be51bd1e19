"""InMail sync on both stores: messages in thread order once, contact details from stubs only, and the
merge rule (same last name and e-mail: merge; either differs: a new candidate) with its undo."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app
from schemas.ats import StageTransition
from store.applications import Application
from store.base import to_ms
from store.candidate_view import candidate_view
from store.candidates import Candidate, CandidateOrigin
from store.db import Store
from store.linkedin_sync import Resource
from store.uow import UnitOfWork
from tests.workers.support import T0, TENANT, ats_candidate, inmail, note, seat, stub, user
from workers.inmail_sync.handlers import handle_inmail, handle_mail_stub
from workers.note_sync.handlers import handle_prospect_note

ADA = "urn:li:person:ada"


def uow(store: Store) -> UnitOfWork:
    return UnitOfWork(TENANT, store)


def linkedin_candidate(store: Store, candidate_id: str = "li-export-1") -> None:
    """A candidate an export made: linked to the member, applied to a job, no e-mail."""
    with uow(store) as w:
        w.candidates.add(
            Candidate(
                id=candidate_id,
                origin=CandidateOrigin.LINKEDIN_EXPORT.value,
                first_name="Ada",
                last_name="Lovelace",
                person_urn=ADA,
                emails=[],
                phones=[],
                addresses=[],
                current_companies=["Analytical Engines"],
                created_at=T0,
                modified_at=T0,
                source_modified_ms=to_ms(T0),
                source_revision=0,
            )
        )
        w.applications.add(
            Application(
                id="app-li-1",
                candidate_id=candidate_id,
                job_id="J-1",
                status="New",
                origin=CandidateOrigin.LINKEDIN_EXPORT.value,
                created_at=T0,
                modified_at=T0,
                source_modified_ms=to_ms(T0),
                source_revision=0,
            )
        )
        w.applications.add_stage("app-li-1", StageTransition(transition_id="s0", status="New", changed_at=T0))
        w.commit()


def test_a_stub_creates_the_candidate_with_the_shared_details_and_the_time_of_consent(store: Store) -> None:
    result = handle_mail_stub(stub("M1", ADA, at=5_000), uow(store))
    assert result is not None and result.created and result.merged_into is None
    view = candidate_view(uow(store), result.candidate_id, None)
    assert (view["first_name"], view["last_name"]) == ("Ada", "Lovelace")
    assert view["emails"] == ["ada@example.com"]
    assert view["phones"] == ["+44 20 0000 0000"]
    assert (view["current_title"], view["current_company"]) == ("Chief Analyst", "Analytical Engines")
    assert view["contact_shared_at"] == T0.replace(second=5).isoformat()
    assert view["person_urn"] == ADA
    with uow(store) as w:
        assert w.outbox.dirty_ids(Resource.CANDIDATE, [result.candidate_id]) == {result.candidate_id}
    # The same stub again (a re-poll or a redelivery) changes nothing.
    assert handle_mail_stub(stub("M1", ADA, at=5_000), uow(store)) is None


def test_inmails_carry_no_contact_details_and_attach_in_thread_order_once(store: Store) -> None:
    messages = [
        inmail("E3", ADA, thread="2", at=3_000),
        inmail("E2", ADA, thread="1", at=2_000, author=ADA, body="Yes"),
        inmail("E1", ADA, thread="1", at=0),
        inmail("E4", ADA, thread="1", at=4_000),
    ]
    for event in [*messages, messages[1], messages[2]]:  # two arrive twice
        handle_inmail(event, uow(store))
    with uow(store) as w:
        assert w.candidates.by_person_urn(ADA) is None  # messages alone make no candidate
    result = handle_mail_stub(stub("M1", ADA, at=5_000), uow(store))
    assert result is not None
    view = candidate_view(uow(store), result.candidate_id, None)
    assert [m["id"] for m in view["messages"]] == ["E1", "E2", "E4", "E3"]
    assert view["emails"] == ["ada@example.com"]


def test_merge_when_last_name_and_email_match_and_unmerge_restores_both(store: Store) -> None:
    user(store, "rita")
    seat(store, 501, "rita")
    ats_candidate(store, "C-17", "LOVELACE", "Ada@Example.com", phones=[{"number": "+1 555 0100"}])
    linkedin_candidate(store)
    handle_inmail(inmail("E1", ADA), uow(store))
    handle_prospect_note(note("P1", ADA), uow(store))

    result = handle_mail_stub(stub("M1", ADA), uow(store))

    assert result is not None and result.merged_into == "C-17" and result.candidate_id == "C-17"
    merged = candidate_view(uow(store), "C-17", "rita")
    assert merged["person_urn"] == ADA
    assert [a["id"] for a in merged["applications"]] == ["app-li-1"]
    assert [m["id"] for m in merged["messages"]] == ["E1"]
    assert [n["id"] for n in merged["notes"]] == ["P1"]
    assert merged["phones"] == ["+1 555 0100", "+44 20 0000 0000"]
    assert merged["current_title"] == "Chief Analyst"
    assert merged["merged_from"] == ["li-export-1"]
    away = candidate_view(uow(store), "li-export-1", "rita")
    assert away["merged_into"] == "C-17"
    assert away["person_urn"] is None and away["applications"] == [] and away["messages"] == []
    with uow(store) as w:
        assert w.outbox.dirty_ids(Resource.APPLICATION, ["app-li-1"]) == {"app-li-1"}
        assert w.outbox.dirty_ids(Resource.CANDIDATE_MEMBER, ["C-17", "li-export-1"]) == {
            "C-17",
            "li-export-1",
        }

        # The member's claim moved with the person URN: C-17 is the one candidate of the member.
        claim = w.member_claims.holder(ADA)
        assert claim is not None and (claim.candidate_id, claim.kind) == ("C-17", "linkedin")

    # Delivered again: nothing moves twice.
    assert handle_mail_stub(stub("M1", ADA), uow(store)) is None

    outcome = CliRunner().invoke(app, ["candidate", "unmerge", "--tenant", TENANT, "li-export-1"])
    assert outcome.exit_code == 0, outcome.output

    source = candidate_view(uow(store), "li-export-1", "rita")
    target = candidate_view(uow(store), "C-17", "rita")
    assert source["person_urn"] == ADA and source["merged_into"] is None
    assert [a["id"] for a in source["applications"]] == ["app-li-1"]
    assert [m["id"] for m in source["messages"]] == ["E1"]
    assert [n["id"] for n in source["notes"]] == ["P1"]
    assert target["person_urn"] is None and target["merged_from"] == []
    assert target["applications"] == [] and target["messages"] == [] and target["notes"] == []
    assert target["phones"] == ["+1 555 0100"]
    assert target["current_title"] is None
    assert target["emails"] == ["Ada@example.com"]  # as the ATS sent it (the domain normalised)
    with uow(store) as w:
        claim = w.member_claims.holder(ADA)
        assert claim is not None and claim.candidate_id == "li-export-1"

    # An undone pairing is not merged again by the member's next stub.
    again = handle_mail_stub(stub("M2", ADA, at=60_000), uow(store))
    assert again is not None and again.merged_into is None and again.candidate_id == "li-export-1"
    assert CliRunner().invoke(app, ["candidate", "unmerge", "--tenant", TENANT, "C-17"]).exit_code == 1


@pytest.mark.parametrize(
    ("last_name", "email"),
    [("Byron", "ada@example.com"), ("Lovelace", "ada.king@example.com")],
    ids=["last-name-differs", "email-differs"],
)
def test_a_new_candidate_when_the_last_name_or_the_email_differs(
    store: Store, last_name: str, email: str
) -> None:
    ats_candidate(store, "C-17", last_name, email)
    result = handle_mail_stub(stub("M1", ADA), uow(store))
    assert result is not None and result.created and result.merged_into is None
    assert result.candidate_id != "C-17"
    existing = candidate_view(uow(store), "C-17", None)
    assert existing["person_urn"] is None and existing["phones"] == [] and existing["emails"] == [email]
    with uow(store) as w:
        assert w.merges.active_into("C-17") == []
