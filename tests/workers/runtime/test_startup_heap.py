"""Worker processes freeze what start-up loaded out of the garbage collector (``rsc.heap``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from dramatiq import Middleware
from dramatiq.brokers.stub import StubBroker

from rsc.heap import freeze_startup_heap
from rsc.settings import get_settings
from workers.runtime.broker import middleware
from workers.runtime.middleware import StartupHeap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freezing_moves_the_survivors_out_of_the_collected_generations(unfrozen: None) -> None:
    kept = [object() for _ in range(1000)]
    assert gc.get_freeze_count() == 0
    freeze_startup_heap()
    assert gc.get_freeze_count() >= len(kept)
    # Collections go on for what is made afterwards: a cycle made now is still garbage collected.
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


def test_every_worker_process_freezes_its_heap_once_booted(unfrozen: None) -> None:
    stack: list[Middleware] = [m for m in middleware(get_settings()) if isinstance(m, StartupHeap)]
    assert len(stack) == 1
    broker = StubBroker(middleware=stack)
    assert gc.get_freeze_count() == 0
    broker.emit_after("process_boot")
    assert gc.get_freeze_count() > 0
