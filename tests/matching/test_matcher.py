"""Scoring with reasons, the link/review/unmatched decision, and blocking (never all pairs)."""

from __future__ import annotations

import pytest

from bench.matching import evaluate
from bench.matching_data import EASY, HARD, generate
from matching.matcher import LINK_AT, REVIEW_AT, Matcher, MatchStatus, MemberIndex, ReviewReason
from matching.profiles import Profile, blocking_keys, features
from matching.scoring import Reason, score_pair

ADA = Profile(
    id="urn:li:person:ada",
    first_name="Ada",
    last_name="Lovelace",
    emails=("ada@example.com",),
    phones=("+44 20 7946 0000",),
    profile_url="https://www.linkedin.com/in/ada-lovelace",
    companies=("Analytical Engines Ltd",),
    title="Senior Analyst",
    city="London, England, United Kingdom",
    person_urn="urn:li:person:ada",
)


def candidate(**fields: object) -> Profile:
    return Profile(id="C1", **fields)  # type: ignore[arg-type]


def score(cand: Profile, member: Profile = ADA) -> tuple[float, Reason, tuple[str, ...]]:
    scored = score_pair(features(cand), features(member))
    return scored.score, scored.reason, scored.evidence


@pytest.mark.parametrize(
    ("cand", "reason"),
    [
        (candidate(first_name="Ada", last_name="Lovelace", emails=("ADA@example.com ",)), Reason.EMAIL),
        (
            candidate(first_name="Ada", profile_url="http://uk.linkedin.com/in/Ada-Lovelace/"),
            Reason.PROFILE_URL,
        ),
        (candidate(first_name="ada", last_name="LOVELACE", phones=("020 7946 0000",)), Reason.NAME_PHONE),
        (
            candidate(
                first_name="Ada", last_name="Lovelace", companies=("ANALYTICAL ENGINES",), title="Sr. Analyst"
            ),
            Reason.NAME_COMPANY_TITLE,
        ),
        (
            candidate(
                first_name="Ada", last_name="Lovelace", companies=("Analytical Engines",), city="London"
            ),
            Reason.NAME_COMPANY_CITY,
        ),
        (
            candidate(
                first_name="Ada",
                last_name="Lovelace",
                companies=("Babbage & Co",),
                title="Senior Analyst",
                city="london",
            ),
            Reason.NAME_TITLE_CITY,
        ),
        (candidate(person_urn="urn:li:person:ada"), Reason.PERSON_URN),
        (
            candidate(first_name="Ada", last_name="Lovelace", linkedin_matches=("urn:li:person:ada",)),
            Reason.LINKEDIN_MATCH,
        ),
    ],
)
def test_each_linking_rule_links_on_its_own(cand: Profile, reason: Reason) -> None:
    value, why, _ = score(cand)
    assert why is reason
    assert value >= LINK_AT


def test_the_evidence_names_fields_never_values() -> None:
    _, _, evidence = score(
        candidate(first_name="Bill", last_name="Lovelace", emails=("ada@example.com",), city="London")
    )
    assert evidence == ("first_name!=", "last_name", "email", "city")
    assert not any("ada" in item or "@" in item for item in evidence)


def test_nicknames_accents_and_typos_still_make_a_name() -> None:
    member = Profile(
        id="m", first_name="William", last_name="Müller", phones=("+49 30 1234567",), person_urn="m"
    )
    for first, last in (
        ("Bill", "Muller"),
        ("WILLIAM", "mueller"),
        ("Wiliam", "Müller"),
        ("Billy", "Mülller"),
    ):
        value, why, _ = score(candidate(first_name=first, last_name=last, phones=("030 1234567",)), member)
        # ("mueller" is one letter from "muller": the German spelling of ü passes as a typo.)
        assert (why, value >= LINK_AT) == (Reason.NAME_PHONE, True), (first, last)


def test_a_shared_identifier_with_another_name_goes_to_review_not_to_a_link() -> None:
    value, why, _ = score(candidate(first_name="Grace", last_name="Hopper", emails=("ada@example.com",)))
    assert why is Reason.IDENTIFIER_NAME_DIFFERS
    assert REVIEW_AT <= value < LINK_AT


def test_a_different_profile_url_outweighs_a_matching_name_company_and_title() -> None:
    value, _, evidence = score(
        candidate(
            first_name="Ada",
            last_name="Lovelace",
            companies=("Analytical Engines",),
            title="Senior Analyst",
            profile_url="https://www.linkedin.com/in/someone-else",
        )
    )
    assert "profile_url!=" in evidence
    assert value < REVIEW_AT


