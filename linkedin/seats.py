"""``seatsV2``: the Recruiter seats of the customer's contracts (who may be connected to ATS users).

Elements come back as LinkedIn sends them; reading them (in whatever shape, keyed by the contract
asked for) is the seat refresh's job (``workers.prospect_polling.items.read_seat``), so one element that
cannot be read does not fail the others.
"""

from __future__ import annotations

from typing import Any

from linkedin.http import LinkedInHttp
from linkedin.restli import read_pages
from linkedin.versions import Family


class Seats:
    def __init__(self, http: LinkedInHttp) -> None:
        self._http = http

    def of_contract(self, contract: str) -> tuple[list[dict[str, Any]], int]:
        """Every seat element of the contract, whatever its state, in the pipeline's field names, and
        the calls the pages cost; reading them is ``workers.prospect_polling.items``' job."""
        endpoint = self._http.api.endpoint(Family.SEATS)
        elements, calls = read_pages(self._http, endpoint, [("q", "attributes"), ("contracts", contract)])
        shape = self._http.api.shape(Family.SEATS)
        return [shape.from_linkedin(e) for e in elements], calls
