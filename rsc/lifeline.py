"""A process a worker group forks ends when the group's main process is gone.

Dramatiq's main process forks the worker processes and the metrics exporter. Killed with SIGKILL, it
cannot stop them: the workers would go on consuming and the exporter answering ``/readyz`` 200 for a
group that no longer exists. On Linux the kernel sends a child a signal of its choice when its parent
dies (``prctl(PR_SET_PDEATHSIG)``); each child asks for SIGTERM, which stops a Dramatiq worker process
gracefully (its in-memory messages go back to RabbitMQ). Elsewhere ``parent_alive`` still lets
readiness report the loss.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

#: prctl option: the signal the calling process gets when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


def end_with_parent(parent_pid: int, sig: int = signal.SIGTERM) -> bool:
    """Have the kernel send ``sig`` to this process when ``parent_pid`` dies; True where it can.

    A parent that died before this call is caught too: the process signals itself at once.
    """
    armed = False
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    if not parent_alive(parent_pid):
        os.kill(os.getpid(), sig)
    return armed


def parent_alive(parent_pid: int) -> bool:
    """Whether this process's parent is still ``parent_pid`` (an orphan is adopted by another)."""
    return os.getppid() == parent_pid
