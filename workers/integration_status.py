"""A tenant's integration status as one JSON-ready dict: what the ATS's admin page shows.

LinkedIn's certification asks the ATS to show the integration's status in its admin page: whether the
customer enabled it, its Recruiter contracts, the seats connected to ATS users and those that are not,
the historical backfill's progress, and how many records do not sync (``workers.sync_report``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from store.db import Store
from store.tenants import TenantNotFound
from store.uow import OpsUnitOfWork, UnitOfWork
from workers.historical_backfill import progress
from workers.seat_mapping import unmapped
from workers.sync_report import problems


def integration_status(tenant_id: str, store: Store | None = None) -> dict[str, Any]:
    """The tenant's enablement, contracts, seats, backfill and sync problem counts (TenantNotFound)."""
    with OpsUnitOfWork(store) as ops:
        tenant = ops.tenants.get(tenant_id)
        if tenant is None:
            raise TenantNotFound(tenant_id)
        enablement = {
            "status": tenant.status,
            "reason": tenant.status_reason,
            "changed_at": tenant.status_changed_at,
            "syncing": tenant.syncs,
            "legacy_csa": tenant.legacy_csa,
        }
    with UnitOfWork(tenant_id, store) as uow:
        integrations = [
            {"type": i.integration_type, "context": i.context, "status": i.status, "checked_at": i.checked_at}
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
            }
            for c in uow.contracts.states()
        ]
        seats = [s for s in uow.seats.all() if s.is_active]
        loose = unmapped(uow)
        groups = problems(uow)
    run = progress(UnitOfWork(tenant_id, store))
    return {
        "tenant": tenant_id,
        "enablement": enablement,
        "integrations": integrations,
        "contracts": contracts,
        "seats": {
            "active": len(seats),
            "mapped": sum(1 for s in seats if s.user_id is not None),
            "unmapped": [s.urn for s in loose.seats],
            "users_without_seat": [u.id for u in loose.users],
        },
        "backfill": None if run is None else {**asdict(run), "done": run.done, "total": run.total},
        "sync_problems": {f"{g.kind}:{g.reason_code}": len(g.records) for g in groups},
    }
