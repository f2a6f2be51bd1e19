"""Normalisation: the one way each field is folded before two records are compared.

Case, accents, punctuation and whitespace never decide a match: ``"  JOSÉ  o'Neil-Smith"`` and
``"Jose ONeil Smith"`` fold to the same tokens. Each function returns ``None`` (or an empty value)
for input that cannot take part in a comparison, so a missing field is "unknown", never "different".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote

#: Letters NFKD does not decompose into a base letter plus marks.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "ł": "l",
        "Ł": "l",
        "\u0131": "i",  # dotless i
        "þ": "th",
        "Þ": "th",
    }
)
#: Removed without leaving a gap, so ``O'Neil`` and ``ONeil`` agree.
_APOSTROPHES = re.compile("['`\u2018\u2019\u00b4\u02bc]")
_NOT_WORD = re.compile(r"[^\w]+|_")
_DIGITS = re.compile(r"\D+")
_PROFILE_PATH = re.compile(r"(?:^|[/.@])linkedin\.com/in/([^/?#\s]+)", re.IGNORECASE)

#: Surname particles: "van der Berg" and "Berg" share the surname token "berg".
NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "el", "al",
     "bin", "ibn", "y", "st", "ten", "ter", "mac"}
)  # fmt: skip
#: Words that tell nothing about which company is meant.
COMPANY_NOISE = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "gmbh",
     "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "asa", "pty", "llp", "lp", "kg",
     "group", "holding", "holdings", "the", "and"}
)  # fmt: skip
#: Title abbreviations, written out so "Sr. Software Eng." and "Senior Software Engineer" agree.
TITLE_WORDS = {
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "jnr": "junior",
    "mgr": "manager",
    "mngr": "manager",
    "eng": "engineer",
    "engr": "engineer",
    "dev": "developer",
    "swe": "software engineer",
    "sde": "software engineer",
    "vp": "vice president",
    "svp": "senior vice president",
    "evp": "executive vice president",
    "dir": "director",
    "assoc": "associate",
    "asst": "assistant",
    "exec": "executive",
    "admin": "administrator",
    "ops": "operations",
    "hr": "human resources",
    "qa": "quality assurance",
    "ux": "user experience",
    "cto": "chief technology officer",
    "ceo": "chief executive officer",
    "cfo": "chief financial officer",
    "coo": "chief operating officer",
    "cmo": "chief marketing officer",
    "mktg": "marketing",
    "intl": "international",
    "mgmt": "management",
    "rep": "representative",
    "spec": "specialist",
    "coord": "coordinator",
    "tech": "technical",
    "sw": "software",
}
_TITLE_NOISE = frozenset({"of", "the", "and", "at", "for", "in", "a", "an", "to"})


@lru_cache(maxsize=1 << 17)
def fold(text: str) -> str:
    """Lower case, no accents, apostrophes dropped, other punctuation as spaces, spaces collapsed."""
    text = _APOSTROPHES.sub("", text)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def name_tokens(name: str | None) -> tuple[str, ...]:
    """The words of a name, folded: ``"Jean-Luc"`` -> ``("jean", "luc")``."""
    return tuple(fold(name).split()) if name else ()


def surname_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a surname that identify it (particles and initials dropped)."""
    return tuple(t for t in tokens if len(t) > 1 and t not in NAME_PARTICLES)


@lru_cache(maxsize=1 << 16)
def email_key(email: str) -> str | None:
    """``Ada.L+jobs@GMail.com`` -> ``adal@gmail.com``; None for something that is not an address."""
    text = unicodedata.normalize("NFKC", email).strip().casefold()
    text = text.removeprefix("mailto:")
    local, at, domain = text.rpartition("@")
    if not at or not local or "." not in domain or " " in text:
        return None
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else None


#: Digits compared: the last nine, which survive "+44 20 ..." vs "020 ..." and "+1 (415)" vs "415".
PHONE_DIGITS = 9
#: Fewer digits than this is an extension or a fragment, not a number.
MIN_PHONE_DIGITS = 7


def phone_key(number: str) -> str | None:
    digits = _DIGITS.sub("", number)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    return digits[-PHONE_DIGITS:]


def profile_slug(url: str | None) -> str | None:
    """The member's public profile id from any form of ``linkedin.com/in/<id>`` URL."""
    if not url:
        return None
    found = _PROFILE_PATH.search(url.strip())
    if found is None:
        return None
    slug = unquote(found.group(1)).strip().casefold()
    return slug or None


@lru_cache(maxsize=1 << 16)
def company_key(name: str) -> str | None:
    """``"The ACME Corp."`` -> ``"acme"``; a name made only of legal words keeps them."""
    tokens = fold(name.replace("&", " and ")).split()
    kept = [t for t in tokens if t not in COMPANY_NOISE]
    return " ".join(kept or tokens) or None


@lru_cache(maxsize=1 << 14)
def title_tokens(title: str) -> frozenset[str]:
    words: list[str] = []
    for token in fold(title).split():
        words.extend(TITLE_WORDS.get(token, token).split())
    return frozenset(w for w in words if w not in _TITLE_NOISE)


def city_key(location: str | None) -> str | None:
    """The first part of a displayed location (``"London, England, United Kingdom"`` -> ``london``)."""
    if not location:
        return None
    return fold(location.split(",", 1)[0]) or None


def within_one_edit(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns ``a`` into ``b``."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]
