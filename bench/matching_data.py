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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from itertools import accumulate

from matching.nicknames import default_nicknames
from matching.normalize import fold
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


# -- pools ------------------------------------------------------------------------------------------


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


_EXTRA_FIRST = _words(
    "José María Zoë Renée Søren Björn François Łukasz Małgorzata Jürgen Agnieszka Dagný Ólafur Çağla "
    "Ana Luis Carmen Pedro Javier Lucía Sofía Mateo Valentina Camila Diego Andrés Priya Rahul Anil "
    "Sunita Arjun Deepika Wei Li Jun Hui Yan Ming Chen Hiroshi Yuki Haruto Sakura Kenji Aiko Ngozi "
    "Chinedu Oluwaseun Amara Kwame Ayodele Fatima Aisha Omar Hassan Leila Yusuf Mariam Karim Noura "
    "Emma Olivia Noah Liam Ava Mia Ethan Mason Chloe Zoe Lucas Hugo Léa Chloé Inès Théo Gaël Noémie "
    "Anja Lena Lukas Jonas Finn Greta Ida Magnus Astrid Freya Ingrid Nils Sven Aleksandra Piotr "
    "Tomasz Krzysztof Katarzyna Dorota Ivana Marek Jiří Tereza Zdeněk Dušan Goran Milica Nikola"
)
_LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Müller Schmidt Schneider Fischer Weber "
    "Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schröder Neumann Schwarz Zimmermann "
    "Dubois Lefèvre Moreau Laurent Simon Michel Leroy Roux Fournier Girard Bonnet Dupont Lambert "
    "Fontaine Rousseau Vincent Müller-Lüdenscheidt Kowalski Nowak Wiśniewski Wójcik Kowalczyk "
    "Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski Novák Svoboda Dvořák Černý Procházka "
    "Kučera Veselý Horák Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco "
    "Bruno Gallo Conti DeLuca Mancini Costa Giordano Rizzo Lombardi Moretti Silva Santos Oliveira "
    "Souza Rodrigues Ferreira Alves Pereira Lima Gomes Ribeiro Carvalho Almeida Araújo Patel Sharma "
    "Singh Kumar Gupta Shah Mehta Iyer Reddy Nair Rao Joshi Desai Kapoor Chopra Malhotra Wang Zhang "
    "Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin Tanaka Suzuki Takahashi Watanabe Ito "
    "Yamamoto Nakamura Kobayashi Kato Yoshida Okafor Adeyemi Okonkwo Eze Nwosu Abubakar Mensah Owusu "
    "Boateng Asante Diallo Traoré Keita Ndiaye Haddad Khalil Nasser Mansour Saleh Aziz Hussein "
    "O'Brien O'Connor O'Neill McCarthy MacDonald McLaughlin D'Angelo DeSouza van der Berg van Dijk "
    "de Jong de Vries Jansen Bakker Visser Smit Meijer de Boer Mulder Bos Vos Peters Hendriks "
    "García López Fernández González Martínez Sánchez Pérez Gómez Díaz Álvarez Romero Ruiz Jiménez "
    "Núñez Muñoz Castillo Ortega Delgado Castro Ortiz Rubio Marín Sanz Iglesias Medina Garrido "
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Hansen Jensen Nielsen Pedersen Kristensen Sørensen Rasmussen Jørgensen Halvorsen Þórsson "
    "Yılmaz Kaya Demir Şahin Çelik Yıldız Aydın Öztürk Arslan Doğan Ivanov Petrov Smirnov Kuznetsov "  # noqa: RUF001
    "Popov Sokolov Lebedev Kozlov Novikov Morozov"
)
_COMPOUND_SECOND = _words("López García Martínez Rodríguez Pérez Fernández Sánchez Gómez Ruiz Díaz")
_SYLLABLES = _words(
    "ka ra mo ne li sa to vi de an el or un is ba ko mi ta ren dal ber gon fel har kin lor mar nov "
    "pel ros sar tor val wen zak bre cor dun est fin gar hol jor kel lan mor nel"
)
_COMPANY_WORDS = _words(
    "Acme Globex Initech Umbrella Stark Wayne Wonka Cyberdyne Tyrell Soylent Hooli Vandelay Pied Piper "
    "Northwind Contoso Fabrikam Litware Adventure Blue Yonder Proseware Tailspin Wingtip Alpine Coho "
    "Lucerne Margie Trey Woodgrove Fourth Coffee Humongous Graphic Design Institute Nod Publishers "
    "Olympic Quantum Vertex Apex Summit Pinnacle Horizon Zenith Nimbus Stratus Cirrus Meridian Polaris "
    "Orion Atlas Titan Helios Aurora Nova Vega Lyra Sirius Altair Rigel Deneb Capella Electra Kepler"
)
_COMPANY_KINDS = _words(
    "Systems Labs Solutions Technologies Analytics Consulting Health Logistics Energy Foods Partners "
    "Media Robotics Capital Insurance Pharma Retail Motors Networks Software Bank Foundation Studios"
)
_SUFFIXES = ("Inc.", "Ltd", "LLC", "GmbH", "Corporation", "Corp.", "plc", "S.A.", "B.V.", "AG", "& Co.")
_FUNCTIONS = _words(
    "Software Engineer, Data Scientist, Product Manager, Marketing Manager, Sales Representative, "
    "Account Executive, Accountant, Recruiter, Registered Nurse, UX Designer, Business Analyst, "
    "Financial Analyst, Operations Manager, Project Manager, Customer Success Manager, HR Business "
    "Partner, Mechanical Engineer, Civil Engineer, Data Engineer, DevOps Engineer, QA Engineer, "
    "Technical Writer, Graphic Designer, Office Manager, Lawyer, Paralegal, Pharmacist, Teacher, "
    "Research Scientist, Supply Chain Analyst, Solutions Architect, Security Engineer, Copywriter, "
    "Brand Manager, Talent Acquisition Specialist, Machine Learning Engineer, Site Reliability Engineer",
    sep=", ",
)
_LEVELS = ("", "", "", "Senior", "Senior", "Junior", "Lead", "Principal", "Staff", "Associate")
_ABBREVIATIONS = {
    "Senior": ("Sr.", "Sr", "Snr"),
    "Junior": ("Jr.", "Jr"),
    "Engineer": ("Eng.", "Engr"),
    "Manager": ("Mgr",),
    "Associate": ("Assoc.",),
    "Representative": ("Rep",),
    "Specialist": ("Spec.",),
    "Technical": ("Tech",),
}
_CITIES = _words(
    "London Manchester Birmingham Leeds Glasgow Edinburgh Bristol Dublin Paris Lyon Marseille Berlin "
    "Munich Hamburg Cologne Frankfurt Vienna Zürich Geneva Amsterdam Rotterdam Brussels Antwerp Madrid "
    "Barcelona Valencia Sevilla Lisbon Porto Rome Milan Turin Naples Stockholm Gothenburg Oslo Copenhagen "
    "Helsinki Warsaw Kraków Prague Brno Budapest Bucharest Athens Istanbul Ankara Cairo Lagos Nairobi "
    "Accra Johannesburg Dubai Mumbai Bangalore Delhi Chennai Hyderabad Pune Singapore Tokyo Osaka Seoul "
    "Beijing Shanghai Shenzhen Sydney Melbourne Auckland Toronto Montréal Vancouver Boston Chicago "
    "Austin Seattle Denver Atlanta Miami Dallas Houston Phoenix Portland"
)
_MAIL_HOSTS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "gmx.de", "proton.me")
_COUNTRIES = (("44", "0"), ("1", ""), ("49", "0"), ("33", "0"), ("91", "0"), ("34", ""), ("31", "0"))


