"""The actors: decode, validate into a typed event, call the handler. Nothing else lives here.

Run with ``rsc worker --queues <queue>`` (or ``dramatiq workers.actors --queues <queue>``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import dramatiq
from pydantic import ValidationError

from events.publisher import get_publisher
from events.topology import Queue
from linkedin.ratelimit import Traffic
from rsc.mailer import Mailer
from rsc.settings import get_settings
from schemas.ats import (
    ApplicationCreated,
    ApplicationDeleted,
    ApplicationStatusChanged,
    ApplicationUpdated,
    CandidateCreated,
    CandidateDeleted,
    CandidateNoteCreated,
    CandidateNoteUpdated,
    CandidateUpdated,
    JobClosed,
    JobCreated,
    JobPublished,
    JobUpdated,
    NoteReplied,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from schemas.catalog import InvalidEvent, check_size, describe_validation_error, parse_event
from schemas.commands import (
    BackfillSlice,
    ContractPoll,
    DeletionSweep,
    MembersChanged,
    OutboxFlush,
    PurgeNoticePoll,
    SeatPoll,
    SeatRefresh,
)
from schemas.envelope import Event, Model
from schemas.linkedin import (
    ExportRequested,
    InMailReceived,
    IntegrationStatusChanged,
    MailStubReceived,
    ProspectNoteChanged,
)
from store.uow import UnitOfWork
from workers.deletion_cascade.handlers import (
    handle_application_deleted,
    handle_candidate_deleted,
    handle_deletion_sweep,
)
from workers.deletion_cascade.purge_notices import poll_purge_notices
from workers.historical_backfill.runner import run_backfill
from workers.inmail_sync.handlers import handle_inmail, handle_mail_stub
from workers.integration_lifecycle.handlers import handle_status_changed
from workers.note_sync.handlers import handle_prospect_note
from workers.note_sync.note_replies import handle_note_replied
from workers.profile_export.handlers import handle_export_requested
from workers.profile_matching.matching import handle_candidate_changed, handle_members_changed
from workers.prospect_polling.polls import poll_contract, poll_seat
from workers.prospect_polling.seat_mapping import UserEvent, handle_user_event, refresh_seats
from workers.runtime.broker import broker
from workers.runtime.group_commit import GroupCommit
from workers.runtime.wiring import linkedin_for, tenant_app
from workers.shared.note_push import NoteEvent, handle_note_event
from workers.shared.outbox_sweep import sweep_outbox
from workers.status_push.ats_records import (
    ApplicationEvent,
    CandidateEvent,
    JobEvent,
    handle_candidate_event,
    handle_job_event,
    store_application_events,
)

E = TypeVar("E", bound=Event)

__all__ = [
    "apply_application_event",
    "apply_candidate_event",
    "apply_job_event",
    "apply_note_event",
    "apply_user_event",
    "broker",
    "delete_application",
    "delete_candidate",
    "export_profile",
    "match_candidate",
    "match_members",
    "notify_note_reply",
    "poll_contract_actor",
    "poll_purge_notices_actor",
    "poll_seat_actor",
    "push_deletions",
    "push_outbox",
    "refresh_seats_actor",
    "run_backfill_actor",
    "sync_inmail",
    "sync_mail_stub",
    "sync_prospect_note",
    "verify_integration_status",
]


def _check_size(kwargs: dict[str, Any]) -> None:
    """A message over ``RSC_MAX_EVENT_BYTES`` (measured as its arguments' JSON) is never parsed."""
    size = len(json.dumps(kwargs, separators=(",", ":"), default=str))
    check_size(size, get_settings().max_event_bytes, "the message's event")


def decode(args: tuple[Any, ...], kwargs: dict[str, Any], accepts: tuple[type[E], ...]) -> E:
    if args or set(kwargs) != {"event"}:
        raise InvalidEvent("malformed message: expected exactly one keyword argument 'event'")
    event = parse_event(kwargs["event"])
    if not isinstance(event, accepts):
        raise InvalidEvent(f"unknown event type {event.type!r} for this actor")
    return event


def event_actor(
    *, queue: Queue, name: str, accepts: tuple[type[Event], ...], **options: Any
) -> Callable[[Callable[[Any], object]], dramatiq.Actor[..., None]]:
    """Declare an actor that receives a typed event of one of the ``accepts`` types."""

    def register(handler: Callable[[Any], object]) -> dramatiq.Actor[..., None]:
        def consume(*args: Any, **kwargs: Any) -> None:
            _check_size(kwargs)
            event = decode(args, kwargs, accepts)
            tenant_app(event.tenant)  # an unknown tenant is refused before anything is stored
            handler(event)

        consume.__name__ = consume.__qualname__ = name
        consume.__doc__ = handler.__doc__
        actor: dramatiq.Actor[..., None] = dramatiq.actor(actor_name=name, queue_name=queue.value, **options)(
            consume
        )
        return actor

    return register


C = TypeVar("C", bound=Model)


def command_actor(
    *, queue: Queue, name: str, command: type[C], **options: Any
) -> Callable[[Callable[[C], object]], dramatiq.Actor[..., None]]:
    """Declare an actor for an internal command (keyword arguments validated by ``command``)."""

    def register(handler: Callable[[C], object]) -> dramatiq.Actor[..., None]:
        def consume(*args: Any, **kwargs: Any) -> None:
            if args:
                raise InvalidEvent("malformed message: commands take keyword arguments only")
            _check_size(kwargs)
            try:
                parsed = command.model_validate(kwargs)
            except ValidationError as exc:
                raise InvalidEvent(describe_validation_error(exc)) from None
            tenant = getattr(parsed, "tenant", None)
            if isinstance(tenant, str):
                tenant_app(tenant)
            handler(parsed)

        consume.__name__ = consume.__qualname__ = name
        consume.__doc__ = handler.__doc__
        actor: dramatiq.Actor[..., None] = dramatiq.actor(actor_name=name, queue_name=queue.value, **options)(
            consume
        )
        return actor

    return register


@event_actor(queue=Queue.PROFILE_EXPORT, name="export_profile", accepts=(ExportRequested,))
def export_profile(event: ExportRequested) -> None:
    """A recruiter exported a LinkedIn member to a job."""
    handle_export_requested(event, uow=UnitOfWork(event.tenant), linkedin=linkedin_for(event.tenant))


@event_actor(
    queue=Queue.STATUS_PUSH,
    name="apply_job_event",
    accepts=(JobCreated, JobUpdated, JobPublished, JobClosed),
)
def apply_job_event(event: JobEvent) -> None:
    """A job was created, changed, published or closed in the ATS."""
    handle_job_event(event, uow=UnitOfWork(event.tenant))


@event_actor(
    queue=Queue.STATUS_PUSH,
    name="apply_candidate_event",
    accepts=(CandidateCreated, CandidateUpdated),
)
def apply_candidate_event(event: CandidateEvent) -> None:
    """A candidate was created or changed in the ATS."""
    handle_candidate_event(event, uow=UnitOfWork(event.tenant))


@event_actor(
    queue=Queue.STATUS_PUSH,
    name="apply_application_event",
    accepts=(ApplicationCreated, ApplicationUpdated, ApplicationStatusChanged),
)
def apply_application_event(event: ApplicationEvent) -> None:
    """An application was created, changed or moved to another status in the ATS."""
    _application_events.submit(event)


#: The worker threads' application events that arrive together share a transaction.
_application_events: GroupCommit[ApplicationEvent, bool] = GroupCommit(store_application_events)


@command_actor(queue=Queue.STATUS_PUSH, name="push_outbox", command=OutboxFlush)
def push_outbox(command: OutboxFlush) -> None:
    """Push a tenant's records LinkedIn has not seen yet (requested by the scheduler)."""
    sweep_outbox(UnitOfWork(command.tenant), linkedin_for(command.tenant))


@event_actor(
    queue=Queue.INMAIL_SYNC, name="apply_user_event", accepts=(UserCreated, UserUpdated, UserDeleted)
)
def apply_user_event(event: UserEvent) -> None:
    """An ATS user was created, changed or deleted: store it and reconnect Recruiter seats."""
    handle_user_event(event, uow=UnitOfWork(event.tenant))


@event_actor(queue=Queue.INMAIL_SYNC, name="sync_inmail", accepts=(InMailReceived,))
def sync_inmail(event: InMailReceived) -> None:
    """A polled InMail message."""
    handle_inmail(event, uow=UnitOfWork(event.tenant))


@event_actor(queue=Queue.INMAIL_SYNC, name="sync_mail_stub", accepts=(MailStubReceived,))
def sync_mail_stub(event: MailStubReceived) -> None:
    """A member shared their contact details in an InMail reply."""
    handle_mail_stub(event, uow=UnitOfWork(event.tenant))


@event_actor(queue=Queue.NOTE_SYNC, name="sync_prospect_note", accepts=(ProspectNoteChanged,))
def sync_prospect_note(event: ProspectNoteChanged) -> None:
    """A polled prospect note was created, changed or deleted."""
    handle_prospect_note(event, uow=UnitOfWork(event.tenant))


@event_actor(queue=Queue.NOTE_SYNC, name="notify_note_reply", accepts=(NoteReplied,))
def notify_note_reply(event: NoteReplied) -> None:
    """An ATS user replied to a prospect note: e-mail the users who can see it."""
    handle_note_replied(event, uow=UnitOfWork(event.tenant), mailer=Mailer())


@command_actor(queue=Queue.PROSPECT_POLL, name="poll_seat", command=SeatPoll)
def poll_seat_actor(command: SeatPoll) -> None:
    """Poll one connected seat's InMails (and its back-fill), requested by the scheduler."""
    poll_seat(command, UnitOfWork(command.tenant), linkedin_for(command.tenant), get_publisher())


@command_actor(queue=Queue.PROSPECT_POLL, name="poll_contract", command=ContractPoll)
def poll_contract_actor(command: ContractPoll) -> None:
    """Poll the stubs and notes of a contract's connected seats, requested by the scheduler."""
    poll_contract(command, UnitOfWork(command.tenant), linkedin_for(command.tenant), get_publisher())


@command_actor(queue=Queue.PROSPECT_POLL, name="refresh_seats", command=SeatRefresh)
def refresh_seats_actor(command: SeatRefresh) -> None:
    """Read the tenant's Recruiter seats and connect them to ATS users."""
    refresh_seats(UnitOfWork(command.tenant), linkedin_for(command.tenant), command.contracts)


@event_actor(queue=Queue.PROFILE_MATCH, name="match_candidate", accepts=(CandidateCreated, CandidateUpdated))
def match_candidate(event: CandidateCreated | CandidateUpdated) -> None:
    """A candidate was created or changed in the ATS: match it to its LinkedIn member."""
    handle_candidate_changed(event, uow=UnitOfWork(event.tenant))


@command_actor(queue=Queue.PROFILE_MATCH, name="match_members", command=MembersChanged)
def match_members(command: MembersChanged) -> None:
    """LinkedIn members' data changed: re-match the candidates it concerns (asked by the scheduler)."""
    handle_members_changed(command, uow=UnitOfWork(command.tenant))


@event_actor(queue=Queue.DELETION_CASCADE, name="delete_candidate", accepts=(CandidateDeleted,))
def delete_candidate(event: CandidateDeleted) -> None:
    """A candidate was deleted in the ATS: erase the person here, delete its records on LinkedIn."""
    handle_candidate_deleted(event, uow=UnitOfWork(event.tenant), linkedin=linkedin_for(event.tenant))


@event_actor(queue=Queue.DELETION_CASCADE, name="delete_application", accepts=(ApplicationDeleted,))
def delete_application(event: ApplicationDeleted) -> None:
    """An application was deleted in the ATS: erase it here and delete it on LinkedIn."""
    handle_application_deleted(event, uow=UnitOfWork(event.tenant), linkedin=linkedin_for(event.tenant))


@command_actor(queue=Queue.DELETION_CASCADE, name="push_deletions", command=DeletionSweep)
def push_deletions(command: DeletionSweep) -> None:
    """Send the deletes LinkedIn has not confirmed yet (requested by the scheduler)."""
    handle_deletion_sweep(command, UnitOfWork(command.tenant), linkedin_for(command.tenant))


@command_actor(queue=Queue.DELETION_CASCADE, name="poll_purge_notices", command=PurgeNoticePoll)
def poll_purge_notices_actor(command: PurgeNoticePoll) -> None:
    """Read the tenant's new purge notices from LinkedIn (requested by the scheduler)."""
    poll_purge_notices(command, UnitOfWork(command.tenant), linkedin_for(command.tenant))


@event_actor(
    queue=Queue.STATUS_PUSH,
    name="apply_note_event",
    accepts=(CandidateNoteCreated, CandidateNoteUpdated),
)
def apply_note_event(event: NoteEvent) -> None:
    """A note about a candidate or an application was written or changed in the ATS."""
    handle_note_event(event, uow=UnitOfWork(event.tenant))


@event_actor(
    queue=Queue.INTEGRATION_LIFECYCLE, name="verify_integration_status", accepts=(IntegrationStatusChanged,)
)
def verify_integration_status(event: IntegrationStatusChanged) -> None:
    """LinkedIn pushed INTEGRATION_STATUS_CHANGE: verify it with LinkedIn, enable or disable the tenant."""
    handle_status_changed(event, UnitOfWork(event.tenant), linkedin_for(event.tenant), get_publisher())


@command_actor(queue=Queue.HISTORICAL_BACKFILL, name="run_backfill", command=BackfillSlice)
def run_backfill_actor(command: BackfillSlice) -> None:
    """Work on a tenant's historical backfill (or purge) for one slice, on the bulk share of the budget."""
    run_backfill(
        command, UnitOfWork(command.tenant), linkedin_for(command.tenant, Traffic.BULK), get_publisher()
    )
