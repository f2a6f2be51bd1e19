"""The plots of bench/REPORT.md: each feature's measurement beside its ceiling (matplotlib)."""

from __future__ import annotations

from pathlib import Path

from bench.results import DATABASE_NAMES, Results, ceiling_for, feature_rows


def plot(results: Results, directory: Path, stem: str) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    rows = feature_rows(results)
    figure, axis = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.5))
    labels = [f"{m.label} ({DATABASE_NAMES[db]})" for db, m in rows]
    ratios = [m.per_second / ceiling_for(results, db, m)[0].per_second for db, m in rows]
    colours = ["#4c72b0" if db == "postgresql" else "#dd8452" for db, _ in rows]
    bars = axis.barh(labels, ratios, color=colours)
    axis.bar_label(bars, labels=[f"{r:.2f}" for r in ratios], padding=3, fontsize=8)
    axis.axvline(1.0, color="black", linewidth=1)
    axis.set_xscale("log")
    axis.invert_yaxis()
    axis.set_xlabel("rate / ceiling's rate (log scale; 1 = the ceiling)")
    axis.set_title("Feature rates as a share of their ceilings")
    figure.tight_layout()
    names.append(f"{stem}-rates.png")
    figure.savefig(directory / names[-1], dpi=110)
    plt.close(figure)

    broker = [m for m in results.broker if m.latencies]
    figure, axes = plt.subplots(
        1, len(results.stores), figsize=(6.5 * len(results.stores), 5.5), sharex=True, squeeze=False
    )
    for axis, (db, store) in zip(axes[0], results.stores.items(), strict=True):
        for m in [*broker, store.commit_ceiling, *(f for f in store.features if f.latencies)]:
            values = sorted(v * 1000 for v in m.latencies)
            share = [(i + 1) / len(values) for i in range(len(values))]
            ceiling = m in broker or m is store.commit_ceiling
            axis.step(values, share, where="post", linestyle="--" if ceiling else "-", label=m.label)
        axis.set_xscale("log")
        axis.set_xlabel("publish to effect committed, ms (log scale)")
        axis.set_ylabel("share of events")
        axis.set_title(f"{DATABASE_NAMES[db]}: latency at the offered load (dashed: ceilings)", fontsize=10)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    names.append(f"{stem}-latency.png")
    figure.savefig(directory / names[-1], dpi=110)
    plt.close(figure)
    return names
