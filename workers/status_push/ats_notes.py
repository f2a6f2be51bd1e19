"""Notes the ATS writes about candidates and applications, stored from its events (the outbox sends
them: ``workers.shared.note_push``)."""

from __future__ import annotations

from rsc.logs import get_logger
from schemas.ats import CandidateNoteCreated, CandidateNoteUpdated
from store.linkedin_sync import Resource
from store.sync_ledger import RecordType
from store.tombstones import Subject
from store.uow import UnitOfWork
from workers.ledger import hooks as ledger

log = get_logger(__name__)

CONSUMER = "candidate_notes"

NoteEvent = CandidateNoteCreated | CandidateNoteUpdated


def handle_note_event(event: NoteEvent, uow: UnitOfWork) -> bool:
    """Store the note snapshot unless the store holds a newer one. True when it changed."""
    data = event.data
    with uow:
        if not uow.inbox.record(CONSUMER, event.source, event.id):
            return False
        erased = uow.tombstones.erased_since(Subject.CANDIDATE, data.candidate_id, data.modified_at)
        if not erased and data.application_id is not None:
            erased = uow.tombstones.erased_since(Subject.APPLICATION, data.application_id, data.modified_at)
        if erased:
            uow.commit()  # its candidate or application was deleted after this snapshot
            log.info("note older than a deletion ignored", note_id=data.note_id)
            return False
        changed = uow.ats_notes.apply(data)
        if changed:
            uow.outbox.mark_changed(Resource.NOTE, data.note_id)
        ledger.event_applied(
            uow,
            RecordType.NOTE,
            data.note_id,
            event,
            changed,
            about=data.model_dump(include={"candidate_id", "application_id"}),
        )
        uow.commit()
    log.info("note stored" if changed else "older note snapshot ignored", note_id=data.note_id)
    return changed
