"""CPU time the machine's processes spent, by kind (the Python workers, PostgreSQL, RabbitMQ), between
two moments: what a message costs in all, where a rate on a shared machine swings with the neighbours.

A ``CpuSampler`` reads every process's CPU time (``/proc/<pid>/stat``: user and system) a few times
a second in a thread of its own; ``spent(start, end)`` is what each kind spent between two wall-clock
times (``time.time()``), each process's time interpolated between the samples around them. A process
started after the first sample counts from zero; one that ended counts what it had spent.
"""

from __future__ import annotations

import os
import threading
import time
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path

KINDS = ("python", "postgres", "rabbitmq", "other")

#: pid -> (kind, CPU seconds so far)
Reading = dict[int, tuple[str, float]]

_TICKS = os.sysconf("SC_CLK_TCK")


def process_kind(name: str, command: str) -> str:
    """The kind of a process, from its name (``comm``) and command line."""
    if name.startswith("postgres") or command.startswith("postgres"):
        return "postgres"
    if name.startswith("beam") or "rabbit" in command:
        return "rabbitmq"
    if name.startswith("python") or "python" in command.split(" ", 1)[0]:
        return "python"
    return "other"


def read_processes(proc: Path = Path("/proc")) -> Reading:
    """Every process's kind and CPU seconds (user + system) so far."""
    reading: Reading = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        reading[int(entry.name)] = (process_kind(name, command), (int(fields[11]) + int(fields[12])) / _TICKS)
    return reading


class CpuSampler:
    """Samples ``read`` every ``interval`` seconds while it runs (``with CpuSampler() as cpu:``)."""

    def __init__(
        self,
        interval: float = 0.1,
        *,
        read: Callable[[], Reading] = read_processes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._interval = interval
        self._read = read
        self._clock = clock
        self._times: list[float] = []
        self._readings: list[Reading] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def __enter__(self) -> CpuSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def sample(self) -> None:
        at, reading = self._clock(), self._read()
        self._times.append(at)
        self._readings.append(reading)

    def spent(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds each kind spent from ``start`` to ``end`` (within the sampled time)."""
        totals = dict.fromkeys(KINDS, 0.0)
        for pid in {pid for reading in self._readings for pid in reading}:
            kind = next(r[pid][0] for r in self._readings if pid in r)
            totals[kind] += self._cpu_at(pid, end) - self._cpu_at(pid, start)
        return totals

    def _cpu_at(self, pid: int, at: float) -> float:
        """The process's CPU seconds at ``at``: interpolated between the samples around it."""
        seen = [(t, r[pid][1]) for t, r in zip(self._times, self._readings, strict=True) if pid in r]
        born = self._times.index(seen[0][0]) > 0  # first seen after the first sample: counts from 0
        points = ([(self._times[self._times.index(seen[0][0]) - 1], 0.0)] if born else []) + seen
        times = [t for t, _ in points]
        n = bisect_left(times, at)
        if n == 0:
            return points[0][1]
        if n == len(points):
            return points[-1][1]
        (t0, c0), (t1, c1) = points[n - 1], points[n]
        return c0 + (c1 - c0) * (at - t0) / (t1 - t0)
