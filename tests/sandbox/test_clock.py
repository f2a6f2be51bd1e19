"""The sandbox clock: epoch milliseconds that may run faster than real time, set and advanced by the
control API, with waits converted back to whole real seconds for ``Retry-After``."""

from __future__ import annotations

import pytest

from sandbox.clock import DAY_MS, MINUTE_MS, ScaledClock


def test_a_clock_starts_where_it_is_told_and_advances() -> None:
    clock = ScaledClock(start_ms=1_000_000)
    assert 1_000_000 <= clock.now_ms() < 1_000_000 + 5_000
    clock.set_now(5 * DAY_MS)
    clock.advance(90)
    assert 5 * DAY_MS + 90_000 <= clock.now_ms() < 5 * DAY_MS + 95_000


def test_a_faster_clock_turns_sandbox_waits_into_shorter_real_ones() -> None:
    clock = ScaledClock(scale=60, start_ms=0)
    assert clock.to_real_seconds(MINUTE_MS) == 1.0
    assert clock.retry_after(MINUTE_MS * 2.5) == 3  # rounded up
    assert clock.retry_after(1) == 1  # never zero
    clock.set_scale(1)
    assert clock.scale == 1 and clock.retry_after(MINUTE_MS) == 60


@pytest.mark.parametrize("scale", [0, -1])
def test_a_clock_never_stops_or_runs_backwards(scale: float) -> None:
    with pytest.raises(ValueError, match="clock scale must be positive"):
        ScaledClock(scale=scale)
    with pytest.raises(ValueError, match="clock scale must be positive"):
        ScaledClock().set_scale(scale)
