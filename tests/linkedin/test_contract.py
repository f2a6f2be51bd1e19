"""Every request the client sent, checked against the reference's rules (linkedin-rsc-api.md), on each
API shape (v2, and the versioned rest/ API with its 202602 renames).

The pipeline pushes realistic jobs, candidates and applications (and notes, feedback and deletes go
through the client) to a sandbox whose own field validation is switched off, so that what is checked
here is the client's behaviour, not the sandbox's. The rules below are written from the reference:
§1 (headers, composite keys), §3.3-§3.6 (fields and their rules), §4 (batches of at most 100), §6.1
(required fields).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest

from linkedin.client import LinkedInClient
from rsc.settings import get_settings
from schemas.envelope import Event
from store.db import Store, get_store
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.helpers import ORG, create_tenant
from tests.linkedin.conftest import EXPECTED
from tests.sandbox_harness import BASE_URL, SandboxHarness, running_sandbox
from workers.shared.outbox_sweep import sweep_outbox
from workers.status_push.ats_records import handle_application_event, handle_candidate_event, handle_job_event

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

#: Fields each record may carry (reference §3.3-§3.6).
CANDIDATE_FIELDS = {
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
APPLICATION_FIELDS = {
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
JOB_FIELDS = {
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
}


@pytest.fixture
def sandbox(
    api_version: str, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", BASE_URL)
    from rsc.settings import reset_settings

    reset_settings()
    create_tenant("acme")
    with running_sandbox(tmp_path, strict_fields=False, request_log_size=100_000) as harness:
        harness.create_app("acme-client", "acme-secret", ORG)
        yield harness


@pytest.fixture
def linkedin(sandbox: SandboxHarness) -> LinkedInClient:
    return sandbox.linkedin("acme-client", "acme-secret", ORG)


def apply(store: Store, events: list[Event]) -> None:
    for event in events:
        uow = UnitOfWork("acme", store)
        if event.type.startswith("ats.candidate."):
            handle_candidate_event(event, uow)  # type: ignore[arg-type]
        elif event.type.startswith("ats.application."):
            handle_application_event(event, uow)  # type: ignore[arg-type]
        else:
            handle_job_event(event, uow)  # type: ignore[arg-type]


def drive_every_call(store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient) -> None:
    events: list[Event] = [
        ats.job("J-1"),
        ats.job("J-2", state="closed", location={"country_code": "de", "postal_code": "10115"}),
        ats.job("J-3", state="draft"),
        ats.job("J-3", state="published", modified=1, apply_url="https://jobs.example.com/3"),
        ats.job("J-3", state="draft", modified=2),
        ats.candidate(
            "C-1",
            phones=[{"number": "+1 555 0100"}],
            addresses=[{"city": "Paris", "country": "FR"}],
            current_company="Engines",
            linkedin_profile_url="https://www.linkedin.com/in/ada",
        ),
        ats.candidate("C-2", last_name=None, emails=[]),
    ]
    for app in range(150):
        events += [
            ats.application(
                f"A-{app}", candidate_id=f"C-{1 + app % 2}", job_id=f"J-{1 + app % 3}", status=s, step=i
            )
            for i, s in enumerate(["New", "Screen", "Offer"])
        ]
    apply(store, events)
    sweep_outbox(UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings())
    apply(store, [ats.candidate("C-1", modified=9, first_name="Augusta")])
    sweep_outbox(UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings())
    # What the pipeline does not push yet, but the client already speaks.
    linkedin.candidates.set_manual_match({"C-1": "urn:li:person:ada", "C-2": None})
    linkedin.candidates.notes("C-1").upsert({"N-1": {"atsCreatedAt": 1, "note": "hi"}})
    linkedin.candidates.notes("C-1").delete(["N-1"])
    linkedin.applications.notes("A-1").upsert(
        {"N-1": {"note": "good", "author": {"firstName": "Rita", "lastName": "Book"}}}
    )
    linkedin.applications.interview_feedback("A-1").upsert(
        {
            "F-1": {
                "atsCreatedAt": 1,
                "evaluations": [{"attribute": "Skills", "result": "yes"}],
                "feedback": "ok",
            }
        }
    )
    linkedin.applications.stages("A-1").get(["A-1-t0"])
    linkedin.applications.delete(["A-0", "A-404"])
    linkedin.candidates.get(["C-1"])
    linkedin.candidates.delete(["C-2"])


def test_every_request_follows_the_references_rules(
    sandbox: SandboxHarness, linkedin: LinkedInClient, sqlite_url: str, api_version: str
) -> None:
    drive_every_call(get_store(sqlite_url), sandbox, linkedin)
    requests = sandbox.control("GET", "/requests", params={"limit": 100_000})["requests"]
    rules = Rules(api_version)
    seen: set[str] = set()
    for request in requests:
        problems = rules.check(request)
        assert not problems, f"{request['method']} {request['path']}: {problems}"
        seen.add(f"{request['method']} {rules.family_of(request['path'])}")
    # The check covered every kind of call the pipeline and the client make.
    assert seen >= {
        "POST oauth",
        "POST jobs",
        "PUT candidates",
        "POST candidates",
        "GET candidates",
        "DELETE candidates",
        "PUT candidateNotes",
        "DELETE candidateNotes",
        "PUT applications",
        "DELETE applications",
        "PUT stages",
        "GET stages",
        "PUT applicationNotes",
        "PUT interviewFeedback",
    }
    assert all(
        r["status"] < 400 or r["method"] == "GET" for r in requests if r["path"] != "/oauth/v2/accessToken"
    )


class Rules:
    """The reference's rules for one API shape (``EXPECTED`` holds its paths, keys and renames)."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.expected = EXPECTED[version]
        self._paths = [
            (family, re.compile("^" + re.escape(path).replace(re.escape("{key}"), "(?P<key>[^/]+)") + "$"))
            for family, (path, _, _) in self.expected.items()
        ]

    def family_of(self, path: str) -> str:
        if path == "/oauth/v2/accessToken":
            return "oauth"
        return next((family for family, pattern in self._paths if pattern.match(path)), f"unknown {path}")

    def name(self, family: str, field: str) -> str:
        """A field's name on this shape (the pipeline's v2 name, renamed where the shape renames it)."""
        return self.expected[family][2].get(field, field)

    def check(self, request: dict[str, Any]) -> list[str]:
        method, path, headers = request["method"], request["path"], request["headers"]
        if path == "/oauth/v2/accessToken":
            form = dict(parse_qsl(request["body"]))
            ok = form.get("grant_type") == "client_credentials" and form.get("client_id")
            return [] if ok else ["token form"]
        problems = self.check_headers(method, path, headers)
        query = parse_qsl(request["query"], keep_blank_values=True)
        body = json.loads(request["body"]) if request["body"] else None
        family = self.family_of(path)
        if family == "jobs":
            elements = body["elements"] if body else []
            if len(elements) > 100:
                problems.append("more than 100 elements")
            for element in elements:
                problems += check_job(element)
            return problems
        if family in ("candidates", "applications"):
            problems += self.check_keys(family, query, body)
            for entity in (body or {}).get("entities", {}).values():
                if family == "candidates" and method == "PUT":
                    problems += self.check_candidate(entity)
                elif family == "candidates":
                    problems += check_member_patch(entity)
                else:
                    problems += self.check_application(entity)
            return problems
        match = next((p.match(path) for f, p in self._paths if f == family), None)
        if match is None:
            return [*problems, f"a path the reference does not have on {self.version}: {path}"]
        parent = "candidates" if family == "candidateNotes" else "applications"
        key = dict(part.split("=", 1) for part in unquote(match["key"]).split("&"))
        problems += self.key_problems(parent, key)
        ids = [value for name, value in query if name == "ids"]
        if not ids or len(ids) > 100:
            problems.append(f"{len(ids)} ids")
        if body is not None and set(body["entities"]) != set(ids):
            problems.append("ids in the query and entities in the body differ")
        for entity in (body or {}).get("entities", {}).values():
            problems += check_sub(family, entity)
        return problems

    def check_headers(self, method: str, path: str, headers: dict[str, str]) -> list[str]:
        problems: list[str] = []
        if headers.get("authorization") != "Bearer ***":
            problems.append("no bearer token")
        if headers.get("x-restli-protocol-version") != "2.0.0":
            problems.append("X-RestLi-Protocol-Version must be 2.0.0")
        version = headers.get("linkedin-version")
        if self.version == "v2" and version is not None:
            problems.append(f"LinkedIn-Version {version!r} on a v2 call")
        if self.version != "v2" and version != self.version:
            problems.append(f"LinkedIn-Version {version!r}, expected {self.version}")
        expected_method = {
            ("PUT", False): "batch_update",
            ("POST", True): "batch_create" if self.family_of(path) == "jobs" else "batch_partial_update",
        }.get((method, method == "POST"))
        if headers.get("x-restli-method") != expected_method:
            problems.append(
                f"x-restli-method {headers.get('x-restli-method')!r}, expected {expected_method!r}"
            )
        return problems

    def check_keys(self, family: str, query: list[tuple[str, str]], body: Any) -> list[str]:
        keys: dict[str, dict[str, str]] = {}
        for name, value in query:
            match = re.fullmatch(r"ids\[(\d+)\]\.(\w+)", name)
            if match is None:
                return [f"unexpected query parameter {name}"]
            keys.setdefault(match[1], {})[match[2]] = value
        problems = [p for key in keys.values() for p in self.key_problems(family, key)]
        if not keys or len(keys) > 100:
            problems.append(f"{len(keys)} keys in one call")
        if body is not None:
            in_body = {frozenset(unquote(k).split("&")) for k in body["entities"]}
            in_query = {frozenset(f"{f}={v}" for f, v in key.items()) for key in keys.values()}
            if in_body != in_query:
                problems.append("keys in the query and in the body differ")
        return problems

    def key_problems(self, family: str, key: dict[str, str]) -> list[str]:
        if set(key) != set(self.expected[family][1]):
            return [f"key fields {sorted(key)}, expected {sorted(self.expected[family][1])}"]
        if key.get("dataProvider", "ATS") != "ATS" or key["integrationContext"] != ORG:
            return ["dataProvider must be ATS and integrationContext the organization"]
        return []

    def check_candidate(self, entity: dict[str, Any]) -> list[str]:
        allowed = {self.name("candidates", f) for f in CANDIDATE_FIELDS}
        problems = [f"unknown field {f}" for f in set(entity) - allowed]
        problems += timestamps(
            entity,
            self.name("candidates", "atsCreatedAt"),
            self.name("candidates", "atsLastModifiedAt"),
            required=True,
        )
        return problems + check_candidate(entity)

    def check_application(self, entity: dict[str, Any]) -> list[str]:
        problems = [f"unknown field {f}" for f in set(entity) - APPLICATION_FIELDS]
        problems += timestamps(entity, "atsCreatedAt", "atsLastModifiedAt", required=True)
        return problems + check_application(entity)


