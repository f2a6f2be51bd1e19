"""The purge phases of a backfill run: what LinkedIn holds of a tenant deleted there, batch by batch,
and the deleted records' sync state forgotten here."""

from __future__ import annotations

from collections import Counter

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInUnavailable
from rsc.logs import get_logger
from store.linkedin_sync import Resource
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
        uow.backfills.forget_purged(resource, list(result.ok))
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
