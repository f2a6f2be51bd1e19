"""What LinkedIn requires of a record before it accepts it (reference §3.3, §6.1): the pre-flight.

An ATS record without them is stored, but LinkedIn refuses it when it is pushed, and nothing is
invented to fill the gap (LinkedIn audits that, §6.1). ``sync_problems`` tells an upstream team at
publish time; the catalogue (``docs/events.md``) and the JSON Schemas mark the same fields
(``x-linkedin-required``) from this one table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from schemas.ats import CandidateSnapshot, JobSnapshot, JobState
from schemas.envelope import Event

#: LinkedIn's limit on a job title (reference §3.3).
JOB_TITLE_MAX = 200


@dataclass(frozen=True)
class Requirement:
    #: The field of the event's ``data`` it is about.
    field: str
    #: What LinkedIn requires, and what to send instead; names the field, never its value.
    rule: str
    #: True when ``data`` meets it.
    met: Callable[[BaseModel], bool]


def _has_description(data: BaseModel) -> bool:
    assert isinstance(data, JobSnapshot)
    return bool(data.description and data.description.strip())


def _has_location(data: BaseModel) -> bool:
    assert isinstance(data, JobSnapshot)
    location = data.location
    if location is None:
        return False
    city = bool(location.city and location.city.strip())
    return (city and bool(location.region or location.country_code)) or bool(
        location.country_code and location.postal_code
    )


def _title_fits(data: BaseModel) -> bool:
    assert isinstance(data, JobSnapshot)
    return len(data.title) <= JOB_TITLE_MAX


def _has_first_name(data: BaseModel) -> bool:
    assert isinstance(data, CandidateSnapshot)
    return bool(data.first_name and data.first_name.strip())


#: Per data model, what LinkedIn requires (beyond what the schema itself requires).
REQUIREMENTS: dict[type[BaseModel], tuple[Requirement, ...]] = {
    JobSnapshot: (
        Requirement("title", f"LinkedIn accepts job titles of at most {JOB_TITLE_MAX} characters",
                    _title_fits),
        Requirement("description", "LinkedIn requires a job's description; send data.description",
                    _has_description),
        Requirement(
            "location",
            "LinkedIn requires a job's location: data.location with city and region or country_code, "
            "or with country_code and postal_code",
            _has_location,
        ),
    ),
    CandidateSnapshot: (
        Requirement(
            "first_name",
            "LinkedIn requires a candidate's first name (and refuses its applications without one); "
            "send data.first_name",
            _has_first_name,
        ),
    ),
}  # fmt: skip


def sync_problems(event: Event) -> list[str]:
    """Why LinkedIn will refuse the record this event carries; empty when nothing is known against it.

    A draft job is never sent (only listed and closed jobs are), so nothing is required of it yet.
    """
    data = getattr(event, "data", None)
    if not isinstance(data, BaseModel):
        return []
    if isinstance(data, JobSnapshot) and data.state is JobState.DRAFT:
        return []
    return [f"{r.field}: {r.rule}" for r in REQUIREMENTS.get(type(data), ()) if not r.met(data)]


def required_fields(model: type[BaseModel]) -> dict[str, str]:
    """field -> rule, for the catalogue and the JSON Schemas."""
    return {r.field: r.rule for r in REQUIREMENTS.get(model, ())}