def timestamps(
    entity: dict[str, Any], created_field: str, modified_field: str, *, required: bool
) -> list[str]:
    created, modified = entity.get(created_field), entity.get(modified_field)
    if required and (created is None or modified is None):
        return [f"{created_field} and {modified_field} are required"]
    problems = [f"{v} is not epoch ms > 0" for v in (created, modified) if v is not None and not v > 0]
    if created is not None and modified is not None and modified < created:
        problems.append(f"{modified_field} before {created_field}")
    return problems


def check_candidate(entity: dict[str, Any]) -> list[str]:
    """The candidate rules that read the same on both shapes (§3.4, §6.1)."""
    problems: list[str] = []
    if not entity.get("firstName"):
        problems.append("firstName is required")
    for name in ("addresses", "phoneNumbers"):
        if not isinstance(entity.get(name), list):
            problems.append(f"{name} must be present (maybe empty)")
    problems += [f"bad e-mail {e}" for e in entity.get("emailAddresses", []) if not EMAIL.fullmatch(e)]
    problems += ["phone without number" for p in entity.get("phoneNumbers", []) if not p.get("number")]
    return problems


def check_member_patch(entity: dict[str, Any]) -> list[str]:
    patch = entity.get("patch", {})
    if patch == {"$delete": ["manualMatchedMember"]}:
        return []
    member = patch.get("$set", {}).get("manualMatchedMember", "")
    return [] if re.fullmatch(r"urn:li:person:[\w-]+", member) else ["manualMatchedMember patch"]


