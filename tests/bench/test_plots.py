"""The report's two plots are drawn from a run's results: each feature's rate against its ceiling, and
the latency distributions, one panel per store."""

from __future__ import annotations

from pathlib import Path

from bench.measurement import Measurement
from bench.plots import plot
from bench.report import QUICK
from bench.results import Results, StoreResults, ceiling_for, feature_rows


def measured(label: str, per_second: float, *, latencies: bool = True) -> Measurement:
    return Measurement(
        label, int(per_second * 10), 10.0, [0.01, 0.02, 0.05] if latencies else [], offered=5.0
    )


def results() -> Results:
    store = StoreResults(
        commit_ceiling=measured("bare actor", 500),
        features=[measured("profile export", 120), measured("status push", 80)],
        backfill=measured("backfill", 30, latencies=False),
        matcher_in_memory=measured("matcher in memory", 2000, latencies=False),
        match_run=measured("match run", 900, latencies=False),
    )
    broker = [measured("raw RabbitMQ", 5000)]
    return Results(sizes=QUICK, quick=True, broker=broker, stores={"postgresql": store}, bulk_budget=83.0)


def test_each_feature_is_compared_to_its_own_ceiling() -> None:
    run = results()
    store = run.stores["postgresql"]
    assert [m.label for _, m in feature_rows(run)] == [
        "profile export",
        "status push",
        "backfill",
        "match run",
    ]
    assert ceiling_for(run, "postgresql", store.features[0])[0] is store.commit_ceiling
    assert ceiling_for(run, "postgresql", store.match_run)[0] is store.matcher_in_memory
    budget, why = ceiling_for(run, "postgresql", store.backfill)
    assert round(budget.per_second) == 83 and "a limit, not measured" in why


def test_both_plots_are_written(tmp_path: Path) -> None:
    names = plot(results(), tmp_path, "report")
    assert names == ["report-rates.png", "report-latency.png"]
    for name in names:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
