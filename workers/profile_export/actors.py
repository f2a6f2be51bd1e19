"""The profile export actor."""

from __future__ import annotations

from events import routes
from schemas.linkedin import ExportRequested
from store.uow import UnitOfWork
from workers.profile_export.handlers import handle_export_requested
from workers.runtime.declare import event_actor
from workers.runtime.wiring import linkedin_for, runtime


@event_actor(routes.EXPORT)
def export_profile(event: ExportRequested) -> None:
    """A recruiter exported a LinkedIn member to a job."""
    handle_export_requested(
        event,
        uow=UnitOfWork(event.tenant, runtime().store),
        linkedin=linkedin_for(event.tenant),
        settings=runtime().settings,
    )
