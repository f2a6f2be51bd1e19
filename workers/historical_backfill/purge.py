"""The purge phases of a backfill run: what LinkedIn holds of a tenant deleted there, batch by batch,
and the deleted records' sync state forgotten here."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import case, func, select, update

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInUnavailable
from rsc.logs import get_logger
from store.applications import ApplicationStage
from store.ats_notes import AtsNote
from store.base import utcnow
from store.linkedin_sync import Resource, SyncState
from store.uow import UnitOfWork

log = get_logger(__name__)


def purge_batch(
    uow: UnitOfWork, linkedin: LinkedInClient, resource: Resource, ids: list[str]
) -> Counter[str]:
    """Delete the batch from LinkedIn (one it does not hold counts as deleted)."""
    if resource is Resource.APPLICATION:
        result = linkedin.applications.delete(ids)
    else:
        result = linkedin.candidates.delete(ids)
    with uow:
        forget_batch(uow, resource, list(result.ok))
        for record_id, (status, _) in result.rejected.items():
            log.warning(
                "linkedin refused a delete", resource=resource.value, entity=record_id, status_code=status
            )
        uow.commit()
    if result.failed:
        raise LinkedInUnavailable(
            f"LinkedIn failed {len(result.failed)} of {len(ids)} deletes transiently; the batch is sent again"
        )
    return Counter({"sent": len(result.ok), "rejected": len(result.rejected)})


def forget_batch(uow: UnitOfWork, resource: Resource, ids: list[str]) -> None:
    """LinkedIn no longer holds these records (nor what it deletes with them): a later sync sends all."""
    if not ids:
        return
    forgotten: list[tuple[Resource, list[str]]] = [(resource, ids)]
    notes = select(AtsNote.id).where(AtsNote.tenant_id == uow.tenant)
    if resource is Resource.APPLICATION:
        uow.session.execute(
            update(ApplicationStage)
            .where(ApplicationStage.tenant_id == uow.tenant, ApplicationStage.application_id.in_(ids))
            .values(synced_at=None)
            .execution_options(synchronize_session=False)
        )
        forgotten.append(
            (Resource.NOTE, list(uow.session.scalars(notes.where(AtsNote.application_id.in_(ids)))))
        )
    else:
        forgotten.append((Resource.CANDIDATE_MEMBER, ids))
        forgotten.append(
            (
                Resource.NOTE,
                list(
                    uow.session.scalars(
                        notes.where(AtsNote.candidate_id.in_(ids), AtsNote.application_id.is_(None))
                    )
                ),
            )
        )
    now = utcnow()
    for kind, entity_ids in forgotten:
        if not entity_ids:
            continue
        uow.session.execute(
            update(SyncState)
            .where(
                SyncState.tenant_id == uow.tenant,
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
