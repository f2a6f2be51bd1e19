"""A member LinkedIn names takes over a matcher's claim, and is refused when another candidate
LinkedIn named holds it (a race the retry settles); on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rsc.errors import is_transient
from schemas.ats import CandidateSnapshot
from store.db import Store
from store.member_claims import ClaimKind, ClaimOutcome
from store.uow import UnitOfWork
from workers.shared.member_claims import MemberClaimedMeanwhile, claim_for_linkedin

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ADA = "urn:li:person:ada"


@pytest.fixture
def uow(store: Store) -> UnitOfWork:
    with UnitOfWork("acme", store) as uow:
        for candidate_id in ("C1", "C2", "C3"):
            uow.candidates.apply(
                CandidateSnapshot(candidate_id=candidate_id, first_name="Ada", created_at=T0, modified_at=T0)
            )
        uow.commit()
    return UnitOfWork("acme", store)


def test_linkedin_takes_a_member_over_from_the_matcher(uow: UnitOfWork) -> None:
    with uow:
        assert uow.member_claims.claim(ADA, "C1", ClaimKind.AUTOMATIC).outcome is ClaimOutcome.HELD
        claim = claim_for_linkedin(uow, ADA, "C2")
        assert (claim.outcome, claim.holder, claim.displaced) == (ClaimOutcome.TAKEN_OVER, "C2", "C1")


def test_a_member_another_linkedin_candidate_holds_is_refused_until_the_retry(uow: UnitOfWork) -> None:
    with uow:
        assert claim_for_linkedin(uow, ADA, "C1").outcome is ClaimOutcome.HELD
        with pytest.raises(MemberClaimedMeanwhile, match="candidate 'C1' claimed the member") as refused:
            claim_for_linkedin(uow, ADA, "C3")
    assert is_transient(refused.value)
