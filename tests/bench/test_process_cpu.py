"""CPU time by process kind between two moments: processes told apart, each one's time interpolated
between samples, a process born or ended within the window counted for what it spent there."""

from __future__ import annotations

import os
import time

import pytest

from bench.process_cpu import CpuSampler, Reading, process_kind, read_processes


@pytest.mark.parametrize(
    ("name", "command", "kind"),
    [
        ("postgres", "postgres: 15/main: postgres test 127.0.0.1(5000) idle", "postgres"),
        ("beam.smp", "/usr/lib/erlang/erts-13/bin/beam.smp -W w -- -s rabbit boot", "rabbitmq"),
        ("rsc", "/srv/.venv/bin/python3 /srv/.venv/bin/rsc worker --queues status_push", "python"),
        ("python3", "python3 -m dramatiq bench.ceiling", "python"),
        ("redis-server", "redis-server 127.0.0.1:6379", "other"),
    ],
)
def test_a_process_is_told_by_its_name_and_command(name: str, command: str, kind: str) -> None:
    assert process_kind(name, command) == kind


def scripted(readings: list[Reading]) -> CpuSampler:
    """A sampler that took ``readings`` at times 0, 1, 2, ..."""
    clock = iter(range(len(readings)))
    feed = iter(readings)
    sampler = CpuSampler(read=lambda: next(feed), clock=lambda: float(next(clock)))
    for _ in readings:
        sampler.sample()
    return sampler


def test_each_process_s_time_is_interpolated_and_born_or_ended_ones_count_what_they_spent() -> None:
    sampler = scripted(
        [
            {1: ("python", 10.0), 2: ("postgres", 5.0)},
            {1: ("python", 11.0), 2: ("postgres", 5.5)},
            {1: ("python", 12.0), 3: ("rabbitmq", 0.4)},  # 2 ended, 3 was born
            {1: ("python", 12.0), 3: ("rabbitmq", 0.8)},
        ]
    )
    spent = sampler.spent(0.5, 2.5)
    assert spent["python"] == pytest.approx(1.5)  # 10.5 -> 12.0
    assert spent["postgres"] == pytest.approx(0.25)  # 5.25 -> 5.5 (its last)
    assert spent["rabbitmq"] == pytest.approx(0.6)  # from 0 at time 1 to 0.4 at 2, 0.6 at 2.5
    assert spent["other"] == 0.0
    # Outside the sampled time a process's time is its first or last reading.
    assert sampler.spent(-5, 0)["python"] == 0.0


def test_the_sampler_reads_this_machine_s_processes_while_it_runs() -> None:
    assert read_processes()[os.getpid()][0] == "python"
    with CpuSampler(interval=0.01) as cpu:
        start = time.time()
        deadline = time.thread_time() + 0.2
        while time.thread_time() < deadline:  # spend CPU
            pass
        end = time.time()
    assert cpu.spent(start, end)["python"] >= 0.1
