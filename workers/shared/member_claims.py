"""Claims of members by the candidates LinkedIn named them on (exports and InMail stubs)."""

from __future__ import annotations

from rsc.errors import NotReadyYet
from store.member_claims import Claim, ClaimKind, ClaimOutcome
from store.uow import UnitOfWork


class MemberClaimedMeanwhile(NotReadyYet):
    reason_code = "member_claimed_meanwhile"


def claim_for_linkedin(uow: UnitOfWork, person_urn: str, candidate_id: str) -> Claim:
    """The member LinkedIn named is this candidate's: it takes the member over from the matcher.

    Refused only when another candidate LinkedIn or a person named holds it, which the store let
    happen between this message's read and its write: retried, the message finds that candidate.
    """
    claim = uow.member_claims.claim(person_urn, candidate_id, ClaimKind.LINKEDIN)
    if claim.outcome is ClaimOutcome.REFUSED:
        raise MemberClaimedMeanwhile(
            f"candidate {claim.holder!r} claimed the member while candidate {candidate_id!r} was "
            f"being made for it; retried, the message finds that candidate"
        )
    return claim
