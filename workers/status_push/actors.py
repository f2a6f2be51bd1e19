"""The status push actors: ATS records stored, and the outbox pushed to LinkedIn."""

from __future__ import annotations

from events import routes
from schemas.commands import JobTaskPoll, OutboxFlush
from store.uow import UnitOfWork
from workers.runtime.declare import command_actor, event_actor
from workers.runtime.group_commit import GroupCommit
from workers.runtime.wiring import linkedin_for, runtime
from workers.shared.outbox_sweep import sweep_outbox
from workers.status_push.ats_notes import NoteEvent, handle_note_event
from workers.status_push.ats_records import (
    ApplicationEvent,
    CandidateEvent,
    CandidateOutcome,
    JobEvent,
    handle_job_event,
    send_to_match,
    store_application_events,
    store_candidate_events,
)
from workers.status_push.job_tasks import poll_job_tasks


@event_actor(routes.ATS_JOB)
def apply_job_event(event: JobEvent) -> None:
    """A job was created, changed, published or closed in the ATS."""
    handle_job_event(event, uow=UnitOfWork(event.tenant, runtime().store))


@event_actor(routes.ATS_CANDIDATE)
def apply_candidate_event(event: CandidateEvent) -> None:
    """A candidate was created or changed in the ATS; its profile match follows once it is stored."""
    _candidate_events.submit(event)


#: The worker threads' candidate events that arrive together share a transaction, and once it
#: committed, their matches share a publish while the next group is stored.
_candidate_events: GroupCommit[CandidateEvent, CandidateOutcome] = GroupCommit(
    lambda group: store_candidate_events(group, runtime().store),
    then=lambda group, outcomes: send_to_match(group, outcomes, runtime().publisher),
)


@event_actor(routes.ATS_APPLICATION)
def apply_application_event(event: ApplicationEvent) -> None:
    """An application was created, changed or moved to another status in the ATS."""
    _application_events.submit(event)


#: The worker threads' application events that arrive together share a transaction.
_application_events: GroupCommit[ApplicationEvent, bool] = GroupCommit(
    lambda group: store_application_events(group, runtime().store)
)


@command_actor(routes.PUSH_OUTBOX)
def push_outbox(command: OutboxFlush) -> None:
    """Push a tenant's records LinkedIn has not seen yet (requested by the scheduler)."""
    sweep_outbox(
        UnitOfWork(command.tenant, runtime().store), linkedin_for(command.tenant), settings=runtime().settings
    )


@command_actor(routes.POLL_JOB_TASKS)
def poll_job_tasks_actor(command: JobTaskPoll) -> None:
    """Read whether LinkedIn applied a tenant's job postings (requested by the scheduler)."""
    poll_job_tasks(
        UnitOfWork(command.tenant, runtime().store), linkedin_for(command.tenant), settings=runtime().settings
    )


@event_actor(routes.ATS_NOTE)
def apply_note_event(event: NoteEvent) -> None:
    """A note about a candidate or an application was written or changed in the ATS."""
    handle_note_event(event, uow=UnitOfWork(event.tenant, runtime().store))
