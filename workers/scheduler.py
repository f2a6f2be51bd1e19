"""The scheduler: one process (a singleton in production) that asks workers for periodic work.

Every tick it enqueues an outbox sweep for each tenant that has records LinkedIn has not seen and
that no push holds. Running two schedulers by mistake is harmless (sweeps are idempotent), only
wasteful.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from events.messages import command_message
from events.publisher import EventPublisher, PublishError
from rsc.logs import get_logger
from rsc.settings import Settings, get_settings
from schemas.commands import OutboxFlush
from store.db import Store, get_store
from store.linkedin_sync import tenants_with_due_records
from store.tenants import syncing_tenant_ids
from workers.deletion_cascade.handlers import deletion_sweep_messages
from workers.deletion_cascade.purge_notices import purge_poll_messages
from workers.profile_matching.matching import member_sweep_messages
from workers.prospect_polling.scheduler import ProspectScheduler
from workers.shared.backfill_runs import kick_messages
from workers.shared.outbox_sweep import pushable_resources
from workers.status_push.job_tasks import job_task_poll_messages

log = get_logger(__name__)


class Scheduler:
    def __init__(
        self, publisher: EventPublisher, store: Store | None = None, settings: Settings | None = None
    ) -> None:
        self.publisher = publisher
        self.store = store or get_store()
        self.settings = settings or get_settings()
        self.prospects = ProspectScheduler(publisher, self.store, self.settings)

    def tick(self) -> int:
        """Enqueue this tick's work; returns how many messages were sent."""
        with self.store.session(None) as session:
            tenants = tenants_with_due_records(
                session,
                pushable_resources(),
                quiet_for=timedelta(seconds=self.settings.outbox_grace_s),
                max_wait=timedelta(seconds=self.settings.outbox_max_wait_s),
            )
            # Nothing is pushed for a tenant whose integration is not enabled.
            syncing = syncing_tenant_ids(session)
            tenants = [t for t in tenants if t in syncing]
        messages = [command_message(OutboxFlush(tenant=t)) for t in tenants]
        if messages:
            self.publisher.publish_messages(messages)
            log.info("outbox sweeps requested", count=len(messages))
        return (
            len(messages)
            + self._profile_match_sweeps()
            + self.prospects.tick()
            + self._privacy_work()
            + self._backfills()
            + self._job_task_polls()
        )

    def _job_task_polls(self) -> int:
        """A poll of the posting tasks of each enabled tenant with tasks due (``status_push.job_tasks``)."""
        with self.store.session(None) as session:
            messages = job_task_poll_messages(session)
        if messages:
            self.publisher.publish_messages(messages)
            log.info("job posting task polls requested", count=len(messages))
        return len(messages)

    def _backfills(self) -> int:
        """A runner for each historical backfill nobody works on (a new run, or its worker died)."""
        messages = kick_messages(self.store)
        if messages:
            self.publisher.publish_messages(messages)
            log.info("backfill runners requested", count=len(messages))
        return len(messages)

    def _profile_match_sweeps(self) -> int:
        """Re-matching for each tenant whose LinkedIn members changed (``profile_matching.matching``)."""
        with self.store.session(None) as session:
            messages = member_sweep_messages(session)
        if messages:
            self.publisher.publish_messages(messages)
            log.info("profile match sweeps requested", count=len(messages))
        return len(messages)

    def _privacy_work(self) -> int:
        """Deletes LinkedIn has not confirmed yet, and purge notice polls that are due."""
        with self.store.session(None) as session:
            messages = deletion_sweep_messages(session) + purge_poll_messages(session)
        if messages:
            self.publisher.publish_messages(messages)
            log.info("privacy work requested", count=len(messages))
        return len(messages)

    def run(self, stop: threading.Event) -> None:
        log.info("scheduler started", interval_s=self.settings.scheduler_tick_s)
        while not stop.is_set():
            try:
                self.tick()
            except PublishError:
                log.exception("scheduler could not enqueue; retrying next tick")
            except Exception:
                log.exception("scheduler tick failed; retrying next tick")
            stop.wait(self.settings.scheduler_tick_s)
