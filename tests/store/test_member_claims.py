"""Member claims and merge proposals: the same contract on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from schemas.ats import CandidateSnapshot
from store.db import Store
from store.member_claims import ClaimKind, ClaimOutcome, MemberClaim, MergeProposal, ProposalState
from store.uow import UnitOfWork

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ADA = "urn:li:person:ada"
GRACE = "urn:li:person:grace"


def candidates(store: Store, *ids: str) -> None:
    with UnitOfWork("acme", store) as uow:
        for candidate_id in ids:
            uow.candidates.apply(
                CandidateSnapshot(candidate_id=candidate_id, first_name="Ada", created_at=T0, modified_at=T0)
            )
        uow.commit()


def claim(store: Store, person_urn: str, candidate_id: str, kind: ClaimKind) -> ClaimOutcome:
    with UnitOfWork("acme", store) as uow:
        outcome = uow.member_claims.claim(person_urn, candidate_id, kind).outcome
        uow.commit()
    return outcome


def holder(store: Store, person_urn: str = ADA) -> tuple[str, str] | None:
    with UnitOfWork("acme", store) as uow:
        held = uow.member_claims.holder(person_urn)
        return (held.candidate_id, held.kind) if held else None


def open_pairs(store: Store) -> list[tuple[str, str, str]]:
    with UnitOfWork("acme", store) as uow:
        return [(p.person_urn, p.candidate_id, p.holder_id) for p in uow.member_claims.open_proposals()]


def test_the_store_refuses_a_second_claim_of_one_member_whoever_writes_it(store: Store) -> None:
    candidates(store, "C1", "C2")
    assert claim(store, ADA, "C1", ClaimKind.AUTOMATIC) is ClaimOutcome.HELD
    with UnitOfWork("acme", store) as uow, pytest.raises(IntegrityError):
        uow.session.execute(
            insert(MemberClaim),
            [
                {
                    "tenant_id": "acme",
                    "person_urn": ADA,
                    "candidate_id": "C2",
                    "kind": "manual",
                    "claimed_at": T0,
                }
            ],
        )
    assert holder(store) == ("C1", "automatic")


def test_a_stronger_claim_takes_the_member_over_and_the_displaced_candidate_is_proposed(store: Store) -> None:
    candidates(store, "C-ats", "li-1", "C-person")
    assert claim(store, ADA, "C-ats", ClaimKind.AUTOMATIC) is ClaimOutcome.HELD
    # An export's candidate beats the matcher's link.
    assert claim(store, ADA, "li-1", ClaimKind.LINKEDIN) is ClaimOutcome.TAKEN_OVER
    assert holder(store) == ("li-1", "linkedin")
    assert open_pairs(store) == [(ADA, "C-ats", "li-1")]
    # A person's link beats everything.
    assert claim(store, ADA, "C-person", ClaimKind.MANUAL) is ClaimOutcome.TAKEN_OVER
    assert holder(store) == ("C-person", "manual")
    # Each proposal names the holder it lost to (the review list shows the member's holder now).
    assert open_pairs(store) == [(ADA, "C-ats", "li-1"), (ADA, "li-1", "C-person")]


def test_an_equal_or_weaker_claim_is_refused_and_proposed_once(store: Store) -> None:
    candidates(store, "C1", "C2", "C3")
    assert claim(store, ADA, "C1", ClaimKind.MANUAL) is ClaimOutcome.HELD
    assert claim(store, ADA, "C2", ClaimKind.AUTOMATIC) is ClaimOutcome.REFUSED
    assert claim(store, ADA, "C2", ClaimKind.AUTOMATIC) is ClaimOutcome.REFUSED
    assert claim(store, ADA, "C3", ClaimKind.MANUAL) is ClaimOutcome.REFUSED
    assert claim(store, ADA, "C2", ClaimKind.LINKEDIN) is ClaimOutcome.REFUSED
    assert holder(store) == ("C1", "manual")
    assert open_pairs(store) == [(ADA, "C2", "C1"), (ADA, "C3", "C1")]


def test_claiming_again_is_idempotent_and_a_stronger_kind_upgrades_the_own_claim(store: Store) -> None:
    candidates(store, "C1")
    assert claim(store, ADA, "C1", ClaimKind.LINKEDIN) is ClaimOutcome.HELD
    assert claim(store, ADA, "C1", ClaimKind.AUTOMATIC) is ClaimOutcome.HELD
    assert holder(store) == ("C1", "linkedin")
    assert claim(store, ADA, "C1", ClaimKind.MANUAL) is ClaimOutcome.HELD
    assert holder(store) == ("C1", "manual")
    assert open_pairs(store) == []


def test_a_candidate_holds_one_member_and_its_other_claims_end(store: Store) -> None:
    candidates(store, "C1")
    claim(store, ADA, "C1", ClaimKind.AUTOMATIC)
    claim(store, GRACE, "C1", ClaimKind.AUTOMATIC)
    assert holder(store, ADA) is None
    assert holder(store, GRACE) == ("C1", "automatic")
    with UnitOfWork("acme", store) as uow:
        assert {c: h.person_urn for c, h in uow.member_claims.of_candidates(["C1", "C9"]).items()} == {
            "C1": GRACE
        }


def test_a_release_ends_only_the_named_candidates_claim_of_that_kind(store: Store) -> None:
    candidates(store, "C1", "C2")
    claim(store, ADA, "C1", ClaimKind.LINKEDIN)
    with UnitOfWork("acme", store) as uow:
        assert not uow.member_claims.release(ADA, "C2")
        assert not uow.member_claims.release(ADA, "C1", ClaimKind.AUTOMATIC)
        assert uow.member_claims.release(ADA, "C1", ClaimKind.LINKEDIN)
        uow.commit()
    assert holder(store) is None
    assert claim(store, ADA, "C2", ClaimKind.AUTOMATIC) is ClaimOutcome.HELD


def test_a_decided_proposal_opens_again_only_when_the_member_changed_hands(store: Store) -> None:
    candidates(store, "C1", "C2", "C3")
    claim(store, ADA, "C1", ClaimKind.LINKEDIN)
    claim(store, ADA, "C2", ClaimKind.AUTOMATIC)
    with UnitOfWork("acme", store) as uow:
        assert uow.member_claims.decide(ADA, ["C2"], ProposalState.DECIDED, "alice") == 1
        uow.commit()
    assert claim(store, ADA, "C2", ClaimKind.AUTOMATIC) is ClaimOutcome.REFUSED
    assert open_pairs(store) == []
    with UnitOfWork("acme", store) as uow:
        uow.member_claims.move(ADA, "C3", ClaimKind.MANUAL)
        uow.commit()
    assert claim(store, ADA, "C2", ClaimKind.AUTOMATIC) is ClaimOutcome.REFUSED
    assert open_pairs(store) == [(ADA, "C2", "C3")]


def test_claims_and_proposals_are_deleted_with_their_candidates(store: Store) -> None:
    from sqlalchemy import delete

    from store.candidates import Candidate

    candidates(store, "C1", "C2")
    claim(store, ADA, "C1", ClaimKind.LINKEDIN)
    claim(store, ADA, "C2", ClaimKind.AUTOMATIC)
    with UnitOfWork("acme", store) as uow:
        uow.session.execute(delete(Candidate).where(Candidate.tenant_id == "acme", Candidate.id == "C1"))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.session.scalars(select(MemberClaim)).all() == []
        assert uow.session.scalars(select(MergeProposal)).all() == []
    assert claim(store, ADA, "C2", ClaimKind.AUTOMATIC) is ClaimOutcome.HELD


def test_a_persons_decision_about_a_candidate_closes_its_proposals_on_every_member(store: Store) -> None:
    candidates(store, "C1", "C2", "C3")
    claim(store, ADA, "C1", ClaimKind.LINKEDIN)
    claim(store, GRACE, "C3", ClaimKind.LINKEDIN)
    claim(store, ADA, "C2", ClaimKind.AUTOMATIC)
    claim(store, GRACE, "C2", ClaimKind.AUTOMATIC)
    assert open_pairs(store) == [(ADA, "C2", "C1"), (GRACE, "C2", "C3")]
    with UnitOfWork("acme", store) as uow:
        assert uow.member_claims.decide(None, ["C2"], ProposalState.DECIDED, "alice") == 2
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        proposal = uow.member_claims.proposal(ADA, "C2")
        assert proposal is not None and (proposal.state, proposal.decided_by) == ("decided", "alice")
    assert open_pairs(store) == []
