"""Notes the ATS writes about candidates and applications, sent through the outbox.

LinkedIn keeps a candidate's notes under the candidate and an application's under the application
(reference §3.5, §3.6), so a note can only be sent once LinkedIn holds its parent; until then it
waits. Notes of one parent go in one call (at most 100), parents one after another per stream, up
to ``NOTE_STREAMS`` streams at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInRejected, LinkedInUnavailable
from linkedin.restli import BatchResult
from rsc.logs import get_logger
from rsc.settings import Settings
from store.ats_notes import AtsNote
from store.base import to_ms
from store.linkedin_sync import Resource, SyncOutcome
from store.sync_ledger import Waiting
from store.uow import UnitOfWork

log = get_logger(__name__)

#: Parents whose notes are sent at the same time (each parent's calls stay sequential).
NOTE_STREAMS = 4


@dataclass(frozen=True)
class NotePush:
    #: (Resource.CANDIDATE or Resource.APPLICATION, its id): where LinkedIn keeps the note.
    parent: tuple[Resource, str]
    body: dict[str, Any]


def note_body(note: AtsNote) -> dict[str, Any]:
    """The candidate or application note as LinkedIn takes it; an author only with both names."""
    body: dict[str, Any] = {
        "atsCreatedAt": to_ms(note.created_at),
        "atsLastModifiedAt": to_ms(note.modified_at),
        "note": note.text,
    }
    if note.author_first_name and note.author_last_name:
        body["author"] = {"firstName": note.author_first_name, "lastName": note.author_last_name}
    return {name: value for name, value in body.items() if value is not None}


def parent_of(note: AtsNote) -> tuple[Resource, str]:
    if note.application_id is not None:
        return Resource.APPLICATION, note.application_id
    return Resource.CANDIDATE, note.candidate_id


def build_notes(
    uow: UnitOfWork, claimed: Mapping[str, int], settings: Settings
) -> tuple[dict[str, Any], dict[str, str], dict[str, Waiting]]:
    bodies: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    later: dict[str, Waiting] = {}
    notes = uow.ats_notes.many(list(claimed))
    # The parents' outbox rows in one query per kind, not one per note.
    parents = {
        (kind, entity_id): state
        for kind in (Resource.CANDIDATE, Resource.APPLICATION)
        for entity_id, state in uow.outbox.states(
            kind, {p[1] for p in map(parent_of, notes.values()) if p[0] is kind}
        ).items()
    }
    for note_id in claimed:
        note = notes.get(note_id)
        if note is None:
            invalid[note_id] = "the note no longer exists in the store"
            continue
        parent = parent_of(note)
        state = parents.get(parent)
        if state is None or state.synced_version == 0:
            # LinkedIn must hold the candidate or application before it takes its notes.
            later[note_id] = Waiting(
                "waiting_for_parent_push", f"its {parent[0].value} {parent[1]!r} to reach LinkedIn"
            )
        elif state.last_outcome == SyncOutcome.REJECTED and state.synced_version >= state.version:
            invalid[note_id] = (
                f"its {parent[0].value} {parent[1]!r} was not accepted by LinkedIn; fix that record in "
                f"the ATS and the note follows"
            )
        else:
            bodies[note_id] = NotePush(parent, note_body(note))
    return bodies, invalid, later


def send_notes(linkedin: LinkedInClient, pushes: Mapping[str, NotePush]) -> BatchResult:
    """PUT each parent's notes (up to 100 a call), up to ``NOTE_STREAMS`` parents at once."""
    by_parent: dict[tuple[Resource, str], dict[str, dict[str, Any]]] = {}
    for note_id, push in pushes.items():
        by_parent.setdefault(push.parent, {})[note_id] = push.body
    unavailable = threading.Event()

    def send(parent: tuple[Resource, str]) -> tuple[tuple[Resource, str], BatchResult | Exception | None]:
        if unavailable.is_set():
            return parent, None
        kind, parent_id = parent
        notes = (
            linkedin.applications.notes(parent_id)
            if kind is Resource.APPLICATION
            else linkedin.candidates.notes(parent_id)
        )
        try:
            return parent, notes.upsert(by_parent[parent])
        except LinkedInUnavailable:
            unavailable.set()
            return parent, None
        except LinkedInRejected as exc:
            return parent, exc

    total = BatchResult()
    with ThreadPoolExecutor(max_workers=NOTE_STREAMS, thread_name_prefix="notes") as pool:
        outcomes = list(pool.map(send, list(by_parent)))
    for parent, outcome in outcomes:
        note_ids = list(by_parent[parent])
        if outcome is None:
            total.failed.update(dict.fromkeys(note_ids, (503, "not sent: LinkedIn unavailable")))
        elif isinstance(outcome, LinkedInRejected):
            total.rejected.update(dict.fromkeys(note_ids, (outcome.status, f"refused: {outcome}")))
        elif isinstance(outcome, BatchResult):
            total.merge(outcome)
    return total
