"""The pools the labelled matching data is drawn from: names, companies, titles, cities, mail hosts and
phone countries, each drawn with a skew so some values are common and most are rare."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from itertools import accumulate

from matching.nicknames import default_nicknames
from matching.normalize import fold


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


COMPOUND_SECOND = _words("López García Martínez Rodríguez Pérez Fernández Sánchez Gómez Ruiz Díaz")


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


SUFFIXES = ("Inc.", "Ltd", "LLC", "GmbH", "Corporation", "Corp.", "plc", "S.A.", "B.V.", "AG", "& Co.")


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


ABBREVIATIONS = {
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


MAIL_HOSTS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "gmx.de", "proton.me")


COUNTRIES = (("44", "0"), ("1", ""), ("49", "0"), ("33", "0"), ("91", "0"), ("34", ""), ("31", "0"))


def _skewed(items: Sequence[str], exponent: float, offset: float) -> Callable[[random.Random], str]:
    """A sampler that favours the first items (weights 1 / (rank + offset) ** exponent)."""
    weights = list(accumulate(1.0 / (rank + offset) ** exponent for rank in range(len(items))))

    def pick(rng: random.Random) -> str:
        return rng.choices(items, cum_weights=weights)[0]

    return pick


class Pools:
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


def ascii_fold(text: str) -> str:
    return fold(text).replace(" ", "")
