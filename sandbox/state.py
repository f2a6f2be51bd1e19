"""The sandbox: every part of its state, built once per app from a :class:`SandboxConfig`."""

from __future__ import annotations

import asyncio
from typing import Any

from sandbox.apps import App, AppRegistry
from sandbox.clock import ScaledClock
from sandbox.config import SandboxConfig
from sandbox.db import DATA_TABLES, Database
from sandbox.faults import Faults
from sandbox.inflight import InFlightBatches
from sandbox.metrics import Metrics
from sandbox.pushes import PushDispatcher
from sandbox.ratelimit import RateLimiter
from sandbox.records import Records
from sandbox.violations import Violations


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.settings = config.settings
        self.clock = ScaledClock(config.clock_scale, config.clock_start_ms)
        self.db = Database(config.db_path)
        self.apps = AppRegistry(self.db, self.clock, config.parent_client_id, config.parent_client_secret)
        self.records = Records(self.db, self.clock)
        self.limiter = RateLimiter(self.clock, config.limits)
        self.faults = Faults(config.faults, config.seed)
        self.metrics = Metrics(config.settings.request_log_size)
        self.pushes = PushDispatcher(self.db, self.clock, self.settings)
        self.violations = Violations()
        self.batches = InFlightBatches()
        self._background: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        await self.pushes.start()

    async def stop(self) -> None:
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.pushes.stop()

    def in_background(self, coroutine: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def check_callback(self, app: App, url: str) -> dict[str, Any]:
        """Run the challenge against ``url`` and record the outcome on the app."""
        check = await self.pushes.validate_callback(app, url)
        current = self.apps.get(app.client_id)
        if current is not None and current.callback_url == url:
            self.apps.update(current, callback_check=check)
        return check

    def reset(self, parts: set[str]) -> None:
        if "counters" in parts:
            self.metrics.reset_counters()
        if "log" in parts:
            self.metrics.reset_log()
        if "rate" in parts:
            self.limiter.reset()
        if "violations" in parts:
            self.violations.reset()
        if "data" in parts:
            self.db.wipe(DATA_TABLES)
        if "apps" in parts:
            self.db.wipe(("apps", "tokens", "app_secrets"))
            self.apps.forget_cache()
