"""Labelled data for the matcher: people, their LinkedIn member profiles and their ATS records.

Every record is derived from one synthetic person, so the truth is known: a candidate's member is
the member profile of the same person, or none when that person is not among the members. Between
the two sides sits the noise a real ATS shows next to LinkedIn:

- **typos** in either half of the name, **nicknames** (Bill for William, Paco for Francisco) on
  either side, **accents** dropped (José/Jose, Müller/Muller), compound surnames shortened, case,
  punctuation and whitespace mangled;
- **job changes**: the ATS holds the company and title of the time of the application, LinkedIn the
  current ones; companies written with and without legal suffixes, titles abbreviated;
- **people sharing a name**: first and last names are drawn from skewed (Zipf-like) pools, so common
  full names recur, and some people get a *namesake* among the members: same full name, same
  current company, otherwise a different person (some even with the same title);
- **missing fields** on both sides, e-mail addresses that differ (personal vs work), phone numbers
  in national and international formats, profile URLs in every shape LinkedIn prints them;
- **duplicates** in the ATS (the same person twice) and candidates who are not among the members.

Seeded: the same seed, sizes and setting give the same records.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field, fields

from bench import matching_pools as pools
from matching.profiles import Profile


@dataclass(frozen=True)
class Setting:
    """Rates of the generator; every one is a probability per record (or per field)."""

    name: str
    #: Share of candidates whose person is among the members (the rest have no member to find).
    overlap: float = 0.7
    #: Share of candidates that are a second ATS record of another candidate's person.
    duplicates: float = 0.02
    #: Share of candidates whose person has a namesake member at the same company ...
    namesakes: float = 0.03
    #: ... and of those namesakes, the share that even holds the same title.
    namesake_same_title: float = 0.1
    # Member side (what the pipeline learned from LinkedIn): how often each field is known.
    member_url: float = 0.8
    member_email: float = 0.75
    member_phone: float = 0.6
    member_job: float = 0.95
    member_city: float = 0.9
    # Candidate side (the ATS record).
    candidate_email: float = 0.98
    candidate_phone: float = 0.8
    candidate_url: float = 0.3
    candidate_company: float = 0.9
    candidate_title: float = 0.85
    candidate_city: float = 0.8
    #: Each known field above is then dropped with this probability, on either side.
    missing: float = 0.0
    #: The ATS holds both the personal and the work address (else one of them).
    candidate_second_email: float = 0.3
    #: Share of candidates whose matchedMembers the pipeline has read from LinkedIn ...
    linkedin_fetched: float = 0.0
    #: ... where LinkedIn's matcher knows a member's personal address, and their work address ...
    linkedin_knows_personal_email: float = 0.9
    linkedin_knows_work_email: float = 0.3
    #: ... and returns an extra, wrong member (a shared mailbox).
    linkedin_wrong: float = 0.0
    typo: float = 0.0
    nickname: float = 0.0
    accent_dropped: float = 0.0
    compound_shortened: float = 0.0
    case_noise: float = 0.0
    job_change: float = 0.0
    company_variant: float = 0.0
    title_variant: float = 0.0
    url_variant: float = 0.0
    phone_variant: float = 0.0

    def describe(self) -> str:
        return ", ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self) if f.name != "name")


EASY = Setting(name="easy", namesakes=0.005, missing=0.02, typo=0.02, nickname=0.05, case_noise=0.05)
HARD = Setting(
    name="hard",
    linkedin_fetched=0.5,
    linkedin_wrong=0.005,
    missing=0.1,
    typo=0.1,
    nickname=0.3,
    accent_dropped=0.6,
    compound_shortened=0.4,
    case_noise=0.2,
    job_change=0.15,
    company_variant=0.4,
    title_variant=0.4,
    url_variant=0.6,
    phone_variant=0.7,
)
SETTINGS = {s.name: s for s in (EASY, HARD)}


@dataclass(frozen=True)
class Job:
    company: str
    title: str
    domain: str


@dataclass
class Person:
    number: int
    first: str
    last: str
    job: Job
    previous_job: Job
    city: str
    personal_email: str
    phone_country: str
    phone_national: str
    slug: str
    urn: str = field(init=False)

    def __post_init__(self) -> None:
        self.urn = f"urn:li:person:p{self.number:07d}"


@dataclass
class LabelledData:
    setting: Setting
    seed: int
    members: list[Profile]
    candidates: list[Profile]
    #: candidate id -> the person URN of its member, or None when its person is not a member.
    truth: dict[str, str | None]

    @property
    def matchable(self) -> int:
        return sum(1 for urn in self.truth.values() if urn is not None)


class Generator:
    def __init__(self, setting: Setting, seed: int) -> None:
        self.setting = setting
        self.seed = seed
        self.rng = random.Random(seed)
        self.pools = pools.Pools(self.rng)
        self._people = 0
        #: Work addresses handed out: (person, domain) -> address; a mailbox belongs to one person.
        self._work_emails: dict[tuple[int, str], str] = {}
        self._taken: set[str] = set()

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # -- people -------------------------------------------------------------------------------------

    def job(self) -> Job:
        company = self.pools.company(self.rng)
        domain = pools.ascii_fold(company.split()[0]) + pools.ascii_fold(company.split()[-1])[:4] + ".com"
        return Job(company, self.pools.title(self.rng), domain)

    def person(self, *, first: str | None = None, last: str | None = None, job: Job | None = None) -> Person:
        self._people += 1
        rng = self.rng
        first = first or self.pools.first(rng)
        if last is None:
            last = self.pools.last(rng)
            if self.chance(0.05):
                last = f"{last} {rng.choice(pools.COMPOUND_SECOND)}"
        country, _trunk = rng.choice(pools.COUNTRIES)
        number = rng.randint(1, 999) if self.chance(0.6) else ""
        handle = f"{pools.ascii_fold(first)}.{pools.ascii_fold(last)}{number}"
        personal = f"{handle}@{rng.choice(pools.MAIL_HOSTS)}"
        while personal in self._taken:  # a mailbox belongs to one person
            personal = f"{handle}{rng.randint(1, 9999)}@{rng.choice(pools.MAIL_HOSTS)}"
        self._taken.add(personal)
        return Person(
            number=self._people,
            first=first,
            last=last,
            job=job or self.job(),
            previous_job=self.job(),
            city=self.pools.city(rng),
            personal_email=personal,
            phone_country=country,
            phone_national="".join(rng.choice(string.digits) for _ in range(10)).lstrip("0").rjust(10, "7"),
            slug=f"{pools.ascii_fold(first)}-{pools.ascii_fold(last)}-{rng.getrandbits(24):06x}",
        )

    def namesake(self, person: Person) -> Person:
        job = (
            person.job
            if self.chance(self.setting.namesake_same_title)
            else Job(person.job.company, self.pools.title(self.rng), person.job.domain)
        )
        return self.person(first=person.first, last=person.last, job=job)

    # -- the two views ------------------------------------------------------------------------------

    def known(self, p: float) -> bool:
        return self.chance(p) and not self.chance(self.setting.missing)

    def member(self, person: Person) -> Profile:
        s, rng = self.setting, self.rng
        first = person.first
        forms = self.pools.nicknames.get(pools.ascii_fold(first).lower(), [])
        if forms and self.chance(s.nickname / 2):
            first = rng.choice(forms).capitalize()
        emails: tuple[str, ...] = ()
        if self.known(s.member_email):
            emails = (person.personal_email if self.chance(0.6) else self.work_email(person, person.job),)
        return Profile(
            id=person.urn,
            first_name=first,
            last_name=person.last,
            emails=emails,
            phones=(self.phone(person),) if self.known(s.member_phone) else (),
            profile_url=f"https://www.linkedin.com/in/{person.slug}" if self.known(s.member_url) else None,
            companies=(person.job.company,) if self.known(s.member_job) else (),
            title=person.job.title if self.known(s.member_job) else None,
            city=f"{person.city}, Region, Country" if self.known(s.member_city) else None,
            person_urn=person.urn,
        )

    def candidate(self, person: Person, candidate_id: str) -> Profile:
        s = self.setting
        job = person.previous_job if self.chance(s.job_change) else person.job
        emails: list[str] = []
        if self.known(s.candidate_email):
            addresses = [person.personal_email, self.work_email(person, job)]
            if self.chance(0.4):
                addresses.reverse()
            emails = addresses if self.chance(s.candidate_second_email) else addresses[:1]
        url = self.url(person) if self.known(s.candidate_url) else None
        matches: tuple[str, ...] = ()
        if self.chance(s.linkedin_fetched):
            matches = self.linkedin_matches(person, emails, url)
        return Profile(
            id=candidate_id,
            first_name=self.first_name(person.first),
            last_name=self.last_name(person.last),
            emails=tuple(self.mangle_case(e) for e in emails),
            phones=(self.phone(person, variant=True),) if self.known(s.candidate_phone) else (),
            profile_url=url,
            companies=(self.company(job.company),) if self.known(s.candidate_company) else (),
            title=self.title(job.title) if self.known(s.candidate_title) else None,
            city=person.city if self.known(s.candidate_city) else None,
            linkedin_matches=matches,
        )

    def linkedin_matches(self, person: Person, emails: list[str], url: str | None) -> tuple[str, ...]:
        """What LinkedIn's own matcher returns: the member whose account holds one of the e-mails
        (members register a personal address, sometimes a work one) or whose profile URL is given."""
        s = self.setting
        known = set()
        if self.chance(s.linkedin_knows_personal_email):
            known.add(person.personal_email)
        if self.chance(s.linkedin_knows_work_email):
            known.add(self.work_email(person, person.job))
        found = (url is not None and person.slug in url.lower()) or bool(known & set(emails))
        matches = [person.urn] if found else []
        if self.chance(s.linkedin_wrong):
            # A shared mailbox: LinkedIn also returns another member.
            matches.append(f"urn:li:person:x{self.rng.getrandbits(32):08x}")
        return tuple(matches)

    def work_email(self, person: Person, job: Job) -> str:
        known = self._work_emails.get((person.number, job.domain))
        if known is not None:
            return known
        local = f"{pools.ascii_fold(person.first)[:1]}{pools.ascii_fold(person.last)}"
        address, n = f"{local}@{job.domain}", 1
        while address in self._taken:
            n += 1
            address = f"{local}{n}@{job.domain}"
        self._taken.add(address)
        self._work_emails[(person.number, job.domain)] = address
        return address

    # -- noise --------------------------------------------------------------------------------------

    def first_name(self, name: str) -> str:
        s, rng = self.setting, self.rng
        forms = self.pools.nicknames.get(pools.ascii_fold(name).lower(), [])
        if forms and self.chance(s.nickname):
            name = rng.choice(forms).capitalize()
        return self.mangle_case(self.typo(self.drop_accents(name)))

    def last_name(self, name: str) -> str:
        head = name.split(maxsplit=1)[0]
        if head != name and head[0].isupper() and self.chance(self.setting.compound_shortened):
            name = head
        return self.mangle_case(self.typo(self.drop_accents(name)))

    def drop_accents(self, text: str) -> str:
        if text.isascii() or not self.chance(self.setting.accent_dropped):
            return text
        return "".join(pools.ascii_fold(ch) if not ch.isascii() else ch for ch in text)

    def typo(self, text: str) -> str:
        if len(text) < 4 or not self.chance(self.setting.typo):
            return text
        rng = self.rng
        i = rng.randrange(1, len(text) - 1)
        kind = rng.randrange(4)
        letter = rng.choice(string.ascii_lowercase)
        if kind == 0:
            return text[:i] + letter + text[i + 1 :]
        if kind == 1:
            return text[:i] + text[i + 1 :]
        if kind == 2:
            return text[:i] + letter + text[i:]
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]

    def mangle_case(self, text: str) -> str:
        if not self.chance(self.setting.case_noise):
            return text
        choice = self.rng.randrange(3)
        if choice == 0:
            return text.upper()
        if choice == 1:
            return text.lower()
        return f"  {text} "

    def company(self, name: str) -> str:
        if self.chance(self.setting.company_variant):
            name = f"{name} {self.rng.choice(pools.SUFFIXES)}"
            if self.chance(0.3):
                name = name.upper()
        return name

    def title(self, title: str) -> str:
        if not self.chance(self.setting.title_variant):
            return title
        words = [
            self.rng.choice(pools.ABBREVIATIONS[w]) if w in pools.ABBREVIATIONS else w for w in title.split()
        ]
        return " ".join(words).lower() if self.chance(0.3) else " ".join(words)

    def url(self, person: Person) -> str:
        if not self.chance(self.setting.url_variant):
            return f"https://www.linkedin.com/in/{person.slug}"
        shapes = (
            "http://linkedin.com/in/{}/",
            "https://uk.linkedin.com/in/{}?trk=profile",
            "www.linkedin.com/in/{}",
            "https://www.linkedin.com/in/{}/?locale=en_US",
        )
        slug = person.slug.upper() if self.chance(0.2) else person.slug
        return self.rng.choice(shapes).format(slug)

    def phone(self, person: Person, *, variant: bool = False) -> str:
        number = person.phone_national
        spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
        if not variant or not self.chance(self.setting.phone_variant):
            return f"+{person.phone_country} {spaced}"
        trunk = dict(pools.COUNTRIES)[person.phone_country]
        shapes = (
            f"{trunk}{spaced}",
            f"({number[:3]}) {number[3:6]}-{number[6:]}",
            f"00{person.phone_country}{number}",
        )
        return self.rng.choice(shapes)

    # -- the data set -------------------------------------------------------------------------------

    def generate(self, candidates: int, members: int) -> LabelledData:
        s, rng = self.setting, self.rng
        unique = candidates - int(candidates * s.duplicates)
        from_members = int(unique * s.overlap)
        traps = int(candidates * s.namesakes)
        member_people = [self.person() for _ in range(max(members - traps, from_members))]
        chosen = rng.sample(member_people, from_members)
        outsiders = [self.person() for _ in range(unique - from_members)]
        candidate_people = chosen + outsiders
        candidate_people += [rng.choice(candidate_people) for _ in range(candidates - unique)]
        namesakes = [self.namesake(p) for p in rng.sample(candidate_people, traps)]
        member_profiles = {p.urn: self.member(p) for p in member_people + namesakes}
        labelled: list[tuple[Profile, Person]] = []
        order = list(range(len(candidate_people)))
        rng.shuffle(order)
        for number, index in enumerate(order):
            person = candidate_people[index]
            candidate = self.candidate(person, f"C{number:07d}")
            # A member LinkedIn named that the pipeline knew nothing of is known by its URN from now on.
            for urn in candidate.linkedin_matches:
                member_profiles.setdefault(urn, Profile(id=urn, person_urn=urn))
            labelled.append((candidate, person))
        truth = {c.id: (p.urn if p.urn in member_profiles else None) for c, p in labelled}
        profiles = list(member_profiles.values())
        rng.shuffle(profiles)
        return LabelledData(s, self.seed, profiles, [c for c, _ in labelled], truth)


def generate(setting: Setting, *, seed: int, candidates: int, members: int) -> LabelledData:
    return Generator(setting, seed).generate(candidates, members)
