"""``seatsV2``: the Recruiter seats of the customer's contracts (who may be connected to ATS users)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from linkedin.http import LinkedInHttp
from linkedin.restli import read_pages
from linkedin.versions import Family


class RecruiterSeat(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    seat_id: int = Field(alias="id")
    seat: str | None = None
    contract: str
    member: str | None = None
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")
    email: str | None = Field(default=None, alias="emailAddress")
    state: str = "ACTIVE"

    @property
    def urn(self) -> str:
        return self.seat or f"urn:li:seat:{self.seat_id}"


class Seats:
    def __init__(self, http: LinkedInHttp) -> None:
        self._http = http

    def of_contract(self, contract: str) -> tuple[list[RecruiterSeat], int]:
        """Every seat of the contract, whatever its state, and the calls the pages cost."""
        endpoint = self._http.api.endpoint(Family.SEATS)
        elements, calls = read_pages(self._http, endpoint, [("q", "attributes"), ("contracts", contract)])
        shape = self._http.api.shape(Family.SEATS)
        return [RecruiterSeat.model_validate(shape.from_linkedin(e)) for e in elements], calls
