"""Finder parameters shared by the pull endpoints: paging and time windows."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.gateway import ApiCall
from sandbox.restli import bad_request
from sandbox.rules import FINDER_PAGING, FINDER_WINDOW

#: Largest page a finder serves.
MAX_COUNT = 100
#: Longest polling window LinkedIn allows on InMail history and prospect notes.
MAX_WINDOW_MS = 12 * 3_600_000


@dataclass(frozen=True)
class Page:
    start: int
    count: int


def page(call: ApiCall, *, default_count: int = 10, start_required: bool = False) -> Page:
    start = call.int_param("start", default=0, required=start_required)
    count = call.int_param("count", default=default_count)
    assert start is not None and count is not None
    if start < 0:
        raise bad_request(f"start must be >= 0, got {start}", FINDER_PAGING)
    if not 0 <= count <= MAX_COUNT:
        raise bad_request(f"count must be between 0 and {MAX_COUNT}, got {count}", FINDER_PAGING)
    return Page(start, count)


def window(
    call: ApiCall,
    start_name: str,
    end_name: str,
    *,
    max_ms: int | None = MAX_WINDOW_MS,
    required: bool = True,
) -> tuple[int | None, int | None]:
    start = call.int_param(start_name, required=required)
    end = call.int_param(end_name, required=required)
    if start is not None and end is not None:
        if end <= start:
            raise bad_request(f"{end_name} ({end}) must be after {start_name} ({start})", FINDER_WINDOW)
        if max_ms is not None and end - start > max_ms:
            call.breach(
                FINDER_WINDOW,
                400,
                f"the window {start_name}..{end_name} is {(end - start) / 3_600_000:.1f} h; "
                f"at most {max_ms / 3_600_000:.0f} h are allowed, poll in shorter windows",
            )
    return start, end