def test_a_name_alone_is_never_a_match() -> None:
    value, why, _ = score(candidate(first_name="Ada", last_name="Lovelace"))
    assert why is Reason.NAME and value < REVIEW_AT
    assert (
        Matcher([ADA]).match(candidate(first_name="Ada", last_name="Lovelace")).status
        is MatchStatus.UNMATCHED
    )


def test_two_members_nearly_as_likely_send_the_candidate_to_review() -> None:
    twin = Profile(
        id="urn:li:person:ada2",
        first_name="Ada",
        last_name="Lovelace",
        companies=("Analytical Engines",),
        title="Senior Analyst",
        person_urn="urn:li:person:ada2",
    )
    matcher = Matcher([ADA, twin])
    result = matcher.match(
        candidate(
            first_name="Ada", last_name="Lovelace", companies=("Analytical Engines",), title="Senior Analyst"
        )
    )
    assert result.status is MatchStatus.REVIEW
    assert result.review_reason is ReviewReason.AMBIGUOUS
    assert result.member_id is None
    assert {s.member_id for s in result.candidates} == {ADA.id, twin.id}
    # An e-mail settles it.
    settled = matcher.match(candidate(first_name="Ada", last_name="Lovelace", emails=("ada@example.com",)))
    assert (settled.status, settled.member_id, settled.reason) == (MatchStatus.LINKED, ADA.id, Reason.EMAIL)


def test_conflicting_strong_evidence_goes_to_review() -> None:
    other = Profile(
        id="urn:li:person:g",
        first_name="Ada",
        last_name="Lovelace",
        phones=("+1 415 555 0100",),
        person_urn="urn:li:person:g",
    )
    result = Matcher([ADA, other]).match(
        candidate(
            first_name="Ada", last_name="Lovelace", emails=("ada@example.com",), phones=("415 555 0100",)
        )
    )
    assert result.status is MatchStatus.REVIEW and result.review_reason is ReviewReason.AMBIGUOUS


def test_a_known_person_urn_links_without_scoring() -> None:
    result = Matcher([]).match(candidate(first_name="Ada", person_urn="urn:li:person:zz"))
    assert (result.status, result.member_id, result.reason) == (
        MatchStatus.LINKED,
        "urn:li:person:zz",
        Reason.PERSON_URN,
    )


def test_the_index_compares_a_candidate_only_with_members_sharing_a_key() -> None:
    index = MemberIndex()
    others = [
        Profile(
            id=f"urn:li:person:{n}",
            first_name="Ada",
            last_name=f"Other{n}",
            companies=(f"Firm {n}",),
            person_urn=f"urn:li:person:{n}",
        )
        for n in range(1000)
    ]
    for member in [ADA, *others]:
        index.add(features(member))
    found = index.lookup(
        features(candidate(first_name="Ada", last_name="Lovelace", emails=("ada@example.com",)))
    )
    assert [m.id for m in found] == [ADA.id]
    # A common first name alone files nothing: no key, no comparison.
    assert index.lookup(features(candidate(first_name="Ada"))) == []


def test_blocking_keys_cover_every_linking_rule() -> None:
    cand = features(
        candidate(
            first_name="Bill",
            last_name="Smith",
            emails=("b@x.com",),
            phones=("+44 20 7946 0000",),
            profile_url="https://www.linkedin.com/in/bill",
            companies=("Acme Inc",),
            city="Leeds",
            linkedin_matches=("urn:li:person:w",),
        )
    )
    kinds = {key.split("|", 1)[0] for key in blocking_keys(cand)}
    assert kinds == {"u", "l", "e", "p", "cf", "cl", "nc"}


def test_the_generator_is_seeded() -> None:
    first = generate(HARD, seed=3, candidates=300, members=300)
    again = generate(HARD, seed=3, candidates=300, members=300)
    other = generate(HARD, seed=4, candidates=300, members=300)
    assert (
        first.candidates == again.candidates and first.members == again.members and first.truth == again.truth
    )
    assert first.candidates != other.candidates


@pytest.mark.parametrize("setting", [EASY, HARD])
def test_quality_on_labelled_data(setting: object) -> None:
    # A small sample of bench.matching's data (the bench measures 100,000 x 100,000).
    data = generate(setting, seed=11, candidates=4000, members=4000)  # type: ignore[arg-type]
    quality = evaluate(data, list(Matcher(data.members).match_all(data.candidates)))
    assert quality.precision >= 0.99
    assert quality.recall >= 0.88
    assert quality.review > 0
