"""``bench.isolation`` run small on the real services: every phase measured on both queues, each of
A's floods on a tenant of the same size, the section written. It runs the layout the Procfile ships
for these queues, a worker group per lane; the other end-to-end tests run groups of both lanes."""

from __future__ import annotations

import pytest

from bench.isolation import CONSUMERS, lines, run, shipped_bulk_threads
from bench.isolation_tenants import FLOODS_AFTER, FLOODS_BEFORE, FLOODS_BESIDE

pytestmark = pytest.mark.slow


def test_a_small_isolation_run_measures_both_tenants_in_every_phase() -> None:
    # The suite's other tests keep the cores busy: bulk groups at a lower priority (as shipped) would
    # crawl behind them, which is what the priority is for, and this small run would last minutes.
    result = run(
        60,
        threads=2,
        b_seconds=1.5,
        split=True,
        bulk_threads=1,
        backfill=300,
        backfill_seconds=30,
        RSC_BULK_LANE_NICE="0",
    )

    assert [q.queue for q in result.queues] == list(CONSUMERS)
    for q in result.queues:
        for b in (q.b_alone, q.b_beside):
            assert b.events >= 2 and all(v >= 0 for v in b.latencies) and 0 <= b.p50_ms <= b.p99_ms, b
        for a in (q.a_before, q.a_beside, q.a_after):
            assert a.events == 59 and a.per_second > 0, a  # the rate runs from the first handled to the last
    # Each flood lands on a tenant of its own holding only its warm-up (2 x 2 threads candidates): the
    # drain rates compare floods on tenants of one size. The store, every tenant's, grows by a flood
    # each time (and B's events beside the second), so the floods alone bracket the one beside B.
    before, beside, after = result.flood_starts
    assert (before.tenant, beside.tenant, after.tenant) == (FLOODS_BEFORE, FLOODS_BESIDE, FLOODS_AFTER)
    assert before.tenant_candidates == beside.tenant_candidates == after.tenant_candidates == 2 * 2
    assert beside.store_candidates == before.store_candidates + 60
    assert after.store_candidates >= beside.store_candidates + 60 + 2
    for q in result.queues:
        assert q.b_backfill is not None and q.b_backfill.events >= 2, q.b_backfill
    # A tenant of its own backfills: at most its history (all of it, if the run is done within the
    # 30 s B is measured).
    assert 0 < result.backfill_sent <= 300
    status, match = result.queues
    # The match follows the store: B's candidate is never matched before it is stored.
    assert match.b_alone.p50_ms >= status.b_alone.p50_ms
    text = "\n".join(lines(result))
    assert "## Tenant isolation" in text and "tenant B during A's flood" in text
    assert "tenant B during A's backfill" in text
    assert all(f"{q.b_p99_ratio:.2f}x" in text for q in result.queues)
    assert "one per lane" in text and "`--lanes bulk` with 1." in text
    assert "A2's against the mean of A1's and A3's" in text and "before each flood: 4, 4, 4;" in text
    for q in result.queues:
        mean = (q.a_before.per_second + q.a_after.per_second) / 2
        assert q.a_rate_ratio == pytest.approx(q.a_beside.per_second / mean)
        assert f"{q.a_rate_ratio:.0%} of its rate alone, {mean:,.0f}/s" in text


def test_the_bench_measures_the_bulk_groups_as_shipped_by_default() -> None:
    from pathlib import Path

    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text().splitlines()
    bulk = [line for line in procfile if "--lanes bulk" in line and any(q in line for q in CONSUMERS)]
    assert len(bulk) == len(CONSUMERS)
    assert {int(line.split("--threads ")[1].split()[0]) for line in bulk} == {shipped_bulk_threads()}
    # Smaller than the normal lanes' groups: a flood's threads leave the cores to the other tenants.
    normal = [line for line in procfile if "--lanes normal" in line]
    assert all(int(line.split("--threads ")[1].split()[0]) > shipped_bulk_threads() for line in normal)
