"""The garbage collector in long-running processes: what start-up loaded is frozen out of it.

After importing SQLAlchemy, pydantic, Dramatiq and the project's models, a process holds hundreds
of thousands of objects that live as long as it does. Every full (generation 2) collection walked
all of them, 65-80 ms on the project machine, while every thread of the process waited: one such
pause in a worker is a latency spike for every message it holds. Once start-up is over they are
moved to the permanent generation (``gc.freeze``), so full collections walk only what was made
since; cyclic garbage made later is still collected as before.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect what start-up left behind, then keep every surviving object out of later collections."""
    gc.collect()
    gc.freeze()