def _skewed(items: Sequence[str], exponent: float, offset: float) -> Callable[[random.Random], str]:
    """A sampler that favours the first items (weights 1 / (rank + offset) ** exponent)."""
    weights = list(accumulate(1.0 / (rank + offset) ** exponent for rank in range(len(items))))

    def pick(rng: random.Random) -> str:
        return rng.choices(items, cum_weights=weights)[0]

    return pick


class _Pools:
    def __init__(self, rng: random.Random) -> None:
        table = default_nicknames()
        formal = sorted({g for name in _all_forms() for g in table.groups(name)})
        firsts = [name.capitalize() for name in formal] + _EXTRA_FIRST
        rng.shuffle(firsts)
        synthetic = sorted(
            {
                "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
                for _ in range(12_000)
            }
        )
        lasts = list(_LAST) + synthetic
        companies = sorted(
            {f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_KINDS)}" for _ in range(4000)}
        )
        rng.shuffle(companies)
        titles = sorted({f"{rng.choice(_LEVELS)} {f}".strip() for f in _FUNCTIONS for _ in range(6)})
        rng.shuffle(titles)
        self.first = _skewed(firsts, 1.0, 8)
        self.last = _skewed(lasts, 1.0, 30)
        self.company = _skewed(companies, 0.9, 5)
        self.title = _skewed(titles, 0.8, 5)
        self.city = _skewed(list(_CITIES), 1.0, 3)
        self.nicknames = {
            name: sorted(form for form in _all_forms() if name in table.groups(form) and form != name)
            for name in formal
        }


