"""Finder paging and time windows as the strict sandbox reads them: pages of at most 100 from a start at
or after 0, a window that ends after it starts and spans at most 12 hours (served, and recorded, only
in lenient mode)."""

from __future__ import annotations

from typing import cast

import pytest
from starlette.requests import Request

from sandbox.gateway import ApiCall
from sandbox.paging import MAX_WINDOW_MS, Page, page, window
from sandbox.restli import ApiError, parse_query
from sandbox.state import Sandbox
from sandbox.violations import Breaches


def call(sandbox: Sandbox, query: str) -> ApiCall:
    return ApiCall(sandbox, cast(Request, None), None, parse_query(query), None, b"", Breaches())


def test_a_page_defaults_and_bounds(sandbox: Sandbox) -> None:
    assert page(call(sandbox, "q=criteria")) == Page(0, 10)
    assert page(call(sandbox, "start=20&count=100")) == Page(20, 100)
    for query, message in (
        ("start=-1", "start must be >= 0"),
        ("count=101", "count must be between 0 and 100"),
    ):
        with pytest.raises(ApiError, match=message):
            page(call(sandbox, query))
    with pytest.raises(ApiError, match="query parameter 'start' is required"):
        page(call(sandbox, "count=5"), start_required=True)
    with pytest.raises(ApiError, match="must be an integer"):
        page(call(sandbox, "count=ten"))


def test_a_window_ends_after_it_starts_and_spans_at_most_twelve_hours(sandbox: Sandbox) -> None:
    assert window(call(sandbox, "from=0&to=1000"), "from", "to") == (0, 1000)
    assert window(call(sandbox, "q=x"), "from", "to", required=False) == (None, None)
    with pytest.raises(ApiError, match=r"to \(5\) must be after from \(5\)"):
        window(call(sandbox, "from=5&to=5"), "from", "to")
    with pytest.raises(ApiError, match="at most 12 h are allowed, poll in shorter windows"):
        window(call(sandbox, f"from=0&to={MAX_WINDOW_MS + 1}"), "from", "to")


def test_a_long_window_is_served_and_recorded_in_lenient_mode(sandbox: Sandbox) -> None:
    sandbox.settings.strict = False
    lenient = call(sandbox, f"from=0&to={MAX_WINDOW_MS * 2}")
    assert window(lenient, "from", "to") == (0, MAX_WINDOW_MS * 2)
    [(rule, detail, refused, _)] = lenient.breaches.summaries()
    assert (rule.id, refused) == ("finder.window", False)
    assert "served: lenient mode" in detail
