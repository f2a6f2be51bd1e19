"""The benchmark harness's arithmetic: rates and their ratio to a ceiling, medians, latency percentiles."""

from __future__ import annotations

import pytest

from bench.harness import Latency, Rate, median


def test_a_rate_and_its_share_of_a_ceiling() -> None:
    feature, ceiling = Rate("export", 300, 10.0), Rate("bare actor", 1200, 10.0)
    assert feature.per_second == 30.0
    assert feature.ratio_to(ceiling) == 0.25


def test_median_and_latency_percentiles_in_milliseconds() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    latency = Latency("export", offered=10.0, seconds=[0.010, 0.020, 0.030, 0.040, 1.000])
    assert latency.p50_ms == pytest.approx(30.0)
    assert latency.p99_ms == pytest.approx(1000.0)
