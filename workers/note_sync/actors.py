"""The note sync actors."""

from __future__ import annotations

from events import routes
from rsc.mailer import Mailer
from schemas.ats import NoteReplied
from schemas.linkedin import ProspectNoteChanged
from store.uow import UnitOfWork
from workers.note_sync.handlers import handle_prospect_note
from workers.note_sync.note_replies import handle_note_replied
from workers.runtime.declare import event_actor
from workers.runtime.wiring import runtime


@event_actor(routes.PROSPECT_NOTE)
def sync_prospect_note(event: ProspectNoteChanged) -> None:
    """A polled prospect note was created, changed or deleted."""
    handle_prospect_note(event, uow=UnitOfWork(event.tenant, runtime().store))


@event_actor(routes.NOTE_REPLY)
def notify_note_reply(event: NoteReplied) -> None:
    """An ATS user replied to a prospect note: e-mail the users who can see it."""
    handle_note_replied(
        event,
        uow=UnitOfWork(event.tenant, runtime().store),
        mailer=Mailer(runtime().settings),
        settings=runtime().settings,
    )
