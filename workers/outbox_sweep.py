"""The outbox sweep: push every record LinkedIn has not seen yet, in dependency order.

The scheduler asks for a sweep of each tenant with due records every few seconds. This is what
guarantees that nothing stays unsynced: a push that failed, a worker killed between its commit and
its push, a record held by a dead worker's lease (it expires) are all picked up here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInRejected, LinkedInUnavailable
from rsc.logs import get_logger
from rsc.settings import get_settings
from store.linkedin_sync import Resource
from store.uow import UnitOfWork
from workers.linkedin_push import SENDERS, push_pending

log = get_logger(__name__)

#: Jobs before the applications that reference them; candidates before their member links.
PUSH_ORDER = (Resource.JOB, Resource.CANDIDATE, Resource.CANDIDATE_MEMBER, Resource.APPLICATION)
#: Batches of 100 one sweep message pushes per resource before it yields to other messages.
MAX_BATCHES = 20


def pushable_resources() -> list[Resource]:
    return [r for r in PUSH_ORDER if r in SENDERS]


@dataclass
class SweepReport:
    sent: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    interrupted: bool = False


def sweep_outbox(
    uow: UnitOfWork,
    linkedin: LinkedInClient,
    *,
    max_batches: int = MAX_BATCHES,
    grace: timedelta | None = None,
) -> SweepReport:
    sweep = SweepReport()
    quiet_for = grace if grace is not None else timedelta(seconds=get_settings().outbox_grace_s)
    for resource in pushable_resources():
        for _ in range(max_batches):
            try:
                report = push_pending(uow, linkedin, resource, quiet_for=quiet_for)
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
            sweep.sent[resource.value] = sweep.sent.get(resource.value, 0) + report.sent
            sweep.rejected += len(report.rejected)
            if report.sent == 0 and not report.rejected:
                break
    return sweep
