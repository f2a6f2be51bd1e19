"""What a benchmark run measured, per store, and which ceiling each feature is compared to."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.features import Sizes
from bench.isolation import Isolation
from bench.measurement import Measurement

DATABASES = ("postgresql", "sqlite")


DATABASE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


@dataclass
class StoreResults:
    commit_ceiling: Measurement
    features: list[Measurement]
    backfill: Measurement
    matcher_in_memory: Measurement
    match_run: Measurement


@dataclass
class Results:
    sizes: Sizes
    quick: bool
    facts: dict[str, str] = field(default_factory=dict)
    #: Raw RabbitMQ publish and consume, the bare actor, the publisher batched and one by one.
    broker: list[Measurement] = field(default_factory=list)
    stores: dict[str, StoreResults] = field(default_factory=dict)
    #: LinkedIn's budget for bulk traffic (records a second): the limit the backfill runs under.
    bulk_budget: float = 0.0
    seconds: float = 0.0
    #: Tenant B beside tenant A's flood (``bench.isolation``), when PostgreSQL was measured.
    isolation: Isolation | None = None


def ceiling_for(results: Results, database: str, measurement: Measurement) -> tuple[Measurement, str]:
    store = results.stores[database]
    if measurement is store.backfill:
        budget = Measurement("LinkedIn's bulk budget", 1, 1 / results.bulk_budget, unit="records")
        return budget, "LinkedIn's bulk budget (a limit, not measured)"
    if measurement is store.match_run:
        return store.matcher_in_memory, "matcher in memory, same data"
    return store.commit_ceiling, "bare actor, one commit, same store"


def feature_rows(results: Results) -> list[tuple[str, Measurement]]:
    rows = []
    for database, store in results.stores.items():
        for measurement in [*store.features, store.backfill, store.match_run]:
            rows.append((database, measurement))
    return rows
