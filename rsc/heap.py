"""The garbage collector in long-running processes: what start-up loaded is frozen out of it, and
a burst of allocations can hold collections off until it is over.

After importing SQLAlchemy, pydantic, Dramatiq and the project's models, a process holds hundreds
of thousands of objects that live as long as it does. Every full (generation 2) collection walked
all of them, 65-80 ms on the project machine, while every thread of the process waited: one such
pause in a worker is a latency spike for every message it holds. Once start-up is over they are
moved to the permanent generation (``gc.freeze``), so full collections walk only what was made
since; cyclic garbage made later is still collected as before.

A scheduler tick at 1,000 tenants reads and plans 50,000 seats, whose rows live until the tick
ends and are then freed by reference counting. Collections while they are alive walk them again
and again (a third of the tick's CPU) and find nothing; ``collections_paused`` holds collections
off for such a stretch, and the next allocation after it collects what the stretch left behind,
if anything.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def freeze_startup_heap() -> None:
    """Collect what start-up left behind, then keep every surviving object out of later collections."""
    gc.collect()
    gc.freeze()


@contextmanager
def collections_paused() -> Iterator[None]:
    """No automatic collection while the block runs (one thread at a time uses this); collections
    resume when it ends, however it ends. Inside a block that already paused them, nothing changes."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
