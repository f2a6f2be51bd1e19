"""What a purge made LinkedIn forget goes back into the outbox, on both stores: a deleted candidate's
member link and own notes with it, an application's notes with it, nothing of another record."""

from __future__ import annotations

from sqlalchemy import select, update

from store.backfill_purge import forget_purged
from store.db import Store
from store.linkedin_sync import Resource, SyncOutcome, SyncState
from store.uow import UnitOfWork
from tests import ats_events as ats
from workers.status_push.ats_notes import handle_note_event
from workers.status_push.ats_records import handle_candidate_event, handle_job_event


def all_synced(store: Store) -> None:
    handle_job_event(ats.job("J-1"), UnitOfWork("acme", store))  # type: ignore[arg-type]
    handle_candidate_event(ats.candidate("C-1"), UnitOfWork("acme", store))  # type: ignore[arg-type]
    handle_note_event(ats.note("N-1"), UnitOfWork("acme", store))  # type: ignore[arg-type]
    handle_note_event(ats.note("N-2", application_id="A-1"), UnitOfWork("acme", store))  # type: ignore[arg-type]
    with UnitOfWork("acme", store) as uow:
        uow.session.execute(
            update(SyncState)
            .values(synced_version=SyncState.version, dirty_since=None, last_outcome=SyncOutcome.OK.value)
            .execution_options(synchronize_session=False)
        )
        uow.commit()


def unsynced(store: Store) -> dict[tuple[str, str], str | None]:
    with UnitOfWork("acme", store) as uow:
        rows = uow.session.scalars(select(SyncState).where(SyncState.synced_version == 0))
        return {(r.resource, r.entity_id): r.last_error for r in rows if r.dirty_since is not None}


def test_a_purged_candidate_takes_its_member_link_and_own_notes_back_into_the_outbox(store: Store) -> None:
    all_synced(store)
    with UnitOfWork("acme", store) as uow:
        forget_purged(uow.session, "acme", Resource.CANDIDATE, ["C-1"])
        uow.commit()
    forgotten = unsynced(store)
    assert set(forgotten) >= {("candidate", "C-1"), ("note", "N-1")}
    assert ("note", "N-2") not in forgotten and ("job", "J-1") not in forgotten
    assert set(forgotten.values()) == {"deleted from LinkedIn by a purge"}
    assert {resource for resource, _ in forgotten} <= {"candidate", "candidate_member", "note"}


def test_a_purged_application_takes_its_notes_and_nothing_is_forgotten_for_no_ids(store: Store) -> None:
    all_synced(store)
    with UnitOfWork("acme", store) as uow:
        forget_purged(uow.session, "acme", Resource.APPLICATION, [])
        uow.commit()
    assert unsynced(store) == {}
    with UnitOfWork("acme", store) as uow:
        forget_purged(uow.session, "acme", Resource.APPLICATION, ["A-1"])
        uow.commit()
    assert unsynced(store) == {("note", "N-2"): "deleted from LinkedIn by a purge"}
