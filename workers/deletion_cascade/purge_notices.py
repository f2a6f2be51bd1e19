"""Purge notices: read ``atsPurgedExportedCandidates`` on a schedule and record each notice once.

The scheduler asks for a poll of each enabled tenant every ``RSC_PURGE_POLL_INTERVAL_S`` (a day by
default; LinkedIn requires at least every 30 days). The first poll reads from the beginning; each
later one from where the previous one ended, less an overlap for items LinkedIn lists late. Each
notice is stored with the candidate linked to that member, and listed by ``rsc privacy notices`` for
the customer to decide (see ``store.purge_notices``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from events.messages import OutgoingMessage, command_message
from linkedin.client import LinkedInClient
from linkedin.purges import PurgedCandidate
from rsc.crypto import Keyring
from rsc.logs import get_logger
from rsc.settings import Settings
from schemas.commands import PurgeNoticePoll
from store.base import to_ms, utcnow
from store.purge_notices import claim_due_purge_polls
from store.tenants import Tenant, TenantStatus
from store.tombstones import Subject, subject_of
from store.uow import UnitOfWork

log = get_logger(__name__)

#: The actor of a purge notice poll (``workers.actors``), asked for by the scheduler.
#: Each poll re-reads this much before where the previous one ended (items listed a little late).
OVERLAP = timedelta(days=1)


@dataclass(frozen=True)
class PurgePollReport:
    read: int
    new: int
    #: Elements that were malformed or named another organization (counted, not stored).
    ignored: int
    calls: int


def notice_id(keyring: Keyring, tenant: str, item: PurgedCandidate) -> str:
    return keyring.keyed_hash(
        "purge-notice", tenant, item.person_urn, str(item.purged_at_ms), item.export_type or ""
    )


def poll_purge_notices(
    command: PurgeNoticePoll, uow: UnitOfWork, linkedin: LinkedInClient, *, settings: Settings
) -> PurgePollReport:
    """Read the notices purged since the last poll and record the new ones."""
    tenant = command.tenant
    now = utcnow()
    with uow:
        cursor = uow.purge_notices.cursor()
        polled_until = cursor.polled_until_ms if cursor is not None else None
        uow.commit()
    start = None if polled_until is None else max(0, polled_until - int(OVERLAP.total_seconds() * 1000))
    end = to_ms(now) + 1
    elements, calls = linkedin.purged_candidates.list(start, end)
    new = ignored = 0
    with uow:
        for element in elements:
            try:
                item = PurgedCandidate.model_validate(element)
            except ValidationError:
                ignored += 1
                continue
            if item.integration_context not in (None, linkedin.org_urn):
                ignored += 1
                continue
            candidate = uow.candidates.by_person_urn(item.person_urn)
            new += uow.purge_notices.add(
                notice_id=notice_id(uow.keyring, tenant, item),
                member_subject=subject_of(uow.keyring, tenant, Subject.MEMBER, item.person_urn),
                candidate_id=candidate.id if candidate is not None else None,
                export_type=item.export_type,
                purged_at=datetime.fromtimestamp(item.purged_at_ms / 1000, UTC),
            )
        interval = timedelta(seconds=settings.purge_poll_interval_s)
        uow.purge_notices.polled(end - 1, now + interval)
        uow.commit()
    if ignored:
        log.warning("purge notices ignored", count=ignored, reason="malformed or another organization's")
    log.info("purge notices read", records=len(elements), count=new, calls=calls)
    return PurgePollReport(read=len(elements), new=new, ignored=ignored, calls=calls)


def purge_poll_messages(session: Session) -> list[OutgoingMessage]:
    """A purge notice poll for each enabled tenant whose poll is due (the scheduler's tick)."""
    tenants = list(
        session.scalars(
            select(Tenant.id).where(Tenant.status == TenantStatus.ENABLED.value).order_by(Tenant.id)
        )
    )
    if not tenants:
        return []
    due = claim_due_purge_polls(session, tenants)
    session.commit()
    return [command_message(PurgeNoticePoll(tenant=tenant)) for tenant in due]
