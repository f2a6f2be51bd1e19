"""Which actor, on which queue, handles each event type.

Upstream publishers need only this table and the envelope, not the worker code: a message names
its actor by string. ``tests/test_routing.py`` checks every route against the registered actors.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.topology import Queue
from schemas.catalog import EVENT_TYPES, InvalidEvent


@dataclass(frozen=True)
class Route:
    actor: str
    queue: Queue


EXPORT = Route("export_profile", Queue.PROFILE_EXPORT)
ATS_JOB = Route("apply_job_event", Queue.STATUS_PUSH)
ATS_CANDIDATE = Route("apply_candidate_event", Queue.STATUS_PUSH)
PROFILE_MATCH = Route("match_candidate", Queue.PROFILE_MATCH)
ATS_APPLICATION = Route("apply_application_event", Queue.STATUS_PUSH)
ATS_USER = Route("apply_user_event", Queue.INMAIL_SYNC)
INMAIL = Route("sync_inmail", Queue.INMAIL_SYNC)
MAIL_STUB = Route("sync_mail_stub", Queue.INMAIL_SYNC)
PROSPECT_NOTE = Route("sync_prospect_note", Queue.NOTE_SYNC)
NOTE_REPLY = Route("notify_note_reply", Queue.NOTE_SYNC)
DELETE_CANDIDATE = Route("delete_candidate", Queue.DELETION_CASCADE)
DELETE_APPLICATION = Route("delete_application", Queue.DELETION_CASCADE)
ATS_NOTE = Route("apply_note_event", Queue.STATUS_PUSH)
INTEGRATION_STATUS = Route("verify_integration_status", Queue.INTEGRATION_LIFECYCLE)

ROUTES: dict[str, tuple[Route, ...]] = {
    "ats.user.created.v1": (ATS_USER,),
    "ats.user.updated.v1": (ATS_USER,),
    "ats.user.deleted.v1": (ATS_USER,),
    "linkedin.inmail.received.v1": (INMAIL,),
    "linkedin.mail_stub.received.v1": (MAIL_STUB,),
    "linkedin.prospect_note.changed.v1": (PROSPECT_NOTE,),
    "ats.note.replied.v1": (NOTE_REPLY,),
    "linkedin.export.requested.v1": (EXPORT,),
    "ats.job.created.v1": (ATS_JOB,),
    "ats.job.updated.v1": (ATS_JOB,),
    "ats.job.published.v1": (ATS_JOB,),
    "ats.job.closed.v1": (ATS_JOB,),
    "ats.candidate.created.v1": (ATS_CANDIDATE, PROFILE_MATCH),
    "ats.candidate.updated.v1": (ATS_CANDIDATE, PROFILE_MATCH),
    "ats.application.created.v1": (ATS_APPLICATION,),
    "ats.application.updated.v1": (ATS_APPLICATION,),
    "ats.application.status_changed.v1": (ATS_APPLICATION,),
    "ats.candidate.deleted.v1": (DELETE_CANDIDATE,),
    "ats.application.deleted.v1": (DELETE_APPLICATION,),
    "ats.candidate_note.created.v1": (ATS_NOTE,),
    "ats.candidate_note.updated.v1": (ATS_NOTE,),
    "linkedin.integration.status_changed.v1": (INTEGRATION_STATUS,),
}


def routes_for(event_type: str) -> tuple[Route, ...]:
    try:
        return ROUTES[event_type]
    except KeyError:
        if event_type in EVENT_TYPES:
            raise InvalidEvent(f"event type {event_type!r} has no consumer in this deployment") from None
        raise InvalidEvent(f"unknown event type {event_type!r}") from None
