"""Which lane an event takes: its feature queue's normal lane, or the bulk lane beside it.

An event goes to the bulk lane when its publisher says it belongs to a bulk import (``bulk=True``,
``rsc publish --bulk``), or when its tenant is over its burst budget: a token bucket per tenant that
holds ``RSC_BURST_EVENTS`` events and refills at ``RSC_BURST_EVENTS_PER_S``. A tenant publishing
within its budget keeps the normal lanes; the rest of a burst spills into the bulk lanes, where the
worker groups give it a bounded share of their threads, so the other tenants' events never queue
behind it. Each publisher process keeps its own buckets (docs/architecture.md, "Fair sharing").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class BurstBudget:
    """Per-tenant token buckets; thread-safe. ``take(tenant)`` is False once the tenant is over budget."""

    def __init__(self, events: int, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.events = events
        self.per_second = per_second
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, tenant: str) -> bool:
        """Spend one event of ``tenant``'s budget; False (nothing spent) when none is left."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(tenant)
            if bucket is None:
                bucket = self._buckets[tenant] = _Bucket(float(self.events), now)
            else:
                refill = (now - bucket.at) * self.per_second
                bucket.tokens = min(float(self.events), bucket.tokens + refill)
                bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return True
            return False

    def available(self, tenant: str) -> float:
        """Events ``tenant`` may still publish to the normal lanes right now."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(tenant)
            if bucket is None:
                return float(self.events)
            return min(float(self.events), bucket.tokens + (now - bucket.at) * self.per_second)
