"""Fault injection: errors, throttling storms, latency and dropped connections."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict
from enum import StrEnum
from typing import Any

from sandbox.config import FaultSettings


class Fault(StrEnum):
    ERROR = "error"
    THROTTLE = "throttle"
    DROP = "drop"


class Faults:
    """Decides, call by call, whether to misbehave. Storms are timed in real seconds."""

    def __init__(self, settings: FaultSettings, seed: int | None = None) -> None:
        self.settings = settings
        self._random = random.Random(seed)  # noqa: S311 (dice for tests, not secrets)
        self._storm_until = 0.0

    def applies_to(self, path: str) -> bool:
        return path.startswith(self.settings.path_prefix)

    async def delay(self, path: str) -> None:
        s = self.settings
        if (s.latency_ms or s.latency_jitter_ms) and self.applies_to(path):
            await asyncio.sleep((s.latency_ms + self._random.uniform(0, s.latency_jitter_ms)) / 1000)

    def decide(self, path: str) -> Fault | None:
        if not self.applies_to(path):
            return None
        if self.storm_remaining_s() > 0:
            return Fault.THROTTLE
        s = self.settings
        roll = self._random.random()
        for fault, rate in (
            (Fault.DROP, s.drop_rate),
            (Fault.ERROR, s.error_rate),
            (Fault.THROTTLE, s.throttle_rate),
        ):
            if roll < rate:
                return fault
            roll -= rate
        return None

    def error_status(self) -> int:
        return self._random.choice((500, 503))

    def start_storm(self, seconds: float) -> None:
        self._storm_until = time.monotonic() + seconds

    def storm_remaining_s(self) -> float:
        return max(0.0, self._storm_until - time.monotonic())

    def update(self, changes: dict[str, Any]) -> None:
        known = asdict(self.settings)
        for name, value in changes.items():
            if name == "storm_s":
                self.start_storm(float(value))
                continue
            if name not in known:
                raise KeyError(f"unknown fault switch '{name}'; known: storm_s, {', '.join(sorted(known))}")
            if name.endswith("_rate") and not 0 <= float(value) <= 1:
                raise ValueError(f"fault switch '{name}' is a fraction between 0 and 1, got {value!r}")
            setattr(self.settings, name, type(known[name])(value))

    def clear(self) -> None:
        self.settings = FaultSettings()
        self._storm_until = 0.0

    def view(self) -> dict[str, Any]:
        return {**asdict(self.settings), "storm_remaining_s": round(self.storm_remaining_s(), 3)}
