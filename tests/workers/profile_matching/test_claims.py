"""The matcher's links as claims on members, on both stores: a link claims its member, a member another
candidate holds turns the link into a review (``member_claimed``), an unlink releases the claim, and a
person's decision is never overridden."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from matching.matcher import MatchResult, MatchStatus, ReviewReason
from schemas.ats import CandidateSnapshot
from store.candidate_matches import CandidateMatch
from store.db import Store
from store.member_claims import ClaimKind
from store.uow import UnitOfWork
from workers.profile_matching.claims import claim_automatic

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ADA = "urn:li:person:ada"


def linked(candidate_id: str) -> MatchResult:
    return MatchResult(candidate_id, MatchStatus.LINKED, ADA, 0.97, None, None, ())


def unmatched(candidate_id: str) -> MatchResult:
    return MatchResult(candidate_id, MatchStatus.UNMATCHED, None, 0.0, None, None, ())


def row(candidate_id: str, status: MatchStatus = MatchStatus.UNMATCHED, **fields: object) -> CandidateMatch:
    return CandidateMatch(tenant_id="acme", candidate_id=candidate_id, status=status.value, **fields)


@pytest.fixture
def uow(store: Store) -> UnitOfWork:
    with UnitOfWork("acme", store) as uow:
        for candidate_id, last_name in (("C-1", "Lovelace"), ("C-2", "Byron")):
            uow.candidates.apply(
                CandidateSnapshot(
                    candidate_id=candidate_id,
                    first_name="Ada",
                    last_name=last_name,
                    created_at=T0,
                    modified_at=T0,
                )
            )
        uow.commit()
    return UnitOfWork("acme", store)


def holder(uow: UnitOfWork) -> str | None:
    claim = uow.member_claims.holder(ADA)
    return claim.candidate_id if claim else None


def test_a_link_claims_its_member_and_a_second_candidate_goes_to_review(uow: UnitOfWork) -> None:
    with uow:
        first = uow.candidates.get("C-1")
        second = uow.candidates.get("C-2")
        assert first is not None and second is not None
        assert claim_automatic(uow, first, row("C-1"), linked("C-1")) == linked("C-1")
        assert holder(uow) == "C-1"
        result = claim_automatic(uow, second, row("C-2"), linked("C-2"))
        assert (result.status, result.member_id, result.review_reason) == (
            MatchStatus.REVIEW,
            None,
            ReviewReason.MEMBER_CLAIMED,
        )
        assert holder(uow) == "C-1"


def test_an_unlinked_candidate_releases_the_member_it_held(uow: UnitOfWork) -> None:
    with uow:
        candidate = uow.candidates.get("C-1")
        assert candidate is not None
        claim_automatic(uow, candidate, row("C-1"), linked("C-1"))
        was = row("C-1", MatchStatus.LINKED, member_urn=ADA)
        assert claim_automatic(uow, candidate, was, unmatched("C-1")) == unmatched("C-1")
        assert holder(uow) is None


def test_a_persons_decision_or_a_member_linkedin_named_is_left_alone(uow: UnitOfWork) -> None:
    with uow:
        candidate = uow.candidates.get("C-1")
        assert candidate is not None
        claim_automatic(uow, candidate, row("C-1", decision="unlinked"), linked("C-1"))
        assert holder(uow) is None
        uow.member_claims.claim(ADA, "C-2", ClaimKind.LINKEDIN)
        candidate.person_urn = "urn:li:person:grace"
        assert claim_automatic(uow, candidate, row("C-1"), linked("C-1")) == linked("C-1")
        assert holder(uow) == "C-2"
