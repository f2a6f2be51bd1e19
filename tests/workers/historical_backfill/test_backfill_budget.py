"""How long a backfill phase takes on LinkedIn's real budget: whichever budget runs out slowest."""

from __future__ import annotations

import pytest

from rsc.settings import Settings
from workers.historical_backfill.budget import batch_calls, phase_seconds

SETTINGS = Settings(
    linkedin_records_per_minute=10_000, linkedin_calls_per_day=100_000, linkedin_bulk_share=0.5
)


def test_batch_calls_carry_a_hundred_records_each() -> None:
    assert [batch_calls(n) for n in (0, 1, 100, 101, 250)] == [0, 1, 1, 2, 3]


def test_the_records_a_minute_bound_a_phase_of_few_calls() -> None:
    # 50,000 records in 500 calls: 10 minutes at 5,000 records a minute; 500 calls are 864 s of the day.
    assert phase_seconds(50_000, [500], SETTINGS) == pytest.approx(864.0)
    assert phase_seconds(100_000, [10], SETTINGS) == pytest.approx(1_200.0)


def test_half_a_million_stage_calls_need_ten_days_whatever_the_speed() -> None:
    # One stage call per application: the stages family's daily budget is the bound (issue 17's figure).
    days = phase_seconds(600_000, [5_000, 500_000], SETTINGS) / 86_400
    assert days == pytest.approx(10.0)


def test_an_empty_phase_takes_no_time() -> None:
    assert phase_seconds(0, [0, 0], SETTINGS) == 0.0
