"""The benchmark report: every feature next to its ceiling, measured in one run, written as markdown.

    python -m bench.report [--quick] [--out bench/REPORT.md] [--databases postgresql,sqlite]

One run measures, on the same services and machine (``make bench`` runs the full form):

- the ceilings: raw RabbitMQ publish and consume, a bare Dramatiq actor, the same actor with one
  one-row commit (per store), the publisher with pipelined and with one-by-one confirms, the matcher
  in memory;
- per feature and store: events a second at saturation and p50/p99 publish-to-commit latency at an
  offered load, each as a ratio to its ceiling (``bench.features`` says what each feature does);
- the historical backfill's records a second and peak memory, and ``rsc match run`` on a store;
- tenant isolation (``bench.isolation``, PostgreSQL): a tenant's latency alone and during another
  tenant's unmarked flood and during its backfill, and the flood's drain rate alone and beside it.

The report goes to ``--out`` with its plots (PNG) next to it. ``--quick`` is a small version: about
40 s of CPU, most of it starting databases and processes, so a few minutes on a busy machine.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench.features import Sizes
from bench.machine import load_average, machine_facts, service_versions
from bench.measurement import Measurement
from bench.plots import plot
from bench.results import DATABASE_NAMES, DATABASES, Results, StoreResults, ceiling_for, feature_rows

#: Sizes of the full run (``make bench``) and of ``--quick``.
FULL = Sizes(
    burst=1000, paced=1000, offered=100, deletions=200, members=2000, backfill_records=3000,
    bulk_matching=10_000, raw_messages=20_000, publisher_messages=10_000, paced_seconds=15,
)  # fmt: skip
QUICK = Sizes(
    burst=100, paced=100, offered=100, deletions=30, members=200, backfill_records=500, bulk_matching=1_000,
    raw_messages=2_000, publisher_messages=2_000, paced_seconds=3, flood=1_000, b_alone_seconds=3,
)  # fmt: skip


# -- running ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _lifted_budgets() -> Iterator[None]:
    from bench.features import lifted_budgets

    saved = lifted_budgets()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _broker_ceilings(pipeline: object, sizes: Sizes) -> list[Measurement]:
    from bench import ceilings
    from bench.export_throughput import measure_publisher
    from tests.e2e.pipeline import Pipeline

    assert isinstance(pipeline, Pipeline)
    publish, consume = ceilings.raw_rabbitmq(
        pipeline.env["RSC_BROKER_URL"], sizes.raw_messages, sizes.paced, sizes.offered
    )
    bare = ceilings.measure_actor(
        pipeline, commit=False, events=sizes.burst, paced=sizes.paced, offered=sizes.offered,
        processes=sizes.processes, threads=sizes.threads, timeout=sizes.timeout,
        paced_seconds=sizes.paced_seconds,
    )  # fmt: skip
    batched, single = measure_publisher(sizes.publisher_messages)
    return [
        publish,
        consume,
        bare,
        Measurement(f"publisher, {batched.label}", batched.events, batched.seconds),
        Measurement(f"publisher, {single.label}", single.events, single.seconds),
    ]


def measure(sizes: Sizes, databases: list[str], quick: bool, log: bool = True) -> Results:
    from bench import ceilings, features
    from bench.harness import bench_pipeline
    from rsc.settings import Settings

    def say(text: str) -> None:
        if log:
            print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    started = time.monotonic()
    results = Results(sizes, quick)
    results.facts = machine_facts()
    results.facts["load average at start"] = load_average()
    defaults = Settings.model_fields
    per_minute = defaults["linkedin_records_per_minute"].default
    results.bulk_budget = per_minute * defaults["linkedin_bulk_share"].default / 60
    dedicated_backfill = importlib.util.find_spec("bench.backfill") is not None
    with _lifted_budgets():
        for database in databases:
            with bench_pipeline(database, RSC_LOG_LEVEL="WARNING") as pipeline:
                results.facts.update(service_versions(pipeline.env["RSC_BROKER_URL"], database))
                if not results.broker:
                    say("raw RabbitMQ, the bare actor, the publisher")
                    results.broker = _broker_ceilings(pipeline, sizes)
                say(f"{database}: the bare actor with one commit")
                commit = ceilings.measure_actor(
                    pipeline, commit=True, events=sizes.burst, paced=sizes.paced, offered=sizes.offered,
                    processes=sizes.processes, threads=sizes.threads, timeout=sizes.timeout,
                    paced_seconds=sizes.paced_seconds,
                )  # fmt: skip
                say(f"{database}: preparing exports, members, synced candidates")
                exports, deleted = features.prepare(pipeline, sizes)
                say(f"{database}: export, status push, matching, deletion")
                measured = features.measure_features(pipeline, sizes, exports, deleted)
                if not dedicated_backfill:
                    say(f"{database}: historical backfill (in this pipeline)")
                    backfill = features.measure_backfill(pipeline, sizes)
            if dedicated_backfill:
                say(f"{database}: historical backfill (bench.backfill)")
                measured_backfill = features.measure_dedicated_backfill(database, sizes.backfill_records)
                assert measured_backfill is not None
                backfill = measured_backfill
            say(f"{database}: bulk matching")
            in_memory, match_run = features.measure_bulk_matching(database, sizes.bulk_matching)
            results.stores[database] = StoreResults(commit, measured, backfill, in_memory, match_run)
    if "postgresql" in databases:
        from bench import isolation

        say(f"postgresql: tenant isolation, a flood of {sizes.flood:,} (bench.isolation)")
        results.isolation = isolation.run(
            sizes.flood,
            threads=sizes.threads,
            b_seconds=sizes.b_alone_seconds,
            split=True,
            backfill=sizes.flood,
        )
    results.facts["load average at end"] = load_average()
    results.seconds = time.monotonic() - started
    return results


# -- the report ---------------------------------------------------------------------------------------


def _n(value: float) -> str:
    if value != value:  # NaN
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def _ms(value: float) -> str:
    return "—" if value != value else f"{value:,.1f}"


def _ratio(value: float, ceiling: float) -> str:
    if value != value or ceiling != ceiling or ceiling == 0:
        return "—"
    return f"{value / ceiling:.2f}"


def render(results: Results, plots: list[str]) -> str:
    lines = [
        *_introduction(results),
        *_ceilings(results),
        *_features(results),
        "",
        *_feature_notes(results),
        "",
    ]
    if results.isolation is not None:
        from bench.isolation import lines as isolation_lines

        lines += isolation_lines(results.isolation)
    if plots:
        lines += ["## Plots", ""]
        lines += [f"![{name}]({name})" for name in plots]
        lines.append("")
    return "\n".join(lines)


def _introduction(results: Results) -> list[str]:
    sizes = results.sizes
    return [
        "# Benchmark report",
        "",
        "Written by `python -m bench.report"
        + (" --quick" if results.quick else "")
        + f"` (`make bench`) in {results.seconds / 60:.1f} minutes; every figure below was measured in "
        "that one run, on the machine described here, against local PostgreSQL and RabbitMQ, the "
        "LinkedIn sandbox (limits lifted) and the pipeline's processes, all on the same machine.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in results.facts.items()),
        "",
        "## How it is measured",
        "",
        f"- **Rate** (events a second): {sizes.burst:,} events published at once to a warm worker group "
        f"({sizes.processes} processes x {sizes.threads} threads, as `rsc worker`), counted from the first "
        "effect written to the last, so start-up is not counted.",
        f"- **Latency** (p50, p99): up to {sizes.paced:,} more events (for at most "
        f"{sizes.paced_seconds:g} s) published at a steady offered load ({sizes.offered:g} a second, "
        "or half the measurement's own rate if that is lower, so the latency is not a backlog), "
        "from the publish to the effect written in the transaction that "
        "commits it: the inbox row's `processed_at` for the features, the row's own time for the "
        "committing actor, a line the bare actor appends (one `write`) for it, the time the consumer "
        "received it for raw RabbitMQ. The publish time includes the publish itself (with confirms).",
        "- **Ratio**: a rate divided by its ceiling's rate (1.00: as fast as the ceiling); a latency "
        "divided by its ceiling's latency (1.00: no slower). Features are compared with the bare "
        "actor committing one row on the same store: the ratio is the cost of the feature's own work. "
        "A latency ratio compares the loads in the `at /s` columns, which differ where a feature is "
        "slower than its ceiling; a ratio below 1 there means a lighter load, not a faster path.",
        "- Other work on the machine shares its cores: the load averages above say how much.",
        "",
    ]


def _ceilings(results: Results) -> list[str]:
    lines = [
        "## Ceilings",
        "",
        "| ceiling | events | events/s | p50 ms | p99 ms | at /s | ratio |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    raw_publish, raw_consume, bare, batched, single = results.broker
    ratios = {
        bare.label: f"{_ratio(bare.per_second, raw_consume.per_second)} of raw consume",
        batched.label: f"{_ratio(batched.per_second, raw_publish.per_second)} of raw publish",
        single.label: f"{_ratio(single.per_second, batched.per_second)} of batched confirms",
    }
    ceilings = [raw_publish, raw_consume, bare]
    for database, store in results.stores.items():
        commit = store.commit_ceiling
        commit_labelled = Measurement(
            f"{commit.label}, {DATABASE_NAMES[database]}", commit.events, commit.seconds,
            commit.latencies, commit.offered,
        )  # fmt: skip
        ratios[commit_labelled.label] = f"{_ratio(commit.per_second, bare.per_second)} of the bare actor"
        ceilings.append(commit_labelled)
    ceilings += [batched, single]
    first = next(iter(results.stores.values()), None)
    if first is not None:
        ceilings.append(first.matcher_in_memory)
    for m in ceilings:
        offered = _n(m.offered) if m.offered else "—"
        lines.append(
            f"| {m.label} | {m.events:,} | {_n(m.per_second)} | {_ms(m.p50_ms)} | {_ms(m.p99_ms)} | "
            f"{offered} | {ratios.get(m.label, '')} |"
        )
    lines.append(
        f"| LinkedIn's bulk budget (limit, not measured) | | {_n(results.bulk_budget)} records/s | | | | "
        "the backfill's ceiling in production |"
    )
    return lines


def _features(results: Results) -> list[str]:
    lines = [
        "",
        "## Features",
        "",
        "| feature | store | events/s | of ceiling | p50 ms | x ceiling | p99 ms | x ceiling | at /s "
        "| ceiling | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for database, m in feature_rows(results):
        ceiling, ceiling_name = ceiling_for(results, database, m)
        unit = "" if m.unit == "events" else f" {m.unit}/s"
        lines.append(
            f"| {m.label} | {DATABASE_NAMES[database]} | {_n(m.per_second)}{unit} | "
            f"{_ratio(m.per_second, ceiling.per_second)} | {_ms(m.p50_ms)} | "
            f"{_ratio(m.p50_ms, ceiling.p50_ms)} | {_ms(m.p99_ms)} | {_ratio(m.p99_ms, ceiling.p99_ms)} | "
            f"{_n(m.offered) if m.offered else '—'} | {ceiling_name} | {m.note} |"
        )
    return lines


def _feature_notes(results: Results) -> list[str]:
    sizes = results.sizes
    return [
        "What each feature row does (`bench/features.py`):",
        "",
        "- **profile export**: `linkedin.export.requested` for exports waiting in the sandbox; each is "
        "fetched from LinkedIn over HTTP and the candidate, application and export record written.",
        "- **status push**: `ats.application.status_changed` spread over 50 applications, each stored "
        "in order with its stage and marked in the outbox; the push to LinkedIn is the outbox sweep's, "
        "batched on purpose (`bench/RESULTS.md` has its calls per change).",
        "- **profile matching (per candidate event)**: `ats.candidate.created`, stored by `status_push` "
        f"and matched by `profile_match` against {sizes.members:,} members; latency ends at the match, "
        "which starts once `status_push` has stored the candidate (the follow-up message it sends after "
        "the commit).",
        f"- **deletion cascade**: `ats.candidate.deleted` for {sizes.deletions:,} candidates with two "
        "applications synced to LinkedIn; latency ends at the erasure's commit (LinkedIn's deletes "
        "follow in the same message, and count in the rate).",
        *_backfill_note(results),
        f"- **rsc match run**: the bulk matcher over {sizes.bulk_matching:,} candidates x "
        f"{sizes.bulk_matching:,} members of the hard labelled data (`bench/matching_data.py`) on a "
        "fresh store, against the same data matched in memory.",
        "- InMail and prospect note sync are polled, so their freshness is set by the poll planner, not "
        "by throughput: `python -m bench.prospect_polling` measures it (`bench/RESULTS.md`).",
    ]


def _backfill_note(results: Results) -> list[str]:
    backfills = [store.backfill for store in results.stores.values()]
    if backfills and all("bench.backfill" in m.label for m in backfills):
        how = (
            f"`bench.backfill.measure_backfill`: a history of {results.sizes.backfill_records:,} records "
            "(jobs, candidates, applications with stages, notes) written into a fresh store, then "
            "`rsc backfill start` and one `historical_backfill` worker (one process, the Procfile's "
            "threads), the sandbox's limits lifted; peak resident set of the worker's processes."
        )
    else:
        how = (
            "a sync run of everything the tenant's store holds after the rows above, by one "
            "`historical_backfill` worker process with one thread and the client's budget lifted; "
            "rate from the run's start to its end, peak resident set of the worker's processes."
        )
    return [
        f"- **historical backfill**: {how} In production it runs within LinkedIn's bulk budget, the "
        "ceiling of its ratio."
    ]


def write(results: Results, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    plots = plot(results, out.parent, out.stem)
    out.write_text(render(results, plots) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a small version (about 40 s of CPU)")
    parser.add_argument("--out", type=Path, default=Path("bench/REPORT.md"))
    parser.add_argument("--databases", default=",".join(DATABASES), help="comma-separated: postgresql,sqlite")
    args = parser.parse_args(argv)
    databases = [d for d in args.databases.split(",") if d]
    unknown = set(databases) - set(DATABASES)
    if unknown:
        parser.error(f"unknown database {sorted(unknown)}; choose among {', '.join(DATABASES)}")
    results = measure(QUICK if args.quick else FULL, databases, args.quick)
    write(results, args.out)
    print(f"report written to {args.out}")


if __name__ == "__main__":
    main()
