"""Recruiter prospect interactions the partner polls: seats, InMail history, InMail stub profiles
and prospect notes (§3.8), in both shapes. All are scoped to the customer app's contracts, and read
only once the customer enabled the contract's CSA_API integration (see ``sandbox.enablement``).

Items are stored in the sandbox's own shape and filtered, ordered and paged on it; only the page
served is written in the shape the ``undocumented_shapes`` setting asks for (``sandbox.item_shapes``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import Response

from sandbox import item_shapes
from sandbox.enablement import contract_enabled
from sandbox.gateway import ApiCall
from sandbox.paging import Page, page, window
from sandbox.restli import ApiError, bad_request, paged
from sandbox.rules import AUTH_SCOPE, ENABLEMENT_CONTRACT, FINDER_Q, FINDER_REQUIRED, FINDER_VALUE

SEAT_URN = re.compile(r"urn:li:seat:(\d+)")
SEAT_STATES = ("ACTIVE", "INACTIVE", "INVITED", "PARKED")
#: LinkedIn's hosted-query cap on mailStubs results.
MAIL_STUB_RESULT_CAP = 20_000


def _require_finder(call: ApiCall, name: str, resource: str) -> None:
    if call.param("q") != name:
        raise bad_request(f"{resource} supports the finder q={name}", FINDER_Q)


def _served(call: ApiCall, kind: str, elements: list[dict[str, Any]], paging: Page) -> Response:
    """One page of ``elements`` (already filtered and ordered), each written in the shape the
    ``undocumented_shapes`` setting asks for."""
    chosen = elements[paging.start : paging.start + paging.count]
    items = item_shapes.serve(kind, chosen, call.sandbox.settings.undocumented_shapes)
    return paged(items, paging.start, paging.count, len(elements))


def _own_contract(call: ApiCall, contract: str) -> str:
    """``contract`` if it is the app's and the customer enabled its CSA_API integration."""
    if contract not in call.customer.contracts:
        raise ApiError(
            403, f"contract {contract} is not one this application was authorized for", rule=AUTH_SCOPE
        )
    if not contract_enabled(call.sandbox, call.organization, contract):
        call.breach(
            ENABLEMENT_CONTRACT,
            403,
            f"the customer has not enabled the CSA_API integration of {contract}; prospect interactions "
            "are read only once it is enabled",
        )
    return contract


async def seats(call: ApiCall) -> Response:
    _require_finder(call, "attributes", "seatsV2")
    contracts = [_own_contract(call, c) for c in call.params("contracts")]
    if not contracts:
        raise bad_request("query parameter 'contracts' is required", FINDER_REQUIRED)
    states = call.params("states")
    for state in states:
        if state not in SEAT_STATES:
            raise bad_request(f"states must be among {', '.join(SEAT_STATES)}, got {state!r}", FINDER_VALUE)
    if call.param("start") is None:
        raise bad_request(
            "seatsV2 needs the query parameter 'start' (requests without it fail)", FINDER_REQUIRED
        )
    paging = page(call)
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
    if seat is None:
        raise bad_request(f"viewer must be a seat URN (urn:li:seat:N), got {viewer!r}", FINDER_VALUE)
    row = call.sandbox.db.one("SELECT contract FROM seats WHERE seat_id = ?", (int(seat.group(1)),))
    if row is None or row["contract"] not in call.customer.contracts:
        raise ApiError(403, f"viewer {viewer} is not a seat on this application's contracts", rule=AUTH_SCOPE)
    _own_contract(call, row["contract"])
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
        raise bad_request(
            "query parameter 'owners' is required: always filter mailStubs by owner seats", FINDER_REQUIRED
        )
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
