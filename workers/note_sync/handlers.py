"""Note sync: prospect notes upserted in the order LinkedIn last modified them; no e-mail is sent.

A note keeps its visibility; who may see it is decided at read time by ``NoteAudience`` from the
seat that wrote it. ``active: false`` removes the note (its text is dropped; the row stays so an
older version arriving late cannot bring it back).
"""

from __future__ import annotations

from rsc.logs import get_logger
from rsc.metrics import DELETIONS, NOTES
from schemas.linkedin import ProspectNoteChanged
from store.base import utcnow
from store.uow import UnitOfWork

log = get_logger(__name__)

CONSUMER = "note_sync"


def handle_prospect_note(event: ProspectNoteChanged, uow: UnitOfWork) -> bool:
    """Store this version of the note unless a newer one is stored. True when it changed."""
    note = event.data
    with uow:
        if not uow.inbox.record(CONSUMER, event.source, event.id):
            return False
        if uow.tombstones.member_erased_since(note.member, note.created_ms):
            uow.commit()  # written before the member was erased with their candidate: stays erased
            return False
        changed = uow.prospect_notes.apply(note)
        uow.commit()
    NOTES.labels(outcome=("stored" if note.active else "removed") if changed else "stale").inc()
    if changed and not note.active:
        DELETIONS.labels(kind="prospect_note").inc()
    log.info(
        ("note stored" if note.active else "note removed") if changed else "older note version ignored",
        note_id=note.note_id,
        seat=note.owner,
        freshness_s=round((utcnow() - event.time).total_seconds(), 3),
    )
    return changed
