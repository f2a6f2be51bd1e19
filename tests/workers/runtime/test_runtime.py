"""Per-process resources of a worker: what it gives back when it stops."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker

from linkedin.client import LinkedInClients
from workers.runtime.wiring import LinkedInShutdown, linkedin_clients, reset_runtime, use_linkedin_clients


class ClosingClients(LinkedInClients):
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def clients() -> Iterator[ClosingClients]:
    clients = ClosingClients()
    use_linkedin_clients(clients)
    yield clients
    reset_runtime()


def test_a_worker_that_stops_closes_its_linkedin_clients(clients: ClosingClients) -> None:
    broker = StubBroker(middleware=[LinkedInShutdown()])
    worker = Worker(broker, worker_threads=1)
    worker.start()
    assert clients.closed == 0
    worker.stop()
    # Closed once (their leases go back to the store); a later handler gets new ones.
    assert clients.closed == 1
    assert linkedin_clients() is not clients
    reset_runtime()
