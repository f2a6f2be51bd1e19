"""The deletion cascade actors."""

from __future__ import annotations

from events import routes
from schemas.ats import ApplicationDeleted, CandidateDeleted
from schemas.commands import DeletionSweep, PurgeNoticePoll
from store.uow import UnitOfWork
from workers.deletion_cascade.handlers import (
    handle_application_deleted,
    handle_candidate_deleted,
    handle_deletion_sweep,
)
from workers.deletion_cascade.purge_notices import poll_purge_notices
from workers.runtime.declare import command_actor, event_actor
from workers.runtime.wiring import linkedin_for, runtime


@event_actor(routes.DELETE_CANDIDATE)
def delete_candidate(event: CandidateDeleted) -> None:
    """A candidate was deleted in the ATS: erase the person here, delete its records on LinkedIn."""
    handle_candidate_deleted(
        event,
        uow=UnitOfWork(event.tenant, runtime().store),
        linkedin=linkedin_for(event.tenant),
        settings=runtime().settings,
    )


@event_actor(routes.DELETE_APPLICATION)
def delete_application(event: ApplicationDeleted) -> None:
    """An application was deleted in the ATS: erase it here and delete it on LinkedIn."""
    handle_application_deleted(
        event,
        uow=UnitOfWork(event.tenant, runtime().store),
        linkedin=linkedin_for(event.tenant),
        settings=runtime().settings,
    )


@command_actor(routes.PUSH_DELETIONS)
def push_deletions(command: DeletionSweep) -> None:
    """Send the deletes LinkedIn has not confirmed yet (requested by the scheduler)."""
    handle_deletion_sweep(
        command,
        UnitOfWork(command.tenant, runtime().store),
        linkedin_for(command.tenant),
        settings=runtime().settings,
    )


@command_actor(routes.POLL_PURGE_NOTICES)
def poll_purge_notices_actor(command: PurgeNoticePoll) -> None:
    """Read the tenant's new purge notices from LinkedIn (requested by the scheduler)."""
    poll_purge_notices(
        command,
        UnitOfWork(command.tenant, runtime().store),
        linkedin_for(command.tenant),
        settings=runtime().settings,
    )