def check_application(entity: dict[str, Any]) -> list[str]:
    """The application rules (§3.6, §6.1); its fields read the same on both shapes."""
    problems: list[str] = []
    for name in ("atsJobPostingId", "atsJobPostingName", "firstName"):
        if not entity.get(name):
            problems.append(f"{name} is required")
    if "candidateEmail" in entity and not EMAIL.fullmatch(entity["candidateEmail"]):
        problems.append("candidateEmail must be X@X.X")
    return problems


def check_sub(kind: str, entity: dict[str, Any]) -> list[str]:
    problems = timestamps(entity, "atsCreatedAt", "atsLastModifiedAt", required=False)
    if kind == "stages":
        problems += (
            []
            if entity.get("atsCreatedAt") and entity.get("stage")
            else ["stage needs atsCreatedAt and stage"]
        )
    for person in ("author", "interviewer"):
        if person in entity and not (entity[person].get("firstName") and entity[person].get("lastName")):
            problems.append(f"{person} needs firstName and lastName")
    return problems


def check_job(element: dict[str, Any]) -> list[str]:
    problems = [f"unknown field {f}" for f in set(element) - JOB_FIELDS]
    for name in (
        "integrationContext",
        "externalJobPostingId",
        "title",
        "description",
        "state",
        "availability",
    ):
        if not element.get(name):
            problems.append(f"{name} is required")
    if element.get("integrationContext") != ORG:
        problems.append("integrationContext must be the organization")
    if len(element.get("title", "")) > 200:
        problems.append("title over 200 characters")
    if not element.get("location") and not (element.get("countryCode") and element.get("postalCode")):
        problems.append("location, or countryCode and postalCode, is required")
    if element.get("state") not in ("LISTED", "CLOSED"):
        problems.append("state must be LISTED or CLOSED")
    if element.get("availability") not in ("PUBLIC", "PRIVATE_TO_ATS_INTEGRATION"):
        problems.append("availability must be PUBLIC or PRIVATE_TO_ATS_INTEGRATION")
    return problems
