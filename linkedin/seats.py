"""``seatsV2``: the Recruiter seats of the customer's contracts (who may be connected to ATS users).

Elements come back as LinkedIn sends them; reading them (in whatever shape, keyed by the contract
asked for) is the seat refresh's job (``workers.prospect_items.read_seat``), so one element that
cannot be read does not fail the others.
"""

from __future__ import annotations

from typing import Any

from linkedin.http import LinkedInHttp
from linkedin.restli import read_pages

PATH = "/v2/seatsV2"


class Seats:
    def __init__(self, http: LinkedInHttp) -> None:
        self._http = http

    def of_contract(self, contract: str) -> tuple[list[dict[str, Any]], int]:
        """Every seat element of the contract, whatever its state, and the calls the pages cost."""
        return read_pages(self._http, PATH, [("q", "attributes"), ("contracts", contract)])
