"""Batch calls of one customer app to one resource family are never in flight together, whichever
thread or process sends them; other families, other apps and finders are not held up. Two
``LinkedInClients`` on one store stand for two worker processes; both stores."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import select

from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.sequencing import BatchSequencer, SequenceBusy
from linkedin.transport import Request, Response
from rsc.settings import get_settings, reset_settings
from store.db import Store
from store.integrations import IntegrationType
from store.linkedin_batch_leases import BatchLease, BatchLeases
from tests.helpers import ORG
from tests.waiting import eventually

BODY = {"firstName": "Ada", "atsCreatedAt": 1, "atsLastModifiedAt": 1, "addresses": [], "phoneNumbers": []}
APPLICATION = {"atsJobPostingId": "J-1", "atsJobPostingName": "Engineer", "firstName": "Ada"}


def reply(code: int, body: object) -> Response:
    return Response(code, {}, json.dumps(body).encode())


def family(request: Request) -> str:
    """Candidates, integrations, applications or their stages, on either API shape."""
    if request.path.endswith("/stages"):
        return "stages"
    if "ntegrations" in request.path:
        return "integrations"
    return "candidates" if "andidates" in request.path else "applications"


class SlowLinkedIn:
    """Answers every call after ``call_s``, and records how many calls of each app and family were in
    flight at once; ``hold`` lets a test keep a family's batch calls open until it says so."""

    def __init__(self, call_s: float = 0.02) -> None:
        self.call_s = call_s
        self.in_flight: Counter[tuple[str, str]] = Counter()
        self.most: Counter[tuple[str, str]] = Counter()
        self.hold: dict[str, threading.Event] = {}
        self.arrived: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def send(self, request: Request, *, timeout_s: float) -> Response:
        if request.path == "/oauth/v2/accessToken":
            return reply(200, {"access_token": "t", "expires_in": 1800})
        key = (request.headers["Authorization"], family(request))
        with self._lock:
            self.in_flight[key] += 1
            self.most[key] = max(self.most[key], self.in_flight[key])
        self.arrived.setdefault(family(request), threading.Event()).set()
        gate = self.hold.get(family(request))
        if gate is not None and "ids" in request.query:
            gate.wait(timeout=10)
        time.sleep(self.call_s)
        with self._lock:
            self.in_flight[key] -= 1
        keys = json.loads(request.content)["entities"] if request.content else {}
        return reply(200, {"results": {k: {"status": 204} for k in keys}, "errors": {}, "elements": []})

    def close(self) -> None:
        pass


class Tokens:
    """Every app its own token, so the fake tells apps apart by it."""

    def __init__(self, linkedin: SlowLinkedIn) -> None:
        self.linkedin = linkedin

    def send(self, request: Request, *, timeout_s: float) -> Response:
        if request.path == "/oauth/v2/accessToken":
            app = dict(part.split("=") for part in (request.content or b"").decode().split("&"))["client_id"]
            return reply(200, {"access_token": f"token-of-{app}", "expires_in": 1800})
        return self.linkedin.send(request, timeout_s=timeout_s)

    def close(self) -> None:
        pass


def process(linkedin: SlowLinkedIn, store: Store, app: str = "acme-client") -> LinkedInClient:
    clients = LinkedInClients(get_settings(), transport=Tokens(linkedin), store=lambda: store)
    return clients.for_app(AppCredentials(app, "secret"), ORG)


def in_threads(calls: list[Callable[[], object]]) -> None:
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


@pytest.fixture(autouse=True)
def _fake_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://li")
    reset_settings()


def test_batches_of_one_app_to_one_family_are_never_in_flight_together(store: Store) -> None:
    linkedin = SlowLinkedIn()
    first, second = process(linkedin, store), process(linkedin, store)
    calls: list[Callable[[], object]] = []
    for client in (first, second):
        calls += [partial(client.candidates.upsert, {f"C-{i}": BODY}) for i in range(4)]
        calls += [
            partial(client.applications.stages(f"A-{i}").upsert, {"T": {"stage": "New"}}) for i in range(4)
        ]
    in_threads(calls)
    app = "Bearer token-of-acme-client"
    assert linkedin.most[(app, "candidates")] == 1
    assert linkedin.most[(app, "stages")] == 1
    assert sum(linkedin.in_flight.values()) == 0


