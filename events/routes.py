"""Every actor's facts in one place: its name, its queue, what it accepts and whether it is gated.

An actor accepts either events (typed, from the public catalogue) or one internal command (a typed
model the pipeline sends itself). The actors are declared from these routes (``workers/*/actors.py``),
the publisher routes events and commands by them, and the integration gate holds back the gated ones
for a tenant whose integration is not enabled (``workers.runtime.integration_gate``). Upstream
publishers need only this table and the envelope, not the worker code: a message names its actor by
string. Actor and queue names are part of the wire: messages in flight and dead letters name them.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.topology import Queue
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
from schemas.catalog import EVENT_TYPES, InvalidEvent
from schemas.commands import (
    BackfillSlice,
    ContractPoll,
    DeletionSweep,
    JobTaskPoll,
    MembersChanged,
    OutboxFlush,
    PurgeNoticePoll,
    SeatPoll,
    SeatRefresh,
    SecretRotation,
)
from schemas.envelope import Event, Model, event_type_of
from schemas.linkedin import (
    ExportRequested,
    InMailReceived,
    IntegrationStatusChanged,
    MailStubReceived,
    ProspectNoteChanged,
)


@dataclass(frozen=True)
class Route:
    """An actor that receives events of the ``accepts`` types."""

    actor: str
    queue: Queue
    accepts: tuple[type[Event], ...]
    #: Its work talks to LinkedIn for one tenant: held back while the integration is not enabled.
    gated: bool = False
    #: Chained: the publisher does not send it the event; the ``after`` route's actor sends it on
    #: once it has stored the event (``events.messages.follow_up_messages``), so its work never
    #: starts before what it reads is in the store.
    after: Route | None = None


@dataclass(frozen=True)
class CommandRoute:
    """An actor that receives one internal command, as keyword arguments validated by ``command``."""

    actor: str
    queue: Queue
    command: type[Model]
    gated: bool = False


# --- events ----------------------------------------------------------------------------------------

EXPORT = Route("export_profile", Queue.PROFILE_EXPORT, (ExportRequested,), gated=True)
ATS_JOB = Route("apply_job_event", Queue.STATUS_PUSH, (JobCreated, JobUpdated, JobPublished, JobClosed))
ATS_CANDIDATE = Route("apply_candidate_event", Queue.STATUS_PUSH, (CandidateCreated, CandidateUpdated))
#: A candidate's match starts once the status push stored it (before, both got the event at once
#: and the match retried until the candidate was there).
PROFILE_MATCH = Route(
    "match_candidate", Queue.PROFILE_MATCH, (CandidateCreated, CandidateUpdated), after=ATS_CANDIDATE
)
ATS_APPLICATION = Route(
    "apply_application_event",
    Queue.STATUS_PUSH,
    (ApplicationCreated, ApplicationUpdated, ApplicationStatusChanged),
)
ATS_USER = Route("apply_user_event", Queue.INMAIL_SYNC, (UserCreated, UserUpdated, UserDeleted))
INMAIL = Route("sync_inmail", Queue.INMAIL_SYNC, (InMailReceived,))
MAIL_STUB = Route("sync_mail_stub", Queue.INMAIL_SYNC, (MailStubReceived,))
PROSPECT_NOTE = Route("sync_prospect_note", Queue.NOTE_SYNC, (ProspectNoteChanged,))
NOTE_REPLY = Route("notify_note_reply", Queue.NOTE_SYNC, (NoteReplied,))
DELETE_CANDIDATE = Route("delete_candidate", Queue.DELETION_CASCADE, (CandidateDeleted,))
DELETE_APPLICATION = Route("delete_application", Queue.DELETION_CASCADE, (ApplicationDeleted,))
ATS_NOTE = Route("apply_note_event", Queue.STATUS_PUSH, (CandidateNoteCreated, CandidateNoteUpdated))
INTEGRATION_STATUS = Route(
    "verify_integration_status", Queue.INTEGRATION_LIFECYCLE, (IntegrationStatusChanged,)
)

#: Every event route; an event type with two routes is sent to both, in this order.
EVENT_ROUTES: tuple[Route, ...] = (
    ATS_USER,
    INMAIL,
    MAIL_STUB,
    PROSPECT_NOTE,
    NOTE_REPLY,
    EXPORT,
    ATS_JOB,
    ATS_CANDIDATE,
    PROFILE_MATCH,
    ATS_APPLICATION,
    DELETE_CANDIDATE,
    DELETE_APPLICATION,
    ATS_NOTE,
    INTEGRATION_STATUS,
)

# --- commands --------------------------------------------------------------------------------------

PUSH_OUTBOX = CommandRoute("push_outbox", Queue.STATUS_PUSH, OutboxFlush, gated=True)
POLL_JOB_TASKS = CommandRoute("poll_job_tasks", Queue.STATUS_PUSH, JobTaskPoll, gated=True)
POLL_SEAT = CommandRoute("poll_seat", Queue.PROSPECT_POLL, SeatPoll, gated=True)
POLL_CONTRACT = CommandRoute("poll_contract", Queue.PROSPECT_POLL, ContractPoll, gated=True)
REFRESH_SEATS = CommandRoute("refresh_seats", Queue.PROSPECT_POLL, SeatRefresh, gated=True)
MATCH_MEMBERS = CommandRoute("match_members", Queue.PROFILE_MATCH, MembersChanged)
PUSH_DELETIONS = CommandRoute("push_deletions", Queue.DELETION_CASCADE, DeletionSweep)
POLL_PURGE_NOTICES = CommandRoute("poll_purge_notices", Queue.DELETION_CASCADE, PurgeNoticePoll, gated=True)
#: Not gated: a pending or disabled tenant's app holds a secret all the same.
ROTATE_SECRET = CommandRoute("rotate_secret", Queue.INTEGRATION_LIFECYCLE, SecretRotation)
#: Not gated: the backfill checks the tenant itself (a disabled tenant's run stops, a purge runs).
RUN_BACKFILL = CommandRoute("run_backfill", Queue.HISTORICAL_BACKFILL, BackfillSlice)

COMMAND_ROUTES: dict[type[Model], CommandRoute] = {
    route.command: route
    for route in (
        PUSH_OUTBOX,
        POLL_JOB_TASKS,
        POLL_SEAT,
        POLL_CONTRACT,
        REFRESH_SEATS,
        MATCH_MEMBERS,
        PUSH_DELETIONS,
        POLL_PURGE_NOTICES,
        RUN_BACKFILL,
        ROTATE_SECRET,
    )
}


def _by_event_type(routes: tuple[Route, ...]) -> dict[str, tuple[Route, ...]]:
    table: dict[str, tuple[Route, ...]] = {}
    for route in routes:
        for event_class in route.accepts:
            event_type = event_type_of(event_class)
            table[event_type] = (*table.get(event_type, ()), route)
    return table


#: The routes of each event type (its consumers), the chained ones included.
ROUTES: dict[str, tuple[Route, ...]] = _by_event_type(EVENT_ROUTES)

#: The routes the publisher sends each event type to (the chained ones are sent by their ``after``).
PUBLISHED_ROUTES: dict[str, tuple[Route, ...]] = _by_event_type(
    tuple(route for route in EVENT_ROUTES if route.after is None)
)

#: Names of the actors the integration gate holds back while a tenant is not enabled.
GATED_ACTORS: frozenset[str] = frozenset(
    {route.actor for route in EVENT_ROUTES if route.gated}
    | {route.actor for route in COMMAND_ROUTES.values() if route.gated}
)


def routes_for(event_type: str) -> tuple[Route, ...]:
    """The routes the publisher sends an event of ``event_type`` to."""
    try:
        return PUBLISHED_ROUTES[event_type]
    except KeyError:
        if event_type in EVENT_TYPES:
            raise InvalidEvent(f"event type {event_type!r} has no consumer in this deployment") from None
        raise InvalidEvent(f"unknown event type {event_type!r}") from None


def follow_ups(route: Route, event_type: str) -> tuple[Route, ...]:
    """The routes ``route``'s actor sends an event of ``event_type`` on to once it stored it."""
    return tuple(r for r in ROUTES.get(event_type, ()) if r.after == route)


def command_route(command: Model) -> CommandRoute:
    """The route of a command; a command type without one is a defect of the sender."""
    try:
        return COMMAND_ROUTES[type(command)]
    except KeyError:
        raise TypeError(f"{type(command).__name__} is not a command any actor accepts") from None
