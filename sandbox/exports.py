"""One-Click Export: the export a recruiter makes in Recruiter, the push that announces it, and
the pull (``exportedCandidates``); also closed and purged exported members (§3.8, §5)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.responses import Response

from sandbox.apps import App
from sandbox.gateway import ApiCall
from sandbox.paging import page, window
from sandbox.pushes import PushType
from sandbox.restli import ApiError, bad_request, paged
from sandbox.rules import FINDER_Q
from sandbox.state import Sandbox

#: What an export carries about the member. It is more than the integration may keep (headline,
#: experience, education) so that tests can check the integration drops what it must not store.
EXPORTED_PROFILE_FIELDS = (
    "member",
    "firstName",
    "lastName",
    "headline",
    "location",
    "profileUrl",
    "currentPositions",
    "pastPositions",
    "educations",
)


def member_profile(sandbox: Sandbox, member: str) -> dict[str, Any] | None:
    row = sandbox.db.one("SELECT body FROM members WHERE member = ?", (member,))
    return json.loads(row["body"]) if row else None


def default_exporter(sandbox: Sandbox, app: App) -> str:
    for contract in app.contracts:
        row = sandbox.db.one(
            "SELECT body FROM seats WHERE contract = ? ORDER BY seat_id LIMIT 1", (contract,)
        )
        if row is not None:
            return str(json.loads(row["body"])["seat"])
    return "urn:li:seat:1"


def create_export(
    sandbox: Sandbox,
    app: App,
    *,
    external_job_posting_id: str,
    member: str | None = None,
    candidate: dict[str, Any] | None = None,
    exporter: str | None = None,
    push: bool = True,
) -> dict[str, Any]:
    """A recruiter exports ``member`` (seeded) or ``candidate`` (inline) into a job of ``app``'s org."""
    if app.organization is None:
        raise ValueError(f"app '{app.client_id}' has no organization; bind one first")
    profile = candidate
    if profile is None:
        if member is None:
            raise ValueError("an export needs a seeded 'member' or an inline 'candidate'")
        profile = member_profile(sandbox, member)
        if profile is None:
            raise ValueError(f"member {member!r} is not seeded; seed it or pass an inline 'candidate'")
    exported = {name: profile.get(name) for name in EXPORTED_PROFILE_FIELDS}
    exported["currentPositions"] = exported["currentPositions"] or []
    exported["pastPositions"] = exported["pastPositions"] or []
    exported["educations"] = exported["educations"] or []
    if not exported["member"]:
        raise ValueError("the exported candidate needs a 'member' person URN")
    request_id = str(uuid.uuid4())
    element = {
        "requestId": request_id,
        "integrationContext": app.organization,
        "externalJobPostingId": external_job_posting_id,
        "exporter": exporter or default_exporter(sandbox, app),
        "exportedAt": sandbox.clock.now_ms(),
        "candidate": exported,
    }
    sandbox.db.execute(
        "INSERT INTO exports (request_id, org, created_at, body) VALUES (?, ?, ?, ?)",
        (request_id, app.organization, element["exportedAt"], json.dumps(element)),
    )
    push_id = sandbox.pushes.push(app, PushType.EXPORT_CANDIDATE_PROFILE, request_id) if push else None
    return {"requestId": request_id, "pushId": push_id, "export": element}


def exports_of(sandbox: Sandbox, org: str) -> list[dict[str, Any]]:
    rows = sandbox.db.all("SELECT body FROM exports WHERE org = ? ORDER BY created_at", (org,))
    return [json.loads(row["body"]) for row in rows]


async def find_exported(call: ApiCall) -> Response:
    if call.param("q") != "request":
        raise bad_request("exportedCandidates supports the finder q=request&requestId=...", FINDER_Q)
    request_id = call.param("requestId", required=True)
    row = call.sandbox.db.one("SELECT org, body FROM exports WHERE request_id = ?", (request_id,))
    if row is None or row["org"] != call.organization:
        # Not a violation: the caller cannot know whose request id a push named, LinkedIn tells it.
        raise ApiError(404, f"no exported candidate with requestId {request_id!r} for this organization")
    return paged([json.loads(row["body"])], 0, 1, 1)


def add_purged(
    sandbox: Sandbox,
    org: str,
    member: str,
    purged_at: int | None = None,
    export_type: str = "ONE_CLICK_EXPORT",
) -> dict[str, Any]:
    element = {
        "member": member,
        "integrationContext": org,
        "exportType": export_type,
        "purgedAt": purged_at if purged_at is not None else sandbox.clock.now_ms(),
    }
    sandbox.db.execute(
        "INSERT INTO purged_candidates (org, purged_at, body) VALUES (?, ?, ?)",
        (org, element["purgedAt"], json.dumps(element)),
    )
    return element


async def find_purged(call: ApiCall) -> Response:
    query = call.param("q")
    if query not in (None, "criteria"):
        raise bad_request("atsPurgedExportedCandidates supports the finder q=criteria", FINDER_Q)
    start, end = window(call, "timeRange.start", "timeRange.end", max_ms=None, required=False)
    export_type = call.param("exportType")
    paging = page(call)
    rows = call.sandbox.db.all(
        "SELECT body FROM purged_candidates WHERE org = ? AND purged_at >= ? AND purged_at < ?"
        " ORDER BY purged_at, seq",
        (call.organization, start if start is not None else 0, end if end is not None else 2**62),
    )
    elements = [json.loads(row["body"]) for row in rows]
    if export_type is not None:
        elements = [e for e in elements if e["exportType"] == export_type]
    return paged(
        elements[paging.start : paging.start + paging.count], paging.start, paging.count, len(elements)
    )
