"""Batch calls in flight, per app and endpoint family: LinkedIn asks for batches sent one after the
other (reference §4), so a batch that starts while another of the same app and family is still
being served is a violation. Meaningful when latency is injected, as real round trips take time."""

from __future__ import annotations


class InFlightBatches:
    def __init__(self) -> None:
        self._open: dict[tuple[str, str], int] = {}

    def enter(self, app: str, family: str) -> int:
        """Count one more batch in flight; answers how many were in flight before it."""
        before = self._open.get((app, family), 0)
        self._open[(app, family)] = before + 1
        return before

    def leave(self, app: str, family: str) -> None:
        left = self._open.get((app, family), 1) - 1
        if left:
            self._open[(app, family)] = left
        else:
            self._open.pop((app, family), None)