def test_other_families_and_other_apps_are_not_held_up(store: Store) -> None:
    linkedin = SlowLinkedIn()
    # A candidates batch stays in flight until an applications batch of the same app and a
    # candidates batch of another app have arrived: were they held up, it would wait 10 s.
    linkedin.hold["candidates"] = threading.Event()
    acme, globex = process(linkedin, store), process(linkedin, store, app="globex-client")
    started = time.monotonic()

    def release_when_others_arrive() -> None:
        linkedin.arrived.setdefault("applications", threading.Event()).wait(timeout=10)
        eventually(
            lambda: linkedin.in_flight[("Bearer token-of-globex-client", "candidates")],
            timeout=10,
            interval=0.005,
            what="globex's candidates batch to arrive",
        )
        linkedin.hold["candidates"].set()

    in_threads(
        [
            lambda: acme.candidates.upsert({"C-1": BODY}),
            lambda: acme.applications.upsert({"A-1": APPLICATION}),
            lambda: globex.candidates.upsert({"C-1": BODY}),
            release_when_others_arrive,
        ]
    )
    assert time.monotonic() - started < 5


def test_finders_are_not_held_up_by_a_batch_in_flight(store: Store) -> None:
    linkedin = SlowLinkedIn()
    linkedin.hold["integrations"] = threading.Event()
    client = process(linkedin, store)
    integration = (IntegrationType.ONE_CLICK_EXPORT, ORG)
    batch = threading.Thread(target=client.integrations.name, args=({integration: "Acme"},))
    batch.start()
    linkedin.arrived.setdefault("integrations", threading.Event()).wait(timeout=10)
    # The same family's finder (q=request) goes while the batch is in flight.
    started = time.monotonic()
    client.integrations.status_change("r-1")
    assert time.monotonic() - started < 2
    linkedin.hold["integrations"].set()
    batch.join()


def test_a_lease_another_process_holds_is_waited_for_and_one_left_by_a_dead_one_expires(store: Store) -> None:
    with store.session(None) as session:
        BatchLeases(session).acquire(
            "acme-client", "atsCandidates", "dead-host", int(time.time() * 1000), 500
        )
        session.commit()
    started = time.monotonic()
    process(SlowLinkedIn(), store).candidates.upsert({"C-1": BODY})
    assert 0.4 <= time.monotonic() - started < 5


def test_a_turn_not_had_in_time_goes_back_to_the_broker(store: Store) -> None:
    with store.session(None) as session:
        BatchLeases(session).acquire(
            "acme-client", "atsCandidates", "busy-host", int(time.time() * 1000), 60_000
        )
        session.commit()
    sequencer = BatchSequencer(lambda: store, call_s=20, max_wait_s=0.3)
    started = time.monotonic()
    with pytest.raises(SequenceBusy, match="atsCandidates"), sequencer.turn("acme-client", "atsCandidates"):
        pass
    assert 0.2 <= time.monotonic() - started < 2


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_lease_running_short_is_extended_before_the_call_or_the_call_waits_again(store: Store) -> None:
    clock = Clock()
    # Calls take up to 10 s, a lease lasts 15 s.
    sequencer = BatchSequencer(
        lambda: store, call_s=10, max_wait_s=1, holder="host-a", clock=clock, linger_s=0
    )
    with sequencer.turn("acme-client", "atsCandidates") as turn:
        clock.now += 4  # admission waited 4 s for budget: the lease still covers a call
        turn.ready()
        with store.session(None) as session:  # not extended: it ends 11 s from now (not committed)
            leases = BatchLeases(session)
            assert leases.acquire("acme-client", "atsCandidates", "host-b", int((clock.now + 11.5) * 1000), 1)
        clock.now += 3  # 7 s in all: 8 s are left, less than a call may take
        turn.ready()
        with store.session(None) as session:
            # Extended to a whole lease from now: another process is still kept out.
            assert not BatchLeases(session).acquire(
                "acme-client", "atsCandidates", "host-b", int((clock.now + 14) * 1000), 10_000
            )
    with sequencer.turn("acme-client", "atsCandidates") as turn:
        clock.now += 16  # the lease expired while waiting, and another process took the turn
        with store.session(None) as session:
            assert BatchLeases(session).acquire(
                "acme-client", "atsCandidates", "host-b", int(clock.now * 1000), 10_000
            )
            session.commit()
        with pytest.raises(SequenceBusy, match="passed to another process"):
            turn.ready()


