"""LinkedIn's application limits in the sandbox: records a minute per app, calls a day per app and
family, each refusal with its rule and a wait that ends at the window's end; counted even when lifted."""

from __future__ import annotations

from sandbox.clock import DAY_MS, MINUTE_MS, ScaledClock
from sandbox.config import RateLimits
from sandbox.ratelimit import RateLimiter


def limiter(**limits: object) -> tuple[RateLimiter, ScaledClock]:
    clock = ScaledClock(start_ms=10 * DAY_MS + 30 * 1000)  # half a minute into a minute
    return RateLimiter(clock, RateLimits(**limits)), clock  # type: ignore[arg-type]


def test_records_over_the_minutes_budget_are_refused_until_the_next_minute() -> None:
    rates, clock = limiter(records_per_minute=100, calls_per_day=None)
    assert rates.admit("acme", "atsCandidates", 60) is None
    refusal = rates.admit("acme", "atsJobApplications", 50)  # the minute counts every family
    assert refusal is not None
    assert "APPLICATION MINUTE limit of 100 records is reached (60 used, this call has 50)" in refusal.message
    assert 29 <= refusal.retry_after_s <= 30
    assert rates.admit("globex", "atsCandidates", 100) is None  # another app has its own budget
    clock.advance(MINUTE_MS / 1000)
    assert rates.admit("acme", "atsCandidates", 100) is None


def test_calls_over_the_days_budget_are_refused_per_family_until_midnight() -> None:
    rates, _ = limiter(records_per_minute=None, calls_per_day=2)
    assert rates.admit("acme", "atsCandidates", 1) is None
    assert rates.admit("acme", "atsCandidates", 1) is None
    refusal = rates.admit("acme", "atsCandidates", 1)
    assert refusal is not None and "it resets at midnight UTC" in refusal.message
    assert rates.admit("acme", "atsJobApplications", 1) is None
    assert rates.snapshot()["throttled"] == {"acme": 1}


def test_lifted_limits_still_count_the_busiest_minute() -> None:
    rates, _ = limiter(records_per_minute=10, calls_per_day=1, enforce=False)
    for _ in range(3):
        assert rates.admit("acme", "atsCandidates", 8) is None
    snapshot = rates.snapshot()
    assert snapshot["max_records_per_window"] == {"acme": 24}
    assert snapshot["calls_today"] == {"acme atsCandidates": 3}
    rates.reset()
    assert rates.snapshot()["records_this_minute"] == {}
