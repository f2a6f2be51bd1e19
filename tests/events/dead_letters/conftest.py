"""Real dead letters: a Dramatiq worker in this process, on the project's RabbitMQ broker and
middleware, running test actors that fail for known reasons (or succeed).

``dead_letters`` sends one message of each kind and waits until every failure is in its ``Q.XQ``:

============  ===============  ==========================  ==============================
message       queue            actor                       ends as
============  ===============  ==========================  ==============================
rule_acme     profile_export   dlq_business_rule           business_rule
rule_globex   profile_export   dlq_business_rule           business_rule
flaky         profile_export   dlq_flaky                   transient_error, 3 attempts
no_actor      profile_export   dlq_missing_actor (absent)  unknown_actor
no_tenant     status_push      dlq_unknown_tenant          unknown_tenant
not_json      status_push      (body is not JSON)          unrecorded
ok            status_push      dlq_succeeds                processed, not dead
============  ===============  ==========================  ==============================
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import dramatiq
import pytest
from dramatiq.middleware import CurrentMessage

from events.dead_letters.queue import dead_letter_lengths
from events.messages import OutgoingMessage
from events.publisher import Publisher
from events.topology import Queue
from rsc.errors import BusinessRuleViolation, TransientError
from rsc.settings import get_settings
from tests.conftest import reset_process_state
from tests.waiting import TimedOut, eventually

#: Attempts of a message that keeps failing transiently (RSC_MAX_RETRIES=2: the first and two retries).
FLAKY_ATTEMPTS = 3

#: Personal data in every test event: `rsc dlq list` must never print it.
PERSONAL = {"candidate": {"name": "Jane Doe", "email": "jane.doe@example.com"}}


@dataclass
class DeadLetterWorld:
    broker: dramatiq.Broker
    publisher: Publisher
    worker: dramatiq.Worker | None = None
    #: Executions per message id.
    calls: Counter[str] = field(default_factory=Counter)
    #: Actors that succeed from now on ("the cause was fixed").
    healed: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def executed(self, actor: str) -> None:
        message = CurrentMessage.get_current_message()
        assert message is not None
        with self.lock:
            self.calls[message.message_id] += 1

    def send(
        self, actor: str, queue: Queue, *, tenant: str = "acme", event_type: str = "test.thing.v1"
    ) -> str:
        message_id = str(uuid.uuid4())
        event = {
            "id": f"evt-{message_id[:8]}",
            "source": "test://dlq",
            "type": event_type,
            "tenant": tenant,
            "data": PERSONAL,
        }
        message: dramatiq.Message[Any] = dramatiq.Message(
            queue_name=queue.value,
            actor_name=actor,
            args=(),
            kwargs={"event": event},
            options={},
            message_id=message_id,
            message_timestamp=int(time.time() * 1000),
        )
        self.publisher.publish_messages([OutgoingMessage(queue.value, message_id, message.encode())])
        return message_id

    def send_raw(self, queue: Queue, body: bytes, message_id: str) -> str:
        self.publisher.publish_messages([OutgoingMessage(queue.value, message_id, body)])
        return message_id

    def start(self) -> None:
        self.worker = dramatiq.Worker(self.broker, worker_threads=4, worker_timeout=100)
        self.worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop(timeout=10_000)
            self.worker = None

    def calls_of(self, message_id: str) -> int:
        with self.lock:
            return self.calls[message_id]


#: The queues these tests dead-letter into; other feature queues stay empty and are left out.
DLQ_TEST_QUEUES = (Queue.PROFILE_EXPORT, Queue.STATUS_PUSH)


def lengths() -> dict[Queue, int]:
    return {
        length.queue: length.messages or 0
        for length in dead_letter_lengths(get_settings())
        if length.queue in DLQ_TEST_QUEUES
    }


def wait_for_dead_letters(expected: dict[Queue, int], timeout: float = 30.0) -> None:
    try:
        eventually(lambda: lengths() == expected, timeout=timeout, what=f"dead letters {expected}")
    except TimedOut as exc:
        raise TimedOut(f"{exc}; the queues hold {lengths()}") from None


@pytest.fixture
def store_url(request: pytest.FixtureRequest) -> str:
    """SQLite unless a test is parametrized with ``indirect=True`` over ``["sqlite", "postgresql"]``."""
    kind = getattr(request, "param", "sqlite")
    return str(request.getfixturevalue("sqlite_url" if kind == "sqlite" else "postgres_url"))


@pytest.fixture
def world(rabbit: str, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[DeadLetterWorld]:
    """A running worker with the test actors; retries are fast and few."""
    monkeypatch.setenv("RSC_MAX_RETRIES", "2")
    monkeypatch.setenv("RSC_MIN_BACKOFF_MS", "20")
    monkeypatch.setenv("RSC_MAX_BACKOFF_MS", "100")
    reset_process_state()
    from workers.runtime.broker import create_broker
    from workers.runtime.wiring import UnknownTenant

    broker = create_broker(get_settings())
    world = DeadLetterWorld(broker=broker, publisher=Publisher(settings=get_settings()))

    def actor(name: str, queue: Queue) -> Callable[[Callable[[], None]], Any]:
        def register(fail: Callable[[], None]) -> Any:
            def run(event: dict[str, Any]) -> None:
                world.executed(name)
                if name not in world.healed:
                    fail()

            run.__name__ = name
            return dramatiq.actor(actor_name=name, queue_name=queue.value, broker=broker)(run)

        return register

    @actor("dlq_business_rule", Queue.PROFILE_EXPORT)
    def _rule() -> None:
        raise BusinessRuleViolation("job 'J-17' is closed; reopen it in the ATS and replay")

    @actor("dlq_flaky", Queue.PROFILE_EXPORT)
    def _flaky() -> None:
        raise TransientError("LinkedIn answered 503")

    @actor("dlq_unknown_tenant", Queue.STATUS_PUSH)
    def _tenant() -> None:
        raise UnknownTenant("tenant 'ghost' does not exist; create it with `rsc tenant create` and replay")

    @actor("dlq_succeeds", Queue.STATUS_PUSH)
    def _succeeds() -> None:
        return None

    world.start()
    try:
        yield world
    finally:
        world.stop()
        broker.close()
        world.publisher.close()


@dataclass(frozen=True)
class Sent:
    rule_acme: str
    rule_globex: str
    flaky: str
    no_actor: str
    no_tenant: str
    not_json: str
    ok: str


#: What ``dead_letters`` leaves in each ``Q.XQ``.
EXPECTED = {Queue.PROFILE_EXPORT: 4, Queue.STATUS_PUSH: 2}


@pytest.fixture
def dead_letters(world: DeadLetterWorld) -> Sent:
    sent = Sent(
        rule_acme=world.send("dlq_business_rule", Queue.PROFILE_EXPORT, tenant="acme"),
        rule_globex=world.send("dlq_business_rule", Queue.PROFILE_EXPORT, tenant="globex"),
        flaky=world.send("dlq_flaky", Queue.PROFILE_EXPORT),
        no_actor=world.send("dlq_missing_actor", Queue.PROFILE_EXPORT),
        no_tenant=world.send("dlq_unknown_tenant", Queue.STATUS_PUSH, tenant="ghost"),
        not_json=world.send_raw(Queue.STATUS_PUSH, b'{"actor_name": "dlq_succeeds", oops', "raw-not-json-1"),
        ok=world.send("dlq_succeeds", Queue.STATUS_PUSH),
    )
    wait_for_dead_letters(EXPECTED)
    eventually(lambda: world.calls_of(sent.ok) == 1, what="the succeeding message")
    return sent
