"""Field rules of the synced entities (reference §3.3-§3.6 and §6.1).

Each ``check_*`` returns the problems of one entity as sentences a person can act on; an empty
list means the entity is accepted. Checks take the shape's renames (v2 field name -> the shape's
name), so a versioned candidate is told about ``externalCreatedAt`` where a v2 one hears of
``atsCreatedAt``. Fields a resource does not list are found by :func:`unrecognized`, apart, as
they break a rule of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: LinkedIn's e-mail rule is only "X@X.X".
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PERSON_URN = re.compile(r"urn:li:person:[A-Za-z0-9_-]+")
ORGANIZATION_URN = re.compile(r"urn:li:organization:\d+")
CONTRACT_URN = re.compile(r"urn:li:contract:\d+")
SEAT_URN = re.compile(r"urn:li:seat:\d+")
HTTP_URL = re.compile(r"https?://[^\s/]+\S*")
JOB_TITLE_MAX = 200

CANDIDATE_FIELDS = frozenset(
    {
        "addresses",
        "atsCreatedAt",
        "atsLastModifiedAt",
        "currentCompanyName",
        "currentJobTitle",
        "emailAddresses",
        "externalProfileUrl",
        "linkedInProfileUrl",
        "firstName",
        "lastName",
        "middleInitial",
        "prefix",
        "suffix",
        "phoneNumbers",
        "doNotContact",
        "manualMatchedMember",
    }
)
APPLICATION_FIELDS = frozenset(
    {
        "atsCandidateId",
        "atsCreatedAt",
        "atsLastModifiedAt",
        "atsJobPostingId",
        "atsJobPostingName",
        "candidateEmail",
        "firstName",
        "lastName",
        "source",
        "dispositionReason",
    }
)
NOTE_FIELDS = frozenset({"atsCreatedAt", "atsLastModifiedAt", "note", "author"})
STAGE_FIELDS = frozenset({"atsCreatedAt", "atsLastModifiedAt", "stage"})
FEEDBACK_FIELDS = frozenset({"atsCreatedAt", "atsLastModifiedAt", "evaluations", "feedback", "interviewer"})
JOB_FIELDS = frozenset(
    {
        "integrationContext",
        "externalJobPostingId",
        "title",
        "description",
        "location",
        "countryCode",
        "postalCode",
        "availability",
        "state",
        "companyApplyUrl",
        "listedAt",
        "companyName",
        "companyJobCode",
        "employmentStatus",
        "experienceLevel",
        "industries",
        "jobFunctions",
        "workplaceTypes",
        "jobPostingOperationType",
        "skills",
    }
)
JOB_STATES = ("LISTED", "CLOSED")
JOB_AVAILABILITIES = ("PUBLIC", "PRIVATE_TO_ATS_INTEGRATION")

Checker = Callable[[Mapping[str, Any], Mapping[str, str]], list[str]]
NO_RENAMES: Mapping[str, str] = {}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(entity: Mapping[str, Any], name: str, problems: list[str], *, required: bool = False) -> None:
    value = entity.get(name)
    if value is None:
        if required:
            problems.append(f"{name} is required")
    elif not isinstance(value, str):
        problems.append(f"{name} must be a string")
    elif required and not value.strip():
        problems.append(f"{name} must not be empty")


def _timestamps(
    entity: Mapping[str, Any], problems: list[str], *, required: bool, names: Mapping[str, str] = NO_RENAMES
) -> None:
    created_name = names.get("atsCreatedAt", "atsCreatedAt")
    modified_name = names.get("atsLastModifiedAt", "atsLastModifiedAt")
    for name in (created_name, modified_name):
        value = entity.get(name)
        if value is None:
            if required:
                problems.append(f"{name} is required (epoch milliseconds > 0)")
        elif not _is_int(value) or value <= 0:
            problems.append(f"{name} must be epoch milliseconds > 0, got {value!r}")
    created, modified = entity.get(created_name), entity.get(modified_name)
    if isinstance(created, int) and isinstance(modified, int) and modified < created:
        problems.append(f"{modified_name} ({modified}) must not be before {created_name} ({created})")


def renamed(fields: Iterable[str], names: Mapping[str, str]) -> frozenset[str]:
    """A resource's field list in a shape's names."""
    return frozenset(names.get(name, name) for name in fields)


def unrecognized(entity: Mapping[str, Any], known: Iterable[str]) -> list[str]:
    return [f"unrecognized field '{name}'" for name in sorted(set(entity) - set(known))]


def _person_name(value: Any, name: str, problems: list[str]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        problems.append(f"{name} must be an object with firstName and lastName")
        return
    for part in ("firstName", "lastName"):
        if not isinstance(value.get(part), str) or not value[part].strip():
            problems.append(f"{name}.{part} is required when {name} is sent")


def _contact_details(entity: Mapping[str, Any], problems: list[str]) -> None:
    """A candidate's addresses, phone numbers and e-mail addresses."""
    for name in ("addresses", "phoneNumbers"):
        value = entity.get(name)
        if value is None:
            problems.append(f"{name} is required (send [] when there are none)")
        elif not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            problems.append(f"{name} must be a list of objects")
    for index, phone in enumerate(entity.get("phoneNumbers") or []):
        if isinstance(phone, dict) and not isinstance(phone.get("number"), str):
            problems.append(f"phoneNumbers[{index}].number is required")
    emails = entity.get("emailAddresses")
    if emails is None:
        return
    if not isinstance(emails, list):
        problems.append("emailAddresses must be a list of strings")
        return
    for email in emails:
        if not isinstance(email, str) or not EMAIL.fullmatch(email):
            problems.append(f"emailAddresses entry {email!r} is not an e-mail address (X@X.X)")


