"""The historical backfill actor."""

from __future__ import annotations

from events import routes
from linkedin.ratelimit import Traffic
from schemas.commands import BackfillSlice
from store.uow import UnitOfWork
from workers.historical_backfill.runner import run_backfill
from workers.runtime.declare import command_actor
from workers.runtime.wiring import linkedin_for, runtime


@command_actor(routes.RUN_BACKFILL)
def run_backfill_actor(command: BackfillSlice) -> None:
    """Work on a tenant's historical backfill (or purge) for one slice, on the bulk share of the budget."""
    run_backfill(
        command,
        UnitOfWork(command.tenant, runtime().store),
        linkedin_for(command.tenant, Traffic.BULK),
        runtime().publisher,
        settings=runtime().settings,
    )
