"""A forked process ends with its parent: the kernel sends it the signal it asked for once the parent
is gone, a parent already gone when it asks is caught at once, and ``parent_alive`` tells readiness the
same. Real processes, no mocks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rsc.lifeline import parent_alive

#: The kernel's parent-death signal and /proc, where these tests read a process's state, are Linux's.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

#: A child that asks to end with the parent whose pid it is given (after ``delay`` seconds), and says so.
CHILD = """
import sys, time
from rsc.lifeline import end_with_parent
time.sleep(float(sys.argv[2]))
print("armed", end_with_parent(int(sys.argv[1])), flush=True)
time.sleep(30)
"""

#: A parent that starts the child, writes its pid and exits after ``lives`` seconds.
PARENT = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), sys.argv[2]],
                         stdout=open(sys.argv[3], "w"))
print(child.pid, flush=True)
time.sleep(float(sys.argv[4]))
"""


def child_outlives_parent(tmp_path: Path, *, arm_after: float, parent_lives: float) -> tuple[bool, str]:
    """Whether the child was still running 10 s after its parent ended, and what it printed."""
    said = tmp_path / "child.out"
    parent = subprocess.run(
        [sys.executable, "-c", PARENT, CHILD, str(arm_after), str(said), str(parent_lives)],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    child = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(child):
        time.sleep(0.1)
    running = _running(child)
    if running:
        os.kill(child, 9)
    return running, said.read_text()


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's"
)
def test_a_child_ends_when_its_parent_dies(tmp_path: Path) -> None:
    running, said = child_outlives_parent(tmp_path, arm_after=0, parent_lives=2)
    assert said == "armed True\n"
    assert not running


def test_a_child_whose_parent_died_before_it_asked_ends_at_once(tmp_path: Path) -> None:
    running, said = child_outlives_parent(tmp_path, arm_after=1, parent_lives=0)
    assert said == ""  # it signalled itself before it could say it was armed
    assert not running


def test_this_process_knows_its_parent() -> None:
    assert parent_alive(os.getppid())
    assert not parent_alive(os.getppid() + 1_000_000)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