def check_candidate(entity: Mapping[str, Any], names: Mapping[str, str] = NO_RENAMES) -> list[str]:
    problems: list[str] = []
    _text(entity, "firstName", problems, required=True)
    for name in (
        "lastName",
        "middleInitial",
        "prefix",
        "suffix",
        "currentCompanyName",
        "currentJobTitle",
        "externalProfileUrl",
        "linkedInProfileUrl",
    ):
        _text(entity, name, problems)
    _timestamps(entity, problems, required=True, names=names)
    _contact_details(entity, problems)
    if entity.get("doNotContact") is not None and not isinstance(entity["doNotContact"], bool):
        problems.append("doNotContact must be true or false")
    member = entity.get("manualMatchedMember")
    if member is not None and not (isinstance(member, str) and PERSON_URN.fullmatch(member)):
        problems.append(f"manualMatchedMember must be a person URN (urn:li:person:...), got {member!r}")
    return problems


def check_application(entity: Mapping[str, Any], names: Mapping[str, str] = NO_RENAMES) -> list[str]:
    problems: list[str] = []
    _timestamps(entity, problems, required=True, names=names)
    for name in ("atsJobPostingId", "atsJobPostingName", "firstName"):
        _text(entity, name, problems, required=True)
    for name in ("atsCandidateId", "lastName", "source", "dispositionReason"):
        _text(entity, name, problems)
    email = entity.get("candidateEmail")
    if email is not None and not (isinstance(email, str) and EMAIL.fullmatch(email)):
        problems.append(f"candidateEmail {email!r} is not an e-mail address (X@X.X)")
    return problems


def check_note(entity: Mapping[str, Any], names: Mapping[str, str] = NO_RENAMES) -> list[str]:
    problems: list[str] = []
    _timestamps(entity, problems, required=False)
    _text(entity, "note", problems)
    _person_name(entity.get("author"), "author", problems)
    return problems


def check_stage(entity: Mapping[str, Any], names: Mapping[str, str] = NO_RENAMES) -> list[str]:
    problems: list[str] = []
    _timestamps(entity, problems, required=False)
    if entity.get("atsCreatedAt") is None:
        problems.append("atsCreatedAt is required (epoch milliseconds > 0)")
    _text(entity, "stage", problems, required=True)
    return problems


def check_interview_feedback(entity: Mapping[str, Any], names: Mapping[str, str] = NO_RENAMES) -> list[str]:
    problems: list[str] = []
    _timestamps(entity, problems, required=False)
    _text(entity, "feedback", problems)
    _person_name(entity.get("interviewer"), "interviewer", problems)
    evaluations = entity.get("evaluations")
    if evaluations is not None:
        if not isinstance(evaluations, list):
            problems.append("evaluations must be a list of {attribute, result}")
        else:
            for index, item in enumerate(evaluations):
                if not isinstance(item, dict) or not isinstance(item.get("attribute"), str):
                    problems.append(f"evaluations[{index}].attribute is required")
    return problems


def check_job(entity: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for name in ("integrationContext", "externalJobPostingId", "title", "description"):
        _text(entity, name, problems, required=True)
    title = entity.get("title")
    if isinstance(title, str) and len(title) > JOB_TITLE_MAX:
        problems.append(f"title is {len(title)} characters; at most {JOB_TITLE_MAX} are allowed")
    if entity.get("location") is None:
        if entity.get("countryCode") is None or entity.get("postalCode") is None:
            problems.append(
                'location is required ("CITY, STATE" or "CITY, COUNTRY"), or else countryCode and postalCode'
            )
    else:
        _text(entity, "location", problems, required=True)
    for name, allowed in (("state", JOB_STATES), ("availability", JOB_AVAILABILITIES)):
        value = entity.get(name)
        if value is None:
            problems.append(f"{name} is required ({' or '.join(allowed)})")
        elif value not in allowed:
            problems.append(f"{name} must be {' or '.join(allowed)}, got {value!r}")
    url = entity.get("companyApplyUrl")
    if url is not None and not (isinstance(url, str) and HTTP_URL.fullmatch(url)):
        problems.append(f"companyApplyUrl must be an http(s) URL, got {url!r}")
    listed_at = entity.get("listedAt")
    if listed_at is not None and (not _is_int(listed_at) or listed_at <= 0):
        problems.append(f"listedAt must be epoch milliseconds > 0, got {listed_at!r}")
    return problems
