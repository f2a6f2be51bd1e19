"""What a purge made LinkedIn forget, written back into the outbox (``store.backfill``)."""

from __future__ import annotations

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from store.applications import ApplicationStage
from store.ats_notes import AtsNote
from store.base import utcnow
from store.linkedin_sync import Resource, SyncState


def forget_purged(session: Session, tenant: str, resource: Resource, ids: list[str]) -> None:
    """LinkedIn deleted these records (and what it deletes with them), or closed these jobs: their
    outbox rows say it holds nothing, so a later sync sends them all again."""
    if not ids:
        return
    forgotten: list[tuple[Resource, list[str]]] = [(resource, ids)]
    notes = select(AtsNote.id).where(AtsNote.tenant_id == tenant)
    if resource is Resource.APPLICATION:
        session.execute(
            update(ApplicationStage)
            .where(ApplicationStage.tenant_id == tenant, ApplicationStage.application_id.in_(ids))
            .values(synced_at=None)
            .execution_options(synchronize_session=False)
        )
        forgotten.append((Resource.NOTE, list(session.scalars(notes.where(AtsNote.application_id.in_(ids))))))
    elif resource is Resource.CANDIDATE:
        forgotten.append((Resource.CANDIDATE_MEMBER, ids))
        own = notes.where(AtsNote.candidate_id.in_(ids), AtsNote.application_id.is_(None))
        forgotten.append((Resource.NOTE, list(session.scalars(own))))
    # A closed job has nothing hanging off it.
    now = utcnow()
    for kind, entity_ids in forgotten:
        if not entity_ids:
            continue
        session.execute(
            update(SyncState)
            .where(
                SyncState.tenant_id == tenant,
                SyncState.resource == kind.value,
                SyncState.entity_id.in_(entity_ids),
            )
            .values(
                synced_version=0,
                dirty_since=func.coalesce(SyncState.dirty_since, now),
                last_outcome=None,
                last_error=case(
                    (SyncState.synced_version > 0, "deleted from LinkedIn by a purge"), else_=None
                ),
            )
            .execution_options(synchronize_session=False)
        )
