"""A tenant's integration status as one JSON-ready dict: what the ATS's admin page shows.

LinkedIn's certification asks the ATS to show the integration's status in its admin page: whether the
customer enabled it, its Recruiter contracts, the seats connected to ATS users and those that are not,
the historical backfill's progress, the job postings LinkedIn failed or never confirmed, and how many
records do not sync (``workers.ledger.report``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rsc.settings import Settings
from store.db import Store
from store.tenants import TenantNotFound
from store.uow import OpsUnitOfWork, UnitOfWork
from workers.historical_backfill.progress import progress
from workers.ledger.report import problems
from workers.prospect_polling.seat_mapping import unmapped


def integration_status(tenant_id: str, store: Store, *, settings: Settings) -> dict[str, Any]:
    """The tenant's enablement, contracts, seats, backfill and sync problem counts (TenantNotFound)."""
    with OpsUnitOfWork(store) as ops:
        tenant = ops.tenants.get(tenant_id)
        if tenant is None:
            raise TenantNotFound(f"tenant {tenant_id!r} does not exist; `rsc tenant list` shows them")
        enablement = {
            "status": tenant.status,
            "reason": tenant.status_reason,
            "changed_at": tenant.status_changed_at,
            "syncing": tenant.syncs,
            "legacy_csa": tenant.legacy_csa,
        }
        organization = tenant.org_urn
        skipped = [
            {"queue": c.queue, "reason_code": c.reason_code, "count": c.count, "last": c.last.isoformat()}
            for c in ops.skipped_messages.counts(tenant_id)
        ]
    with UnitOfWork(tenant_id, store) as uow:
        integrations = [
            {
                "type": i.integration_type,
                "context": i.context,
                "name": i.name,
                "status": i.status,
                "checked_at": i.checked_at,
            }
            for i in uow.integrations.all()
        ]
        contracts = [
            {
                "contract": c.urn,
                "csa_status": c.csa_status,
                "read": c.read,
                "why": c.why,
                "seats_read_at": c.seats_read_at,
                "seats_error": c.seats_error,
                "seats_failed_at": c.seats_failed_at,
                "seats_failures": c.seats_failures,
                "seats_retry_at": c.seats_retry_at,
            }
            for c in uow.contracts.states()
        ]
        active = [s for s in uow.seats.all() if s.is_active]
        loose = unmapped(uow)
        seats = {
            "active": len(active),
            "mapped": sum(1 for s in active if s.user_id is not None),
            "unmapped": [s.urn for s in loose.seats],
            "users_without_seat": [u.id for u in loose.users],
        }
        groups = problems(uow, settings=settings)
        parked = uow.parked_items.count_waiting()
        postings = {
            "counts": uow.job_postings.counts(),
            "failed": [
                {"job_id": t.job_id, "state": t.state, "task": t.task_id, "message": t.message}
                for t in uow.job_postings.failed()
            ],
        }
    run = progress(UnitOfWork(tenant_id, store), settings=settings)
    return {
        "tenant": tenant_id,
        "organization": organization,
        "enablement": enablement,
        "integrations": integrations,
        "contracts": contracts,
        "seats": seats,
        "backfill": None if run is None else {**asdict(run), "done": run.done, "total": run.total},
        "sync_problems": {f"{g.kind}:{g.reason_code}": len(g.records) for g in groups},
        "parked_items": parked,
        "skipped_messages": skipped,
        "job_postings": postings,
    }
