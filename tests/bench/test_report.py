"""The benchmark report, run small on the real services: every section is there, every number is sane."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

from bench.measurement import Measurement, percentile, rate_between
from bench.report import QUICK, measure, write
from bench.results import Results

pytestmark = pytest.mark.slow

TINY = replace(
    QUICK, burst=20, paced=12, offered=50, deletions=10, members=20, backfill_records=100,
    bulk_matching=200, raw_messages=200, publisher_messages=200, paced_seconds=1, processes=1,
    threads=4, timeout=120, b_alone_seconds=1,
)  # fmt: skip


def test_percentile_and_rate() -> None:
    assert percentile([3.0, 1.0, 2.0, 4.0], 0.5) == 2.0
    assert percentile([3.0, 1.0, 2.0, 4.0], 0.99) == 4.0
    assert math.isnan(percentile([], 0.5))
    assert rate_between([10.0, 12.0, 11.0]) == (2, 2.0)
    with pytest.raises(ValueError):
        rate_between([1.0])


def _sane(m: Measurement, *, latencies: bool) -> None:
    assert m.events > 0 and m.seconds > 0 and m.per_second > 0, m
    if latencies:
        assert m.latencies and all(v >= 0 for v in m.latencies), m.label
        assert 0 <= m.p50_ms <= m.p99_ms, m.label
        assert m.offered is not None and m.offered > 0, m.label


def test_quick_report_on_sqlite(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path)) / "REPORT.md"
    results: Results = measure(TINY, ["sqlite"], quick=True, log=False)
    write(results, out)

    raw_publish, raw_consume, bare, batched, single = results.broker
    _sane(raw_publish, latencies=False)
    _sane(raw_consume, latencies=True)
    _sane(bare, latencies=True)
    _sane(batched, latencies=False)
    _sane(single, latencies=False)
    store = results.stores["sqlite"]
    _sane(store.commit_ceiling, latencies=True)
    assert [m.label for m in store.features] == [
        "profile export",
        "status push",
        "profile matching (per candidate event)",
        "deletion cascade",
    ]
    for feature in store.features:
        _sane(feature, latencies=True)
    for bulk in (store.backfill, store.matcher_in_memory, store.match_run):
        _sane(bulk, latencies=False)
    assert "peak RSS" in store.backfill.note

    text = out.read_text()
    for section in ("## Machine", "## How it is measured", "## Ceilings", "## Features", "## Plots"):
        assert section in text
    for fact in (
        "cores",
        "memory",
        "Python",
        "RabbitMQ",
        "SQLite",
        "load average at start",
        "load average at end",
    ):
        assert f"| {fact} |" in text
    features = text.split("## Features", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in features.splitlines() if line.startswith("| ") and "SQLite" in line]
    assert len(rows) == 6
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        rate, ratio = float(re.sub(r"[^\d.]", "", cells[2])), float(cells[3])
        assert rate > 0 and ratio > 0, row
    for plot in ("REPORT-rates.png", "REPORT-latency.png"):
        assert f"]({plot})" in text
        assert (out.parent / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