def _all_forms() -> list[str]:
    return default_nicknames().names()


def _ascii(text: str) -> str:
    return fold(text).replace(" ", "")


class Generator:
    def __init__(self, setting: Setting, seed: int) -> None:
        self.setting = setting
        self.seed = seed
        self.rng = random.Random(seed)
        self.pools = _Pools(self.rng)
        self._people = 0
        #: Work addresses handed out: (person, domain) -> address; a mailbox belongs to one person.
        self._work_emails: dict[tuple[int, str], str] = {}
        self._taken: set[str] = set()

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # -- people -------------------------------------------------------------------------------------

    def job(self) -> Job:
        company = self.pools.company(self.rng)
        domain = _ascii(company.split()[0]) + _ascii(company.split()[-1])[:4] + ".com"
        return Job(company, self.pools.title(self.rng), domain)

    def person(self, *, first: str | None = None, last: str | None = None, job: Job | None = None) -> Person:
        self._people += 1
        rng = self.rng
        first = first or self.pools.first(rng)
        if last is None:
            last = self.pools.last(rng)
            if self.chance(0.05):
                last = f"{last} {rng.choice(_COMPOUND_SECOND)}"
        country, _trunk = rng.choice(_COUNTRIES)
        handle = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 999) if self.chance(0.6) else ''}"
        personal = f"{handle}@{rng.choice(_MAIL_HOSTS)}"
        while personal in self._taken:  # a mailbox belongs to one person
            personal = f"{handle}{rng.randint(1, 9999)}@{rng.choice(_MAIL_HOSTS)}"
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
            slug=f"{_ascii(first)}-{_ascii(last)}-{rng.getrandbits(24):06x}",
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
        forms = self.pools.nicknames.get(_ascii(first).lower(), [])
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
        local = f"{_ascii(person.first)[:1]}{_ascii(person.last)}"
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
        forms = self.pools.nicknames.get(_ascii(name).lower(), [])
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
        return "".join(_ascii(ch) if not ch.isascii() else ch for ch in text)

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
            name = f"{name} {self.rng.choice(_SUFFIXES)}"
            if self.chance(0.3):
                name = name.upper()
        return name

    def title(self, title: str) -> str:
        if not self.chance(self.setting.title_variant):
            return title
        words = [self.rng.choice(_ABBREVIATIONS[w]) if w in _ABBREVIATIONS else w for w in title.split()]
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
        trunk = dict(_COUNTRIES)[person.phone_country]
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
