"""What each side knows of a person, and its normalised form.

A :class:`Profile` is a candidate from the ATS (``id`` = candidate id) or a LinkedIn member the
pipeline has learned about (``id`` = person URN). :func:`features` folds it once, so comparing two
records is set lookups and string equality, and :func:`blocking_keys` lists the keys under which a
record is filed: two records are compared only when they share a key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from matching.nicknames import Nicknames, default_nicknames
from matching.normalize import (
    city_key,
    company_key,
    email_key,
    name_tokens,
    phone_key,
    profile_slug,
    surname_tokens,
    title_tokens,
)


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    first_name: str | None = None
    last_name: str | None = None
    emails: Sequence[str] = ()
    phones: Sequence[str] = ()
    profile_url: str | None = None
    #: Current employers (a LinkedIn export can list several).
    companies: Sequence[str] = ()
    title: str | None = None
    #: City, or a displayed location whose first part is the city.
    city: str | None = None
    #: A member's own URN; for a candidate, the member it is already known to be (export, InMail).
    person_urn: str | None = None
    #: Candidates only: the members LinkedIn's own matcher returned for it (``matchedMembers``).
    linkedin_matches: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Features:
    id: str
    #: First given name, folded ("" when unknown).
    first: str
    first_groups: frozenset[str]
    #: Groups of the nickname table one typo away from ``first`` (only for names not in the table).
    first_near_groups: frozenset[str]
    #: Surname folded and joined ("vanderberg"), and its identifying words ("berg").
    last: str
    last_tokens: tuple[str, ...]
    emails: frozenset[str]
    phones: frozenset[str]
    slug: str | None
    companies: tuple[str, ...]
    title: frozenset[str]
    city: str | None
    urn: str | None
    linkedin_matches: frozenset[str]


def features(profile: Profile, nicknames: Nicknames | None = None) -> Features:
    table = nicknames or default_nicknames()
    given = name_tokens(profile.first_name)
    first = given[0] if given else ""
    surname = name_tokens(profile.last_name)
    companies = tuple(dict.fromkeys(k for k in map(company_key, profile.companies) if k))
    return Features(
        id=profile.id,
        first=first,
        first_groups=table.groups(first) if first else frozenset(),
        first_near_groups=table.near_groups(first) if first else frozenset(),
        last="".join(surname),
        last_tokens=surname_tokens(surname),
        emails=frozenset(k for k in map(email_key, profile.emails) if k),
        phones=frozenset(k for k in map(phone_key, profile.phones) if k),
        slug=profile_slug(profile.profile_url),
        companies=companies,
        title=title_tokens(profile.title) if profile.title else frozenset(),
        city=city_key(profile.city),
        urn=profile.person_urn or None,
        linkedin_matches=frozenset(profile.linkedin_matches),
    )


def blocking_keys(record: Features) -> set[str]:
    """Keys a record is filed under; every rule that can link two records needs one shared key.

    Identifiers file under themselves; names file only together with a current company (first
    name group + company, and surname word + company, so a typo in one half of the name still
    meets the other half) or with a city (surname word + first name group or initial), so a
    common name alone never opens a block of thousands.
    """
    keys: set[str] = set()
    if record.urn:
        keys.add(f"u|{record.urn}")
    keys.update(f"u|{urn}" for urn in record.linkedin_matches)
    if record.slug:
        keys.add(f"l|{record.slug}")
    keys.update(f"e|{email}" for email in record.emails)
    keys.update(f"p|{phone}" for phone in record.phones)
    if record.city and record.first:
        for token in record.last_tokens:
            keys.add(f"nc|{record.city}|{token}|{record.first[0]}")
            keys.update(
                f"nc|{record.city}|{token}|{group}" for group in record.first_groups if len(group) > 1
            )
    for company in record.companies:
        keys.update(f"cf|{company}|{group}" for group in record.first_groups if len(group) > 1)
        keys.update(f"cl|{company}|{token}" for token in record.last_tokens)
        if not record.last_tokens and record.last:
            keys.add(f"cl|{company}|{record.last}")
    return keys
