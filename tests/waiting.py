"""Waiting in tests for something another thread or process does: one ``eventually``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class TimedOut(AssertionError):
    """What was waited for did not happen in time."""


def eventually(
    check: Callable[[], T | None], *, timeout: float = 30.0, interval: float = 0.05, what: str = ""
) -> T:
    """Call ``check`` every ``interval`` seconds until it returns something truthy, and return that;
    raise ``TimedOut`` naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise TimedOut(f"timed out after {timeout}s waiting for {what or check!r} (last: {last!r})")
        time.sleep(interval)
