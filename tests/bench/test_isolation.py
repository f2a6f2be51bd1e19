"""``bench.isolation`` run small on the real services: every phase measured, the section written."""

from __future__ import annotations

import pytest

from bench.isolation import lines, run

pytestmark = pytest.mark.slow


def test_a_small_isolation_run_measures_both_tenants_in_every_phase() -> None:
    result = run(60, threads=2, b_seconds=1.5)

    for b in (result.b_alone, result.b_beside):
        assert b.events >= 2 and all(v >= 0 for v in b.latencies) and 0 <= b.p50_ms <= b.p99_ms, b
    for a in (result.a_alone, result.a_beside):
        assert a.events == 59 and a.per_second > 0, a  # the rate runs from the first stored to the last
    text = "\n".join(lines(result))
    assert "## Tenant isolation" in text and "tenant B during A's flood" in text
    assert f"{result.b_p99_ratio:.2f}x" in text
