"""The scheduler: asks workers for periodic work, one tick a second.

Every tick it enqueues an outbox sweep for each tenant that has records LinkedIn has not seen and
that no push holds, and the other periodic work below.

**A leader and standbys.** Two or more schedulers may run; the one holding the lease in the store
(``store.scheduler_leases``) leads and ticks, renewing the lease before each tick. The others stand
by and try to take it every ``RSC_SCHEDULER_STANDBY_POLL_S`` seconds; it is theirs once it has run
out (``RSC_SCHEDULER_LEASE_S`` after the leader's last renewal), so a leader killed, hung or cut off
from the database is replaced within the lease and a poll. A leader that cannot renew (the
database restarted, or a standby took over while it hung) stops ticking and stands by. Two ticks
overlapping at the hand-over are harmless: every request a tick makes is idempotent and held
(queued marks, runner requests), and the work it asks for takes its own per-tenant leases.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from events.messages import command_message
from events.publisher import EventPublisher, PublishError
from rsc.heap import collections_paused
from rsc.logs import get_logger
from rsc.metrics import SCHEDULER_LEADER
from rsc.settings import Settings
from schemas.commands import OutboxFlush
from store import scheduler_leases
from store.base import utcnow
from store.db import Store
from store.linkedin_sync import tenants_with_due_records
from store.tenants import syncing_tenant_ids
from workers.deletion_cascade.handlers import deletion_sweep_messages
from workers.deletion_cascade.purge_notices import purge_poll_messages
from workers.integration_lifecycle.secret_rotation import rotation_commands
from workers.profile_matching.matching import member_sweep_messages
from workers.prospect_polling.scheduler import ProspectScheduler
from workers.shared.backfill_runs import kick_messages
from workers.shared.outbox_sweep import pushable_resources
from workers.status_push.job_tasks import job_task_poll_messages

log = get_logger(__name__)

#: How often the scheduler looks for client secrets due a rotation (they are due after days).
ROTATION_CHECK_INTERVAL = timedelta(hours=1)


class Scheduler:
    def __init__(
        self,
        publisher: EventPublisher,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.publisher = publisher
        self.store = store
        self.settings = settings
        self.prospects = ProspectScheduler(publisher, self.store, self.settings)
        self._clock = clock
        self._next_rotation_check: datetime | None = None

    def tick(self) -> int:
        """Enqueue this tick's work; returns how many messages were sent."""
        # The tick reads and plans every seat of every tenant: objects that die with it (rsc.heap).
        with collections_paused():
            return self._tick()

    def _tick(self) -> int:
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
            + self._secret_rotations()
            + self._job_task_polls()
        )

    def _secret_rotations(self) -> int:
        """A rotation for each provisioned tenant whose client secret is due one (checked hourly)."""
        now = self._clock()
        if self._next_rotation_check is not None and now < self._next_rotation_check:
            return 0
        self._next_rotation_check = now + ROTATION_CHECK_INTERVAL
        commands = rotation_commands(self.store, now, self.settings.secret_rotation_days)
        if commands:
            self.publisher.publish_messages([command_message(c) for c in commands])
            log.info("secret rotations requested", count=len(commands))
        return len(commands)

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
        """Tick while this scheduler leads, stand by while another one does, until ``stop``."""
        lead = Leadership(self.store, timedelta(seconds=self.settings.scheduler_lease_s))
        log.info("scheduler started", interval_s=self.settings.scheduler_tick_s, holder=lead.holder)
        try:
            while not stop.is_set():
                if not lead.hold():
                    stop.wait(self.settings.scheduler_standby_poll_s)
                    continue
                try:
                    self.tick()
                except PublishError:
                    log.exception("scheduler could not enqueue; retrying next tick")
                except Exception:
                    log.exception("scheduler tick failed; retrying next tick")
                stop.wait(self.settings.scheduler_tick_s)
        finally:
            lead.release()


class Leadership:
    """This process's claim on the scheduler lease: taken, renewed, lost and given up."""

    def __init__(self, store: Store, lease: timedelta) -> None:
        self.store, self.lease = store, lease
        self.holder = f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.leading = False

    def hold(self) -> bool:
        """Take or renew the lease; False (standing by) when another scheduler holds it or the
        database cannot be reached."""
        try:
            with self.store.session(None) as session:
                held = scheduler_leases.acquire(session, self.holder, self.lease)
                session.commit()
        except Exception as exc:  # the database is down or restarting: lead again once it is back
            log.warning("scheduler lease not reachable; standing by", error_class=type(exc).__name__)
            held = False
        if held != self.leading:
            log.info("scheduler leads" if held else "scheduler stands by", holder=self.holder)
            SCHEDULER_LEADER.set(1 if held else 0)
        self.leading = held
        return held

    def release(self) -> None:
        if not self.leading:
            return
        try:
            with self.store.session(None) as session:
                scheduler_leases.release(session, self.holder)
                session.commit()
        except Exception as exc:  # it runs out by itself
            log.warning("scheduler lease not released", error_class=type(exc).__name__)
        self.leading = False
        SCHEDULER_LEADER.set(0)
