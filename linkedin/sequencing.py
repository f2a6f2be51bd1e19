"""Batch calls of one customer app to one resource family go one after another, across every thread,
process and host (reference §4: batches of at most 100 records, "sent sequentially").

The HTTP core takes a *turn* for every batch call: first the (app, family) lock of its process, so
its threads queue in order without touching the store, then the (app, family) lease in the store
(``store.linkedin_batch_leases``), so other processes wait while the call is in flight. The turn
covers the rate limiter's admission and the call; the lease is given back as soon as the answer is
in. Calls of other families, and finders, are not held up: the rate limiter may interleave them.

A lease lasts a call's longest duration (``lease_s``); when admission waited for budget so long that
less than that is left, it is extended before the call is sent. A holder that dies leaves a lease
that expires. Waiting for a turn longer than ``max_wait_s`` hands the call back to the broker.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from linkedin.errors import LinkedInUnavailable
from rsc.logs import get_logger
from store.db import Store, get_store
from store.linkedin_batch_leases import BatchLeases

log = get_logger(__name__)

#: First pause before asking the store again for a lease another process holds (seconds); it
#: doubles up to ``MAX_POLL_S``, with jitter so waiting processes do not ask in step.
FIRST_POLL_S = 0.005
MAX_POLL_S = 0.1


class SequenceBusy(LinkedInUnavailable):
    """Another batch call of the app to the family kept its turn too long; retry later."""

    reason_code = "linkedin_sequence_busy"


def process_holder() -> str:
    """A name for this process's leases and claims, unique across hosts and restarts (64 chars)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass
class _Slot:
    """One (app, family) of this process: its lock, and the store lease while a call holds it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    lease_until: float = 0.0


class Turn:
    """A batch call's turn; ``ready`` before sending makes sure the lease covers the call."""

    def __init__(self, sequencer: BatchSequencer, app_id: str, family: str, slot: _Slot) -> None:
        self._sequencer = sequencer
        self._app_id = app_id
        self._family = family
        self._slot = slot

    def ready(self) -> None:
        """Extend the lease if less than a call's longest duration is left of it."""
        if self._slot.lease_until - self._sequencer.clock() < self._sequencer.lease_s:
            self._slot.lease_until = self._sequencer.take_lease(self._app_id, self._family, extend=True)


class BatchSequencer:
    """Turns of batch calls per (app, family), shared by every thread of a process."""

    def __init__(
        self,
        store: Callable[[], Store] = get_store,
        *,
        lease_s: float,
        max_wait_s: float,
        holder: str | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self.lease_s = lease_s
        self.max_wait_s = max_wait_s
        self.holder = holder or process_holder()
        self.clock = clock
        self._sleep = sleep
        self._slots: dict[tuple[str, str], _Slot] = {}
        self._guard = threading.Lock()
        #: Seconds this process's calls waited for their turn, and store round trips it took.
        self.waited_s = 0.0
        self.store_trips = 0

    @contextmanager
    def turn(self, app_id: str, family: str) -> Iterator[Turn]:
        """Hold the (app, family) turn: no other batch call of the app to the family is in flight."""
        started = self.clock()
        slot = self._slot(app_id, family)
        if not slot.lock.acquire(timeout=self.max_wait_s):
            raise SequenceBusy(
                f"another batch call to {family} held its turn for over {self.max_wait_s:.0f}s"
            )
        try:
            slot.lease_until = self.take_lease(app_id, family, deadline=started + self.max_wait_s)
            self.waited_s += self.clock() - started
            try:
                yield Turn(self, app_id, family, slot)
            finally:
                slot.lease_until = 0.0
                self._release(app_id, family)
        finally:
            slot.lock.release()

    def take_lease(
        self, app_id: str, family: str, *, deadline: float | None = None, extend: bool = False
    ) -> float:
        """Take the store's lease, waiting while another process holds it; when it ends."""
        pause = FIRST_POLL_S
        while True:
            now = self.clock()
            with self._store().session(None) as session:
                taken = BatchLeases(session).acquire(
                    app_id, family, self.holder, int(now * 1000), int(self.lease_s * 1000)
                )
                session.commit()
            self.store_trips += 1
            if taken:
                return now + self.lease_s
            if extend:
                # Our lease expired while admission waited and another process took it: the call
                # must wait its turn again rather than overlap theirs.
                raise SequenceBusy(
                    f"the turn for {family} passed to another process while waiting for budget"
                )
            if deadline is not None and now + pause > deadline:
                raise SequenceBusy(
                    f"another process kept its turn for batch calls to {family} over {self.max_wait_s:.0f}s"
                )
            self._sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311  (jitter, not a secret)
            pause = min(MAX_POLL_S, pause * 2)

    def _release(self, app_id: str, family: str) -> None:
        try:
            with self._store().session(None) as session:
                BatchLeases(session).release(app_id, family, self.holder)
                session.commit()
        except SQLAlchemyError:
            # The call is done and its answer must not be lost: the lease expires by itself instead.
            log.warning("could not give back a batch lease", endpoint=family, exc_info=True)
        self.store_trips += 1

    def _slot(self, app_id: str, family: str) -> _Slot:
        with self._guard:
            return self._slots.setdefault((app_id, family), _Slot())
