"""The matcher's links as claims on members: a member another candidate holds is not linked twice.

An automatic link claims its member (``store.member_claims``) unless a person decided the
candidate or LinkedIn named its member. When another candidate holds the member, the seed's merge
rule may settle it (same last name and e-mail: ``workers.shared.candidate_merge``); otherwise the
candidate is not linked but put on the review list with the pair as a merge proposal, and a
person's ``rsc match link`` decides.
"""

from __future__ import annotations

from dataclasses import replace

from matching.matcher import MatchResult, MatchStatus, ReviewReason
from store.candidate_matches import CandidateMatch
from store.candidates import Candidate
from store.member_claims import ClaimKind, ClaimOutcome, MemberClaim
from store.uow import UnitOfWork
from workers.shared.candidate_merge import merge_on_contest


def claim_automatic(
    uow: UnitOfWork,
    candidate: Candidate,
    row: CandidateMatch,
    result: MatchResult,
    *,
    held: MemberClaim | None = None,
    held_known: bool = False,
) -> MatchResult:
    """The result as it stands once its link is claimed: a member held by another candidate
    becomes a review (``member_claimed``) unless the merge rule joins the two.

    ``held``: the claim the candidate holds, when the caller read it (``held_known``) for a batch.
    """
    if candidate.person_urn is not None or row.decision is not None:
        return result
    wanted = result.member_id if result.status is MatchStatus.LINKED else None
    if held_known and (held.person_urn if held else None) == wanted:
        return result
    if wanted is None:
        stale = row.member_urn if row.status == MatchStatus.LINKED else None
        if held_known:
            stale = held.person_urn if held is not None else None
        if stale is not None:
            uow.member_claims.release(stale, candidate.id, ClaimKind.AUTOMATIC)
        return result
    claim = uow.member_claims.claim(wanted, candidate.id, ClaimKind.AUTOMATIC)
    if claim.outcome is not ClaimOutcome.REFUSED:
        return result
    if merge_on_contest(uow, candidate, claim.holder) is not None:
        return result  # the holder was merged into the candidate, which holds the member now
    return replace(
        result, status=MatchStatus.REVIEW, member_id=None, review_reason=ReviewReason.MEMBER_CLAIMED
    )
