"""Running the sandbox as its own process."""

from __future__ import annotations

from typing import Any

import uvicorn

from rsc.heap import freeze_startup_heap
from sandbox.app import create_app
from sandbox.config import SandboxConfig
from sandbox.connections import droppable_protocol


def serve(host: str, port: int, db_path: str, *, log_level: str = "warning", **options: Any) -> None:
    """Serve the sandbox on ``host:port`` until interrupted (blocking).

    ``options`` are :class:`~sandbox.config.SandboxConfig` fields and the fields of its settings,
    limits and faults, by name: ``clock_scale=60``, ``token_ttl_s=5``, ``records_per_minute=None``...
    """
    app = create_app(SandboxConfig.from_options(db_path, **options))
    freeze_startup_heap()
    uvicorn.run(
        app,
        host=host,
        port=port,
        http=droppable_protocol(),
        log_level=log_level,
        # uvicorn's lines go through the process's logging set-up (JSON, redaction).
        log_config=None,
        # One line per request costs more than the request itself at benchmark rates.
        access_log=False,
        lifespan="on",
    )
    app.state.sandbox.db.close()
