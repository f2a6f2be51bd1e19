"""The outbox sweep: push every record LinkedIn has not seen yet, in dependency order.

The scheduler asks for a sweep of each tenant with due records every few seconds. This is what
guarantees that nothing stays unsynced: a push that failed, a worker killed between its commit and
its push, a record held by a dead worker's lease (it expires) are all picked up here.

A record is due once it has been quiet for the grace period, or dirty for ``outbox_max_wait_s``
however often it changes: a burst of changes costs one push carrying the latest state. One sweep
runs per tenant at a time (``store.sweep_leases``), so a tenant's calls go one after another.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInRejected, LinkedInUnavailable
from rsc.logs import get_logger
from rsc.settings import Settings
from store.linkedin_sync import Resource
from store.sweep_leases import SweepLeases
from store.uow import UnitOfWork
from workers.shared.linkedin_push import SENDERS, push_pending

log = get_logger(__name__)

#: Jobs before their ACLs and the applications that reference them; candidates before their member
#: links; notes after the candidates and applications they hang off.
PUSH_ORDER = (
    Resource.JOB,
    Resource.JOB_ACL,
    Resource.CANDIDATE,
    Resource.CANDIDATE_MEMBER,
    Resource.APPLICATION,
    Resource.NOTE,
)
#: Batches of 100 one sweep message pushes per resource before it yields to other messages.
MAX_BATCHES = 20
#: How long a sweep's hold on its tenant outlives its last batch if its worker dies.
SWEEP_LEASE = timedelta(seconds=60)


def pushable_resources() -> list[Resource]:
    return [r for r in PUSH_ORDER if r in SENDERS]


@dataclass
class SweepReport:
    sent: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    interrupted: bool = False
    #: Another sweep of the tenant was running; this one did nothing.
    skipped: bool = False


def sweep_outbox(
    uow: UnitOfWork,
    linkedin: LinkedInClient,
    *,
    max_batches: int = MAX_BATCHES,
    grace: timedelta | None = None,
    max_wait: timedelta | None = None,
    settings: Settings,
) -> SweepReport:
    quiet_for = grace if grace is not None else timedelta(seconds=settings.outbox_grace_s)
    if max_wait is None:
        max_wait = timedelta(seconds=settings.outbox_max_wait_s)
    holder = uuid.uuid4().hex
    if not _hold(uow, holder):
        return SweepReport(skipped=True)
    try:
        return _sweep(
            uow,
            linkedin,
            holder=holder,
            max_batches=max_batches,
            quiet_for=quiet_for,
            max_wait=max_wait,
            settings=settings,
        )
    finally:
        with uow:
            SweepLeases(uow.session, uow.tenant).release(holder)
            uow.commit()


def _hold(uow: UnitOfWork, holder: str) -> bool:
    with uow:
        held = SweepLeases(uow.session, uow.tenant).acquire(holder, SWEEP_LEASE)
        uow.commit()
    return held


def _sweep(
    uow: UnitOfWork,
    linkedin: LinkedInClient,
    *,
    holder: str,
    max_batches: int,
    quiet_for: timedelta,
    max_wait: timedelta,
    settings: Settings,
) -> SweepReport:
    sweep = SweepReport()
    # No batch starts after the sweep's budget, once one batch was sent: a sweep always moves on.
    deadline = time.monotonic() + settings.sweep_budget_s
    sending = False
    with uow:
        # While a historical backfill runs, records it has not reached yet are its to send.
        bounds = uow.backfills.live_bounds()
    for resource in pushable_resources():
        if resource in bounds and bounds[resource] is None:
            continue
        for _ in range(max_batches):
            if (sending and time.monotonic() > deadline) or not _hold(uow, holder):
                return sweep
            try:
                report = push_pending(
                    uow,
                    linkedin,
                    resource,
                    quiet_for=quiet_for,
                    max_wait=max_wait,
                    within=bounds.get(resource),
                    settings=settings,
                )
            except LinkedInUnavailable as exc:
                # The records were released; the next sweep tries again.
                log.warning(
                    "outbox sweep interrupted", resource=resource.value, error_class=type(exc).__name__
                )
                sweep.interrupted = True
                return sweep
            except LinkedInRejected as exc:
                log.warning(
                    "linkedin refused a batch", resource=resource.value, error_class=type(exc).__name__
                )
                sweep.rejected += 1
                continue
            if report.not_syncing:
                sweep.skipped = True
                return sweep
            sending = sending or report.claimed > 0
            sweep.sent[resource.value] = sweep.sent.get(resource.value, 0) + report.sent
            sweep.rejected += len(report.rejected)
            if report.claimed == 0 or (report.failed and not report.synced):
                # Nothing left that is due, or LinkedIn failed every record: the next sweep goes on.
                break
    return sweep
