"""Recruiter prospect interactions the partner polls: seats, InMail history, InMail stub profiles
and prospect notes (§3.8). All are scoped to the customer app's contracts.

Items are stored in the sandbox's own shape and filtered, ordered and paged on it; only the page
served is written in the shape the ``undocumented_shapes`` setting asks for (``sandbox.shapes``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import Response

from sandbox import shapes
from sandbox.gateway import ApiCall
from sandbox.paging import Page, page, window
from sandbox.restli import ApiError, bad_request, paged

SEAT_URN = re.compile(r"urn:li:seat:(\d+)")
SEAT_STATES = ("ACTIVE", "INACTIVE", "INVITED", "PARKED")
#: LinkedIn's hosted-query cap on mailStubs results.
MAIL_STUB_RESULT_CAP = 20_000


def _require_finder(call: ApiCall, name: str, resource: str) -> None:
    if call.param("q") != name:
        raise bad_request(f"{resource} supports the finder q={name}")


def _served(call: ApiCall, kind: str, elements: list[dict[str, Any]], paging: Page) -> Response:
    """One page of ``elements`` (already filtered and ordered), each written in the shape the
    ``undocumented_shapes`` setting asks for."""
    chosen = elements[paging.start : paging.start + paging.count]
    items = shapes.serve(kind, chosen, call.sandbox.settings.undocumented_shapes)
    return paged(items, paging.start, paging.count, len(elements))


def _own_contract(call: ApiCall, contract: str) -> str:
    if contract not in call.customer.contracts:
        raise ApiError(403, f"contract {contract} is not one this application was authorized for")
    return contract


async def seats(call: ApiCall) -> Response:
    _require_finder(call, "attributes", "seatsV2")
    contracts = [_own_contract(call, c) for c in call.params("contracts")]
    if not contracts:
        raise bad_request("query parameter 'contracts' is required")
    states = call.params("states")
    for state in states:
        if state not in SEAT_STATES:
            raise bad_request(f"states must be among {', '.join(SEAT_STATES)}, got {state!r}")
    paging = page(call, start_required=True)
    rows = call.sandbox.db.all(
        f"SELECT body, state FROM seats WHERE contract IN ({','.join('?' * len(contracts))})"  # noqa: S608
        " ORDER BY seat_id",
        contracts,
    )
    elements = [json.loads(row["body"]) for row in rows if not states or row["state"] in states]
    return _served(call, "seatsV2", elements, paging)


async def conversation_events(call: ApiCall) -> Response:
    _require_finder(call, "criteria", "conversationEvents")
    viewer = call.param("viewer", required=True)
    seat = SEAT_URN.fullmatch(viewer or "")
    row = (
        call.sandbox.db.one("SELECT contract FROM seats WHERE seat_id = ?", (int(seat.group(1)),))
        if seat
        else None
    )
    if row is None or row["contract"] not in call.customer.contracts:
        raise ApiError(403, f"viewer {viewer} is not a seat on this application's contracts")
    start, end = window(call, "timeRange.start", "timeRange.end")
    thread = call.param("threadUrn")
    paging = page(call)
    rows = call.sandbox.db.all(
        "SELECT body, thread FROM conversation_events WHERE viewer = ? AND created >= ? AND created < ?"
        " ORDER BY created, id",
        (viewer, start, end),
    )
    elements = [json.loads(r["body"]) for r in rows if thread is None or r["thread"] == thread]
    return _served(call, "conversationEvents", elements, paging)


async def mail_stubs(call: ApiCall) -> Response:
    _require_finder(call, "contract", "mailStubs")
    contract = _own_contract(call, call.param("contract", required=True) or "")
    owners = set(call.params("owners"))
    if not owners:
        raise bad_request("query parameter 'owners' is required: always filter mailStubs by owner seats")
    start, end = window(call, "createdDateStart", "createdDateEnd", max_ms=None, required=False)
    paging = page(call)
    rows = call.sandbox.db.all(
        "SELECT body FROM mail_stubs WHERE contract = ? AND created >= ? AND created < ?"
        " ORDER BY created, id",
        (contract, start if start is not None else 0, end if end is not None else 2**62),
    )
    stubs = [stub for row in rows if owners & set((stub := json.loads(row["body"]))["owners"])]
    stubs = stubs[:MAIL_STUB_RESULT_CAP]
    return _served(call, "mailStubs", stubs, paging)


async def prospect_notes(call: ApiCall) -> Response:
    _require_finder(call, "criteria", "prospectNotes")
    contract = _own_contract(call, call.param("contract", required=True) or "")
    owners = set(call.params("owners"))
    cutoff, before = window(call, "cutoffDate", "beforeDate")
    paging = page(call)
    rows = call.sandbox.db.all(
        "SELECT body, owner FROM prospect_notes"
        " WHERE contract = ? AND last_modified > ? AND last_modified <= ?"
        " ORDER BY last_modified, id",
        (contract, cutoff, before),
    )
    notes = [json.loads(r["body"]) for r in rows if not owners or r["owner"] in owners]
    return _served(call, "prospectNotes", notes, paging)
