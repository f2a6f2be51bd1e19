"""The benchmark harness's arithmetic (rates and their ratio to a ceiling, medians, latency percentiles)
and how a bench waits for a phase's events (counted, on both stores)."""

from __future__ import annotations

import pytest

from bench.harness import Latency, Rate, median
from bench.measurement import inbox_count, wait_counted
from store.db import Store
from store.uow import UnitOfWork
from tests.helpers import create_tenant


def test_a_rate_and_its_share_of_a_ceiling() -> None:
    feature, ceiling = Rate("export", 300, 10.0), Rate("bare actor", 1200, 10.0)
    assert feature.per_second == 30.0
    assert feature.ratio_to(ceiling) == 0.25


def test_a_rate_that_kept_its_first_write_spans_from_it_to_its_last() -> None:
    assert Rate("stored", 100, 2.5, since=1_000.0).span == (1_000.0, 1_002.5)
    with pytest.raises(ValueError, match="did not keep when its first write was"):
        _ = Rate("stored", 100, 2.5).span


def test_median_and_latency_percentiles_in_milliseconds() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    latency = Latency("export", offered=10.0, seconds=[0.010, 0.020, 0.030, 0.040, 1.000])
    assert latency.p50_ms == pytest.approx(30.0)
    assert latency.p99_ms == pytest.approx(1000.0)


def test_a_phase_is_waited_for_by_counting_its_ids_common_prefix(store: Store) -> None:
    """Only the phase's events count (another phase's, a LIKE wildcard in the prefix and another
    consumer's do not), and the wait ends once every key is handled."""
    create_tenant("bench")
    with UnitOfWork("bench", store) as uow:
        uow.inbox.record_all("status_push", [("ats://bench", f"evt-A_{n}") for n in range(3)])
        uow.inbox.record_all("status_push", [("ats://bench", "evt-W-0"), ("ats://bench", "evt-AB1")])
        uow.inbox.record_all("profile_match", [("ats://bench", "evt-A_3")])
        uow.commit()
    assert inbox_count("bench", "status_push", "evt-A_") == 3
    assert inbox_count("bench", "profile_match", "evt-A_") == 1
    keys = {f"evt-A_{n}" for n in range(3)}
    wait_counted("bench", "status_push", keys, timeout=5, interval=0.01, what="the phase")
    with pytest.raises(TimeoutError, match="3 of 4"):
        wait_counted("bench", "status_push", {*keys, "evt-A_3"}, timeout=0.05, interval=0.01, what="more")
