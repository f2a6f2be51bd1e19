"""Batch calls of one customer app to one resource family go one after another, across every thread,
process and host (reference §4: batches of at most 100 records, "sent sequentially").

The HTTP core takes a *turn* for every batch call: first the (app, family) lock of its process, so
its threads queue in order without touching the store, then the (app, family) lease in the store
(``store.linkedin_batch_leases``), so other processes wait while the call is in flight. The turn
covers the rate limiter's admission and the call. Calls of other families, and finders, are not held
up: the rate limiter may interleave them.

A lease lasts a call's longest duration (``call_s``) and ``LEASE_MARGIN_S`` more; when admission
waited for budget so long that less than a call's duration is left, it is extended before the call
is sent. After the call the process keeps the lease for ``LINGER_S``: batches come in runs (a sweep
sends one application's stages after another's), and the next call of the run then costs no store
round trip. A background thread gives back a lease nobody used for ``LINGER_S``. One kept for
``MAX_KEEP_S`` is given back at the end of its call and not taken again for ``REST_S``, longer than
a waiting process's longest pause between two asks, so a long run of one process lets the others
have their turn. A holder that dies leaves a lease that expires. Waiting for a turn longer than
``max_wait_s`` hands the call back to the broker.
"""

from __future__ import annotations

import atexit
import math
import os
import random
import socket
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from linkedin.errors import LinkedInUnavailable
from rsc.logs import get_logger
from store.db import Store
from store.linkedin_batch_leases import BatchLeases

log = get_logger(__name__)

#: A lease lasts this much longer than a call may take, so admission may wait this long for budget
#: before the lease must be extended (seconds).
LEASE_MARGIN_S = 5.0
#: A lease is kept this long after a call for the next call of the same run (seconds).
LINGER_S = 0.02
#: First pause before asking the store again for a lease another process holds (seconds); it
#: doubles up to ``MAX_POLL_S``, with jitter (up to half more) so waiting processes do not ask in step.
FIRST_POLL_S = 0.005
MAX_POLL_S = 0.1
#: A lease kept this long is given back after its call (seconds); the lease is renewed about as
#: often anyway (``LEASE_MARGIN_S``).
MAX_KEEP_S = 5.0
#: After that the process leaves the lease alone this long: longer than a waiting process's longest
#: pause, so it gets its turn (seconds).
REST_S = 0.2


class SequenceBusy(LinkedInUnavailable):
    """Another batch call of the app to the family kept its turn too long; retry later."""

    reason_code = "linkedin_sequence_busy"


def process_holder() -> str:
    """A name for this process's leases and claims, unique across hosts and restarts (64 chars)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass
class _Slot:
    """One (app, family) of this process: its lock, and the store lease while the process holds it."""

    app_id: str
    family: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: When the lease the process holds ends (0: it holds none).
    lease_until: float = 0.0
    #: Since when the process holds it without having given it back.
    kept_since: float = 0.0
    #: When the background thread gives it back, unless a call takes it first.
    give_back_at: float = math.inf
    #: Until when the process leaves the lease to others after keeping it ``MAX_KEEP_S``.
    rest_until: float = 0.0
    #: The store the lease was taken in, where the giver gives it back (it never looks the store up
    #: itself: a background thread must not read the process's settings at any moment).
    store: Store | None = None


class Turn:
    """A batch call's turn; ``ready`` before sending makes sure the lease covers the call."""

    def __init__(self, sequencer: BatchSequencer, slot: _Slot) -> None:
        self._sequencer = sequencer
        self._slot = slot

    def ready(self) -> None:
        """Extend the lease if less than a call's longest duration is left of it."""
        if self._slot.lease_until - self._sequencer.clock() < self._sequencer.call_s:
            self._slot.lease_until = self._sequencer.take_lease(self._slot, extend=True)


