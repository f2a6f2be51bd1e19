"""Which LinkedIn API the pipeline speaks (``RSC_LINKEDIN_API_VERSION``): the legacy ``v2`` shape, or
a ``LinkedIn-Version`` of the versioned ``rest/`` API (reference §1, §1.1).

Ground the settings validate against; the client's table of how each resource family looks on each
shape is ``linkedin.versions``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

#: The legacy API's name in ``RSC_LINKEDIN_API_VERSION``.
V2 = "v2"
#: The first version the client models: 202602 renamed candidates and integrations (breaking).
FIRST_MODELLED_VERSION = "202602"
#: The latest version the reference shows; the default, and the version purge notices are read with
#: when the client speaks v2 (they are documented only on the versioned API).
LATEST_VERSION = "202604"
#: Rest.li protocol header value, sent on both shapes (on rest/ harmless: an ASSUMPTION it is accepted).
RESTLI_PROTOCOL_VERSION = "2.0.0"

_YYYYMM = re.compile(r"(20\d\d)(0[1-9]|1[0-2])")


class Shape(StrEnum):
    V2 = "v2"
    REST = "rest"


@dataclass(frozen=True)
class ApiVersion:
    """What ``RSC_LINKEDIN_API_VERSION`` selects: ``v2``, or a ``LinkedIn-Version`` of the rest/ API."""

    value: str

    @classmethod
    def parse(cls, value: str) -> ApiVersion:
        """The version, or ``ValueError`` naming the setting and what it accepts."""
        text = value.strip().lower()
        if text == V2:
            return cls(V2)
        if not _YYYYMM.fullmatch(text):
            raise ValueError(
                f"RSC_LINKEDIN_API_VERSION must be 'v2' or a LinkedIn-Version YYYYMM such as "
                f"{LATEST_VERSION}, got {value!r}"
            )
        if text < FIRST_MODELLED_VERSION:
            raise ValueError(
                f"RSC_LINKEDIN_API_VERSION {text} is older than {FIRST_MODELLED_VERSION}, the first "
                f"version the client models (it renamed candidates and integrations); set "
                f"{LATEST_VERSION} or later, or 'v2'"
            )
        return cls(text)

    @property
    def shape(self) -> Shape:
        return Shape.V2 if self.value == V2 else Shape.REST

    def headers(self, restli_version: str = RESTLI_PROTOCOL_VERSION) -> dict[str, str]:
        """The protocol headers every call of this version carries."""
        if self.shape is Shape.V2:
            return {"X-RestLi-Protocol-Version": restli_version}
        return {"LinkedIn-Version": self.value, "X-RestLi-Protocol-Version": restli_version}

    def describe(self) -> str:
        """For people: ``v2 (/v2/...)`` or ``202604 (/rest/..., LinkedIn-Version 202604)``."""
        if self.shape is Shape.V2:
            return "v2 (/v2/..., X-RestLi-Protocol-Version 2.0.0)"
        return f"{self.value} (/rest/..., LinkedIn-Version {self.value})"
