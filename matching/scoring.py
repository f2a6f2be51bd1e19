"""Scoring one candidate against one member: a score, the rule that gave it, and the evidence.

Each rule is a combination of agreeing fields LinkedIn's own matchers are documented to use
(reference §6.5: e-mail, profile URL, name + phone, name + company + title). The score of a pair is
that of the strongest rule it satisfies; ``evidence`` lists every field that agreed or conflicted,
so a person reading a match sees why it was made. Evidence and reasons name fields, never values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from matching.normalize import within_one_edit
from matching.profiles import Features

#: Names shorter than this are compared for typos only by a missing letter ("Ema" for "Emma"): a
#: changed letter in a short name is another name ("Tom", "Tim").
MIN_TYPO_LENGTH = 4
#: Shorter than this, not even a missing letter is a typo ("Al" vs "Ali").
MIN_SHORT_TYPO_LENGTH = 3
#: Share of title words two titles must have in common to agree.
TITLE_OVERLAP = 0.6


class Reason(StrEnum):
    PERSON_URN = "person_urn"
    PROFILE_URL = "profile_url"
    EMAIL = "email"
    LINKEDIN_MATCH = "linkedin_match"
    NAME_PHONE = "name_phone"
    NAME_COMPANY_TITLE = "name_company_title"
    NAME_COMPANY_CITY = "name_company_city"
    NAME_TITLE_CITY = "name_title_city"
    NAME_COMPANY = "name_company"
    IDENTIFIER_NAME_DIFFERS = "identifier_name_differs"
    NAME = "name"


#: The score each rule gives; at or above ``matcher.LINK_AT`` a rule can link on its own.
RULE_SCORES: dict[Reason, float] = {
    Reason.PERSON_URN: 1.0,
    Reason.PROFILE_URL: 0.99,
    Reason.EMAIL: 0.97,
    Reason.LINKEDIN_MATCH: 0.96,
    Reason.NAME_PHONE: 0.95,
    Reason.NAME_COMPANY_TITLE: 0.92,
    Reason.NAME_COMPANY_CITY: 0.89,
    Reason.NAME_TITLE_CITY: 0.87,
    Reason.NAME_COMPANY: 0.72,
    Reason.IDENTIFIER_NAME_DIFFERS: 0.7,
    Reason.NAME: 0.35,
}

REASON_TEXT: dict[Reason, str] = {
    Reason.PERSON_URN: "person URN already known (export, InMail or manual link)",
    Reason.PROFILE_URL: "same LinkedIn profile URL",
    Reason.EMAIL: "same e-mail address",
    Reason.LINKEDIN_MATCH: "LinkedIn's own matcher returned this member (matchedMembers)",
    Reason.NAME_PHONE: "same name and phone number",
    Reason.NAME_COMPANY_TITLE: "same name, current company and title",
    Reason.NAME_COMPANY_CITY: "same name, current company and city",
    Reason.NAME_TITLE_CITY: "same name, title and city (the company changed or is unknown)",
    Reason.NAME_COMPANY: "same name and current company, but neither title nor city agrees",
    Reason.IDENTIFIER_NAME_DIFFERS: "an e-mail, phone or profile URL agrees but the name does not",
    Reason.NAME: "same name only",
}

#: A conflicting profile URL (both known, different) caps the score here: one member, one URL.
URL_CONFLICT_CAP = 0.5


class NameAgreement(IntEnum):
    """How one half of a name agrees, weakest first (PARTIAL is for surnames, NICKNAME for given names)."""

    DIFFERENT = -1
    UNKNOWN = 0
    INITIAL = 1
    TYPO = 2
    PARTIAL = 3
    NICKNAME = 4
    EXACT = 5


@dataclass(frozen=True, slots=True)
class Scored:
    member_id: str
    score: float
    reason: Reason
    #: Fields that agreed ("email", "first_name~nickname") or conflicted ("profile_url!=").
    evidence: tuple[str, ...]


def first_name_agreement(a: Features, b: Features) -> NameAgreement:
    x, y = a.first, b.first
    if not x or not y:
        return NameAgreement.UNKNOWN
    if x == y:
        return NameAgreement.EXACT
    if a.first_groups & b.first_groups:
        return NameAgreement.NICKNAME
    if len(x) == 1 or len(y) == 1:
        return NameAgreement.INITIAL if x[0] == y[0] else NameAgreement.DIFFERENT
    if _typo(x, y) or a.first_near_groups & b.first_groups or a.first_groups & b.first_near_groups:
        return NameAgreement.TYPO
    return NameAgreement.DIFFERENT


def _typo(x: str, y: str) -> bool:
    shorter = min(len(x), len(y))
    if shorter >= MIN_TYPO_LENGTH:
        return within_one_edit(x, y)
    return shorter >= MIN_SHORT_TYPO_LENGTH and len(x) != len(y) and within_one_edit(x, y)


def last_name_agreement(a: Features, b: Features) -> NameAgreement:
    x, y = a.last, b.last
    if not x or not y:
        return NameAgreement.UNKNOWN
    if x == y:
        return NameAgreement.EXACT
    if set(a.last_tokens) & set(b.last_tokens):
        return NameAgreement.PARTIAL
    if _typo(x, y) or any(
        _typo(s, t) for s in a.last_tokens for t in b.last_tokens if min(len(s), len(t)) >= MIN_TYPO_LENGTH
    ):
        return NameAgreement.TYPO
    return NameAgreement.DIFFERENT


class NameStrength(IntEnum):
    NONE = 0
    WEAK = 1
    STRONG = 2


def name_strength(first: NameAgreement, last: NameAgreement) -> NameStrength:
    """STRONG: both halves agree, at most one of them through a typo. WEAK: the surname agrees."""
    if first >= NameAgreement.TYPO and last >= NameAgreement.TYPO:
        if first == NameAgreement.TYPO and last == NameAgreement.TYPO:
            return NameStrength.WEAK
        return NameStrength.STRONG
    if last >= NameAgreement.TYPO and first >= NameAgreement.UNKNOWN:
        return NameStrength.WEAK
    if first >= NameAgreement.NICKNAME and last == NameAgreement.UNKNOWN:
        return NameStrength.WEAK
    return NameStrength.NONE


def names_conflict(first: NameAgreement, last: NameAgreement) -> bool:
    """Known names that do not agree: another surname, or another given name over a doubtful surname."""
    if last == NameAgreement.DIFFERENT:
        return True
    return first == NameAgreement.DIFFERENT and last < NameAgreement.PARTIAL


_FIRST_EVIDENCE = {
    NameAgreement.EXACT: "first_name",
    NameAgreement.NICKNAME: "first_name~nickname",
    NameAgreement.TYPO: "first_name~typo",
    NameAgreement.INITIAL: "first_name~initial",
    NameAgreement.DIFFERENT: "first_name!=",
}
_LAST_EVIDENCE = {
    NameAgreement.EXACT: "last_name",
    NameAgreement.PARTIAL: "last_name~part",
    NameAgreement.TYPO: "last_name~typo",
    NameAgreement.DIFFERENT: "last_name!=",
}


def titles_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    return len(a & b) >= TITLE_OVERLAP * len(a | b)


@dataclass(frozen=True)
class _Signals:
    """What agrees between a candidate and a member besides their names."""

    linkedin_match: bool
    url_agrees: bool
    url_conflicts: bool
    email: bool
    phone: bool
    company: bool
    title: bool
    city: bool

    def labels(self) -> list[str]:
        """The evidence labels of the signals that hold, in a fixed order."""
        return [
            label
            for flag, label in (
                (self.linkedin_match, "linkedin_match"),
                (self.url_agrees, "profile_url"),
                (self.url_conflicts, "profile_url!="),
                (self.email, "email"),
                (self.phone, "phone"),
                (self.company, "company"),
                (self.title, "title"),
                (self.city, "city"),
            )
            if flag
        ]


def _signals(candidate: Features, member: Features) -> _Signals:
    url_agrees = candidate.slug is not None and candidate.slug == member.slug
    return _Signals(
        linkedin_match=member.urn is not None and member.urn in candidate.linkedin_matches,
        url_agrees=url_agrees,
        url_conflicts=candidate.slug is not None and member.slug is not None and not url_agrees,
        email=bool(candidate.emails & member.emails),
        phone=bool(candidate.phones & member.phones),
        company=bool(candidate.companies) and any(c in member.companies for c in candidate.companies),
        title=titles_agree(candidate.title, member.title),
        city=candidate.city is not None and candidate.city == member.city,
    )


def _identifier_reasons(first: NameAgreement, last: NameAgreement, s: _Signals) -> list[Reason]:
    """The rule an identifier (profile URL, e-mail, LinkedIn's own match) supports, if any."""
    identifier = s.url_agrees or s.email or s.linkedin_match
    if identifier and names_conflict(first, last):
        return [Reason.IDENTIFIER_NAME_DIFFERS]
    if s.url_agrees:
        return [Reason.PROFILE_URL]
    if s.email:
        return [Reason.EMAIL]
    if s.linkedin_match:
        return [Reason.LINKEDIN_MATCH]
    return []


def _name_reasons(name: NameStrength, s: _Signals) -> list[Reason]:
    """The rules a strong name supports with what else agrees (a phone needs a strong name too)."""
    reasons: list[Reason] = []
    if s.phone:
        reasons.append(Reason.NAME_PHONE if name == NameStrength.STRONG else Reason.IDENTIFIER_NAME_DIFFERS)
    if name != NameStrength.STRONG:
        return reasons
    if s.company:
        reasons.append(Reason.NAME_COMPANY)
        if s.title:
            reasons.append(Reason.NAME_COMPANY_TITLE)
        if s.city:
            reasons.append(Reason.NAME_COMPANY_CITY)
    if s.title and s.city:
        reasons.append(Reason.NAME_TITLE_CITY)
    reasons.append(Reason.NAME)
    return reasons


def score_pair(candidate: Features, member: Features) -> Scored:
    """How likely ``member`` is the LinkedIn profile of ``candidate``, and why."""
    if candidate.urn is not None and candidate.urn == member.urn:
        return Scored(member.id, RULE_SCORES[Reason.PERSON_URN], Reason.PERSON_URN, ("person_urn",))
    first = first_name_agreement(candidate, member)
    last = last_name_agreement(candidate, member)
    signals = _signals(candidate, member)
    evidence = [
        *([_FIRST_EVIDENCE[first]] if first in _FIRST_EVIDENCE else []),
        *([_LAST_EVIDENCE[last]] if last in _LAST_EVIDENCE else []),
        *signals.labels(),
    ]
    reasons = _identifier_reasons(first, last, signals) + _name_reasons(name_strength(first, last), signals)
    if not reasons:
        return Scored(member.id, 0.0, Reason.NAME, tuple(evidence))
    best = max(reasons, key=RULE_SCORES.__getitem__)
    score = RULE_SCORES[best]
    if signals.url_conflicts:
        score = min(score, URL_CONFLICT_CAP)
    return Scored(member.id, score, best, tuple(evidence))
