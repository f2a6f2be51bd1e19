"""Prospect interactions polled per seat and contract: ``conversationEvents`` (InMail history),
``mailStubs`` (contact details members shared) and ``prospectNotes``.

Each finder is read over one time window (at most 12 hours for conversationEvents and
prospectNotes) and every page of it. Items come back as LinkedIn sends them; turning them into
events (and refusing malformed ones) is the poll's job. ``calls`` counts what a read cost, for the
budget.
"""

from __future__ import annotations

from typing import Any

from linkedin.http import LinkedInHttp
from linkedin.restli import read_pages
from linkedin.versions import Family

#: Longest window LinkedIn accepts on conversationEvents and prospectNotes.
MAX_WINDOW_MS = 12 * 3_600_000


class Prospects:
    def __init__(self, http: LinkedInHttp) -> None:
        self._http = http

    def _read(self, family: Family, params: list[tuple[str, str]]) -> tuple[list[dict[str, Any]], int]:
        """Every page of the finder, its items in the pipeline's field names."""
        items, calls = read_pages(self._http, self._http.api.endpoint(family), params)
        shape = self._http.api.shape(family)
        return [shape.from_linkedin(item) for item in items], calls

    def conversation_events(
        self, viewer: str, start_ms: int, end_ms: int
    ) -> tuple[list[dict[str, Any]], int]:
        """InMail events the seat ``viewer`` can see, created in [start_ms, end_ms)."""
        _check_window(start_ms, end_ms)
        return self._read(
            Family.CONVERSATION_EVENTS,
            [
                ("q", "criteria"),
                ("viewer", viewer),
                ("timeRange.start", str(start_ms)),
                ("timeRange.end", str(end_ms)),
            ],
        )

    def mail_stubs(
        self, contract: str, owners: list[str], start_ms: int, end_ms: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Stubs owned by any of ``owners``, created in [start_ms, end_ms)."""
        _check_window(start_ms, end_ms)
        return self._read(
            Family.MAIL_STUBS,
            [
                ("q", "contract"),
                ("contract", contract),
                *(("owners", owner) for owner in owners),
                ("createdDateStart", str(start_ms)),
                ("createdDateEnd", str(end_ms)),
            ],
        )

    def prospect_notes(
        self, contract: str, owners: list[str], after_ms: int, until_ms: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Notes of ``owners`` last modified in (after_ms, until_ms]."""
        _check_window(after_ms, until_ms)
        return self._read(
            Family.PROSPECT_NOTES,
            [
                ("q", "criteria"),
                ("contract", contract),
                *(("owners", owner) for owner in owners),
                ("cutoffDate", str(after_ms)),
                ("beforeDate", str(until_ms)),
            ],
        )


def _check_window(start_ms: int, end_ms: int) -> None:
    if not 0 < end_ms - start_ms <= MAX_WINDOW_MS:
        raise ValueError(f"a poll window must be 1 ms to 12 h long, got {end_ms - start_ms} ms")