def test_a_run_of_batch_calls_keeps_its_lease_and_gives_it_back_when_the_run_ends(store: Store) -> None:
    linkedin = SlowLinkedIn(call_s=0)
    clients = LinkedInClients(get_settings(), transport=Tokens(linkedin), store=lambda: store)
    first = clients.for_app(AppCredentials("acme-client", "secret"), ORG)
    for i in range(20):
        first.applications.stages(f"A-{i}").upsert({"T": {"stage": "New"}})
    # One lease for the run, not one taken and given back per call.
    assert clients.sequencer.store_trips <= 2
    # Once the run is over, another process has its turn at once.
    started = time.monotonic()
    process(linkedin, store).applications.stages("A-x").upsert({"T": {"stage": "New"}})
    assert time.monotonic() - started < 1
    first.applications.stages("A-y").upsert({"T": {"stage": "New"}})
    clients.close()
    with store.session(None) as session:  # closing gave back what it kept
        assert BatchLeases(session).acquire("acme-client", "atsApplicationStages", "host-b", 0, 1)


def test_a_long_run_of_one_process_lets_a_waiting_process_have_its_turn(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("linkedin.sequencing.MAX_KEEP_S", 0.3)
    linkedin = SlowLinkedIn(call_s=0.005)
    busy = process(linkedin, store)
    running = threading.Event()
    stop = threading.Event()

    def long_run() -> None:
        i = 0
        while not stop.is_set():
            busy.candidates.upsert({f"C-{i}": BODY})
            running.set()
            i += 1

    runner = threading.Thread(target=long_run)
    runner.start()
    try:
        running.wait(timeout=10)
        started = time.monotonic()
        process(linkedin, store).candidates.upsert({"C-other": BODY})
        waited = time.monotonic() - started
    finally:
        stop.set()
        runner.join()
    assert waited < 2, f"the waiting process had its turn after {waited:.1f}s"


#: A short-lived process (a CLI command): one batch call, then it exits.
ONE_CALL_AND_EXIT = """
import json, sys
from linkedin.auth import AppCredentials
from linkedin.client import LinkedInClients
from linkedin.transport import Response

class Accepting:
    def send(self, request, *, timeout_s):
        if request.path == "/oauth/v2/accessToken":
            return Response(200, {}, b'{"access_token": "t", "expires_in": 1800}')
        keys = json.loads(request.content)["entities"]
        return Response(200, {}, json.dumps({"results": {k: {"status": 204} for k in keys}}).encode())
    def close(self):
        pass

from rsc.settings import get_settings
from store.db import get_store
clients = LinkedInClients(get_settings(), get_store, transport=Accepting())
client = clients.for_app(AppCredentials("acme-client", "s"), sys.argv[1])
assert set(client.candidates.upsert({"C-1": {"firstName": "Ada"}}).ok) == {"C-1"}
"""


def test_a_process_that_exits_right_after_a_call_gives_its_lease_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_DATABASE_URL", store.url)
    done = subprocess.run(
        [sys.executable, "-c", ONE_CALL_AND_EXIT, ORG],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with store.session(None) as session:
        assert session.scalars(select(BatchLease)).all() == []