class BatchSequencer:
    """Turns of batch calls per (app, family), shared by every thread of a process."""

    def __init__(
        self,
        store: Callable[[], Store],
        *,
        call_s: float,
        max_wait_s: float,
        holder: str | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        linger_s: float = LINGER_S,
    ) -> None:
        self._store = store
        #: A call's longest duration, and how long a lease lasts.
        self.call_s = call_s
        self.lease_s = call_s + LEASE_MARGIN_S
        self.max_wait_s = max_wait_s
        self.linger_s = linger_s
        self.holder = holder or process_holder()
        self.clock = clock
        self._sleep = sleep
        self._slots: dict[tuple[str, str], _Slot] = {}
        self._guard = threading.Lock()
        self._kept = threading.Condition()
        self._giver: threading.Thread | None = None
        self._closed = False
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
            slot.give_back_at = math.inf
            if slot.rest_until > self.clock():
                self._sleep(slot.rest_until - self.clock())
            if slot.lease_until - self.clock() < self.call_s:
                kept = slot.lease_until > self.clock()
                slot.lease_until = self.take_lease(slot, deadline=started + self.max_wait_s)
                if not kept:
                    slot.kept_since = self.clock()
            self.waited_s += self.clock() - started
            try:
                yield Turn(self, slot)
            finally:
                if self.linger_s <= 0 or self._closed:
                    self._give_back(slot)
                elif self.clock() - slot.kept_since >= MAX_KEEP_S:
                    self._give_back(slot)
                    slot.rest_until = self.clock() + REST_S
                else:
                    self._keep(slot)
        finally:
            slot.lock.release()

    def take_lease(self, slot: _Slot, *, deadline: float | None = None, extend: bool = False) -> float:
        """Take the store's lease, waiting while another process holds it; when it ends."""
        pause = FIRST_POLL_S
        slot.store = self._store()
        while True:
            now = self.clock()
            with slot.store.session(None) as session:
                taken = BatchLeases(session).acquire(
                    slot.app_id, slot.family, self.holder, int(now * 1000), int(self.lease_s * 1000)
                )
                session.commit()
            self.store_trips += 1
            if taken:
                return now + self.lease_s
            if extend:
                # Our lease expired while admission waited and another process took it: the call
                # must wait its turn again rather than overlap theirs.
                raise SequenceBusy(
                    f"the turn for {slot.family} passed to another process while waiting for budget"
                )
            if deadline is not None and now + pause > deadline:
                raise SequenceBusy(
                    f"another process kept its turn for batch calls to {slot.family} over "
                    f"{self.max_wait_s:.0f}s"
                )
            self._sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311  (jitter, not a secret)
            pause = min(MAX_POLL_S, pause * 2)

    def close(self) -> None:
        """Give back every lease this process keeps (it stops sending)."""
        with self._kept:
            self._closed = True
            self._kept.notify_all()
        for slot in list(self._slots.values()):
            with slot.lock:
                if slot.lease_until > 0:
                    self._give_back(slot)

    def _keep(self, slot: _Slot) -> None:
        """Keep the lease a moment for the run's next call; the giver gives it back after that."""
        with self._kept:
            slot.give_back_at = self.clock() + self.linger_s
            if self._giver is None:
                self._giver = threading.Thread(target=self._give_back_idle, name="batch-leases", daemon=True)
                self._giver.start()
                # A short-lived process (a CLI command) exits before the giver's next round: it gives
                # back what it keeps on the way out, or the next process would wait for the lease to
                # expire.
                atexit.register(_close_at_exit, weakref.ref(self))
            self._kept.notify()

    def _give_back_idle(self) -> None:
        """The giver: gives back every lease kept past its linger by a process no call took it from."""
        while True:
            with self._guard:
                slots = list(self._slots.values())
            with self._kept:
                if self._closed:
                    return
                wait = min((slot.give_back_at for slot in slots), default=math.inf) - self.clock()
                if wait > 0:
                    self._kept.wait(timeout=None if math.isinf(wait) else wait)
                    continue
            for slot in slots:
                if slot.give_back_at > self.clock():
                    continue
                if not slot.lock.acquire(blocking=False):
                    # A call is taking it over (and will keep it): look again in a moment.
                    self._sleep(0.001)
                    continue
                try:
                    if slot.give_back_at <= self.clock():
                        self._give_back(slot)
                finally:
                    slot.lock.release()

    def _give_back(self, slot: _Slot) -> None:
        """Give the lease back now (the slot's lock is held)."""
        slot.lease_until, slot.give_back_at = 0.0, math.inf
        if slot.store is None:
            return
        try:
            with slot.store.session(None) as session:
                BatchLeases(session).release(slot.app_id, slot.family, self.holder)
                session.commit()
        except SQLAlchemyError:
            # The call is done and its answer must not be lost: the lease expires by itself instead.
            log.warning("could not give back a batch lease", endpoint=slot.family, exc_info=True)
        self.store_trips += 1

    def _slot(self, app_id: str, family: str) -> _Slot:
        with self._guard:
            slot = self._slots.get((app_id, family))
            if slot is None:
                slot = self._slots[(app_id, family)] = _Slot(app_id, family)
            return slot


def _close_at_exit(sequencer: weakref.ref[BatchSequencer]) -> None:
    alive = sequencer()
    if alive is not None:
        alive.close()
