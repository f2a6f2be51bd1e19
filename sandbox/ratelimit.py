"""LinkedIn's application rate limits: records a minute and calls a day per endpoint family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.clock import DAY_MS, MINUTE_MS, ScaledClock
from sandbox.config import RateLimits
from sandbox.rules import RATE_CALLS, RATE_RECORDS, Rule


@dataclass(frozen=True)
class Refusal:
    """Why a call was throttled, and how many real seconds to wait (``Retry-After``)."""

    message: str
    retry_after_s: int
    #: The budget the call went over.
    rule: Rule


class RateLimiter:
    """Fixed windows on the sandbox clock: the minute (records, per app across all families) and
    the UTC day (calls, per app and endpoint family), as reference §4 states them.

    Admitted calls are counted even when enforcement is off, so a test can lift the limits and still
    prove from ``max_records_per_window`` that its client never went over them.
    """

    def __init__(self, clock: ScaledClock, limits: RateLimits) -> None:
        self._clock = clock
        self.limits = limits
        self._minute: dict[str, tuple[int, int]] = {}
        self._day: dict[tuple[str, str], tuple[int, int]] = {}
        self._max_records: dict[str, int] = {}
        self._throttled: dict[str, int] = {}

    def admit(self, app: str, family: str, records: int) -> Refusal | None:
        now = self._clock.now_ms()
        minute, day = now // MINUTE_MS, now // DAY_MS
        minute_used = _in_window(self._minute.get(app), minute)
        day_used = _in_window(self._day.get((app, family)), day)
        limits = self.limits
        if limits.enforce:
            if limits.calls_per_day is not None and day_used + 1 > limits.calls_per_day:
                self._throttled[app] = self._throttled.get(app, 0) + 1
                return Refusal(
                    f"Resource level throttle APPLICATION DAY limit for calls to {family} is reached "
                    f"({limits.calls_per_day} calls a day); it resets at midnight UTC",
                    self._clock.retry_after((day + 1) * DAY_MS - now),
                    RATE_CALLS,
                )
            if limits.records_per_minute is not None and minute_used + records > limits.records_per_minute:
                self._throttled[app] = self._throttled.get(app, 0) + 1
                return Refusal(
                    f"APPLICATION MINUTE limit of {limits.records_per_minute} records is reached "
                    f"({minute_used} used, this call has {records})",
                    self._clock.retry_after((minute + 1) * MINUTE_MS - now),
                    RATE_RECORDS,
                )
        self._minute[app] = (minute, minute_used + records)
        self._day[(app, family)] = (day, day_used + 1)
        self._max_records[app] = max(self._max_records.get(app, 0), minute_used + records)
        return None

    def snapshot(self) -> dict[str, Any]:
        now = self._clock.now_ms()
        minute, day = now // MINUTE_MS, now // DAY_MS
        return {
            "limits": {
                "records_per_minute": self.limits.records_per_minute,
                "calls_per_day": self.limits.calls_per_day,
                "enforce": self.limits.enforce,
            },
            "max_records_per_window": dict(self._max_records),
            "records_this_minute": {app: _in_window(w, minute) for app, w in self._minute.items()},
            "calls_today": {f"{app} {family}": _in_window(w, day) for (app, family), w in self._day.items()},
            "throttled": dict(self._throttled),
        }

    def reset(self) -> None:
        self._minute.clear()
        self._day.clear()
        self._max_records.clear()
        self._throttled.clear()


def _in_window(entry: tuple[int, int] | None, window: int) -> int:
    return entry[1] if entry is not None and entry[0] == window else 0
