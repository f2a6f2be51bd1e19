"""The sandbox clock: wall-clock time, optionally running faster than real time."""

from __future__ import annotations

import math
import time

MINUTE_MS = 60_000
DAY_MS = 86_400_000


class ScaledClock:
    """Sandbox time in epoch milliseconds, running ``scale`` times faster than real time.

    Rate-limit windows, day boundaries, token expiry and job-task completion all read this clock,
    so ``scale=60`` turns a one-minute window into one real second. Anything a client must wait for
    (``Retry-After``, ``expires_in``) is converted back to real seconds with :meth:`to_real_seconds`.
    """

    def __init__(self, scale: float = 1.0, start_ms: int | None = None) -> None:
        if scale <= 0:
            raise ValueError(f"clock scale must be positive, got {scale}")
        self._scale = scale
        self._base_ms = float(start_ms if start_ms is not None else time.time() * 1000)
        self._base_monotonic = time.monotonic()

    @property
    def scale(self) -> float:
        return self._scale

    def now_ms(self) -> int:
        elapsed_real = time.monotonic() - self._base_monotonic
        return int(self._base_ms + elapsed_real * 1000 * self._scale)

    def set_scale(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError(f"clock scale must be positive, got {scale}")
        self._rebase(self.now_ms())
        self._scale = scale

    def set_now(self, now_ms: int) -> None:
        self._rebase(now_ms)

    def advance(self, seconds: float) -> None:
        self._rebase(self.now_ms() + int(seconds * 1000))

    def to_real_seconds(self, sandbox_ms: float) -> float:
        return sandbox_ms / 1000 / self._scale

    def retry_after(self, sandbox_ms: float) -> int:
        """Whole real seconds (at least 1) a client should wait for ``sandbox_ms`` to pass."""
        return max(1, math.ceil(self.to_real_seconds(sandbox_ms)))

    def _rebase(self, now_ms: float) -> None:
        self._base_ms = float(now_ms)
        self._base_monotonic = time.monotonic()
