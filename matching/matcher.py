"""The decision: link a candidate to one member, send it to a person for review, or leave it unmatched.

A candidate is compared only with the members that share a blocking key with it (an index lookup,
never all pairs). It is linked when its best member scores at least ``LINK_AT`` and no other member
comes within ``AMBIGUITY_MARGIN`` of it; when two members are nearly as likely, or the best one is
only plausible (``REVIEW_AT`` or more), the candidate goes to the review list instead of being
linked to a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from matching.nicknames import Nicknames, default_nicknames
from matching.profiles import Features, Profile, blocking_keys, features
from matching.scoring import RULE_SCORES, Reason, Scored, score_pair

#: A member scoring at least this is linked, unless another one is nearly as likely.
LINK_AT = 0.85
#: A best member scoring at least this (but not linked) puts the candidate on the review list.
REVIEW_AT = 0.6
#: Two members whose scores are closer than this are "nearly as likely": nobody is linked.
AMBIGUITY_MARGIN = 0.1
#: How many scored members a result keeps for display.
KEEP = 5


class MatchStatus(StrEnum):
    LINKED = "linked"
    REVIEW = "review"
    UNMATCHED = "unmatched"


class ReviewReason(StrEnum):
    #: Two or more members are nearly as likely.
    AMBIGUOUS = "ambiguous"
    #: The best member is plausible but no rule strong enough to link agrees.
    WEAK_EVIDENCE = "weak_evidence"
    #: The member is linked to another candidate of the tenant (``store.member_claims``).
    MEMBER_CLAIMED = "member_claimed"


@dataclass(frozen=True, slots=True)
class MatchResult:
    candidate_id: str
    status: MatchStatus
    #: The linked member (``LINKED`` only).
    member_id: str | None
    #: The best member's score (0 when none shares a key with the candidate).
    score: float
    #: The rule behind the best member's score.
    reason: Reason | None
    review_reason: ReviewReason | None
    #: The members considered, best first (at most ``KEEP``).
    candidates: tuple[Scored, ...]


def decide(candidate_id: str, scored: Iterable[Scored]) -> MatchResult:
    ranked = sorted((s for s in scored if s.score > 0), key=lambda s: (-s.score, s.member_id))[:KEEP]
    if not ranked:
        return MatchResult(candidate_id, MatchStatus.UNMATCHED, None, 0.0, None, None, ())
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    close = runner_up >= REVIEW_AT and best.score - runner_up < AMBIGUITY_MARGIN
    if best.score >= LINK_AT and not close:
        return MatchResult(
            candidate_id, MatchStatus.LINKED, best.member_id, best.score, best.reason, None, tuple(ranked)
        )
    if best.score >= REVIEW_AT:
        why = ReviewReason.AMBIGUOUS if close else ReviewReason.WEAK_EVIDENCE
        return MatchResult(
            candidate_id, MatchStatus.REVIEW, None, best.score, best.reason, why, tuple(ranked)
        )
    return MatchResult(
        candidate_id, MatchStatus.UNMATCHED, None, best.score, best.reason, None, tuple(ranked)
    )


def known_link(candidate: Features) -> MatchResult:
    """A candidate whose member is already known (export, InMail, manual link) needs no scoring."""
    assert candidate.urn is not None
    scored = Scored(candidate.urn, RULE_SCORES[Reason.PERSON_URN], Reason.PERSON_URN, ("person_urn",))
    return MatchResult(
        candidate.id, MatchStatus.LINKED, candidate.urn, scored.score, scored.reason, None, (scored,)
    )


def match_against(candidate: Features, members: Iterable[Features]) -> MatchResult:
    """Decide ``candidate`` against ``members``: the ones sharing a blocking key with it."""
    if candidate.urn is not None:
        return known_link(candidate)
    return decide(candidate.id, (score_pair(candidate, m) for m in members))


class MemberIndex:
    """Members filed under their blocking keys."""

    def __init__(self) -> None:
        self.members: list[Features] = []
        self._by_key: dict[str, list[int]] = {}

    def add(self, member: Features) -> None:
        position = len(self.members)
        self.members.append(member)
        for key in blocking_keys(member):
            self._by_key.setdefault(key, []).append(position)

    def lookup(self, candidate: Features) -> list[Features]:
        """The members sharing at least one blocking key with ``candidate``."""
        found: set[int] = set()
        for key in blocking_keys(candidate):
            hits = self._by_key.get(key)
            if hits:
                found.update(hits)
        return [self.members[i] for i in sorted(found)]

    def __len__(self) -> int:
        return len(self.members)


class Matcher:
    """Matches candidates against a fixed set of members held in memory."""

    def __init__(self, members: Iterable[Profile], nicknames: Nicknames | None = None) -> None:
        self.nicknames = nicknames or default_nicknames()
        self.index = MemberIndex()
        for member in members:
            self.index.add(features(member, self.nicknames))

    def match(self, candidate: Profile) -> MatchResult:
        return self.match_features(features(candidate, self.nicknames))

    def match_features(self, candidate: Features) -> MatchResult:
        return match_against(candidate, self.index.lookup(candidate))

    def match_all(self, candidates: Iterable[Profile]) -> Iterator[MatchResult]:
        for candidate in candidates:
            yield self.match(candidate)
