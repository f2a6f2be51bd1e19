"""How long a backfill's phases take on LinkedIn's real budget (reference §4): the records a minute
and the calls a day per endpoint family, at the bulk share the backfill may spend."""

from __future__ import annotations

import math
from collections.abc import Iterable

from linkedin.ratelimit import DAY_S, MINUTE_S, RateLimits
from rsc.settings import Settings

#: Records per batch call: LinkedIn's largest batch.
BATCH = 100


def phase_seconds(records: int, calls: Iterable[int], settings: Settings) -> float:
    """Seconds a phase needs for ``records`` LinkedIn records (stages included) and its calls per
    endpoint family (each family has its own daily budget), whichever budget runs out slowest.

    Real time, whatever clock scale a sandbox runs at: this is what LinkedIn itself would allow.
    """
    limits = RateLimits.from_settings(settings)
    per_minute = limits.records_per_minute * limits.bulk_share
    per_day = limits.calls_per_day * limits.bulk_share
    if records and not per_minute:
        return math.inf
    busiest = max([0, *calls])
    if busiest and not per_day:
        return math.inf
    by_records = records / per_minute * MINUTE_S if records else 0.0
    by_calls = busiest / per_day * DAY_S if busiest else 0.0
    return max(by_records, by_calls)


def batch_calls(records: int) -> int:
    return math.ceil(records / BATCH)
