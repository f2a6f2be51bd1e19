"""The pipeline on quorum queues (``RSC_QUEUE_TYPE=quorum``), in a RabbitMQ virtual host of its own
(a queue cannot be redeclared as another type): the export scenario, and a crash loop that RabbitMQ
ends by dead-lettering the message at the delivery limit."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dramatiq
import kombu
import pytest
from dramatiq.common import xq_name

from events.dead_letters.letters import UNRECORDED
from events.dead_letters.queue import find_dead_letters
from events.messages import OutgoingMessage
from events.publisher import Publisher
from events.topology import Queue
from rsc.settings import get_settings
from store.db import get_store
from tests.conftest import reset_process_state
from tests.e2e.crashing_actor import CRASHING_ACTOR
from tests.e2e.pipeline import Pipeline
from tests.e2e.test_export_flow import (
    test_an_export_pushed_three_times_yields_one_candidate_and_one_application,
    test_poison_inputs_are_dead_lettered_with_their_reason_while_valid_exports_flow,
)
from tests.infra import fresh_vhost
from tests.waiting import eventually

#: Deliveries RabbitMQ allows before it dead-letters a message (RSC_DELIVERY_LIMIT).
DELIVERY_LIMIT = 3
ROOT = Path(__file__).resolve().parents[2]

__all__ = [
    "test_an_export_pushed_three_times_yields_one_candidate_and_one_application",
    "test_poison_inputs_are_dead_lettered_with_their_reason_while_valid_exports_flow",
]


@pytest.fixture
def rabbit(broker_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Overrides the session's classic virtual host: this module's tests run on quorum queues."""
    with fresh_vhost(broker_url) as url:
        if url == broker_url:
            pytest.skip("quorum queues need a virtual host of their own (a local RabbitMQ with rabbitmqctl)")
        monkeypatch.setenv("RSC_BROKER_URL", url)
        monkeypatch.setenv("RSC_QUEUE_TYPE", "quorum")
        monkeypatch.setenv("RSC_DELIVERY_LIMIT", str(DELIVERY_LIMIT))
        reset_process_state()
        yield url
        reset_process_state()


def test_the_queues_are_quorum_queues(pipeline: Pipeline, rabbit: str) -> None:
    pipeline.start_workers("worker", "profile_export")
    eventually(lambda: _queue_type(rabbit, "profile_export") == "quorum", what="quorum queues declared")
    assert _queue_type(rabbit, "profile_export.DQ") == "quorum"
    assert _queue_type(rabbit, "profile_export.XQ") == "quorum"


def test_a_message_that_crashes_its_worker_every_time_ends_in_the_dead_letter_queue(
    tmp_path: Path, sqlite_url: str, rabbit: str
) -> None:
    message_id = _send_crashing_message()
    crashes = 0
    workers = Pipeline(tmp_path, sqlite_url, rabbit, PYTHONPATH=str(ROOT))
    try:
        # Started again after every crash, as Kubernetes restarts a crashed pod.
        while not _dead(message_id):
            assert crashes <= DELIVERY_LIMIT, f"still not dead-lettered after {crashes} crashes"
            worker = workers.start(
                f"worker-{crashes}",
                "-m",
                "dramatiq",
                "tests.e2e.crashing_actor",
                "--processes",
                "1",
                "--threads",
                "1",
                "--queues",
                Queue.PROFILE_EXPORT.value,
                program=sys.executable,
            )
            code = _exit_code(worker, until=lambda: _dead(message_id))
            if code is None:
                workers.kill(f"worker-{crashes}")
                break
            crashes += 1
    finally:
        workers.stop()

    # Every delivery up to the limit crashed a worker; then RabbitMQ took the message off the queue.
    assert DELIVERY_LIMIT <= crashes <= DELIVERY_LIMIT + 1
    (letter,) = find_dead_letters(message_id, settings=get_settings(), store=get_store())
    assert letter.deaths[0].reason == "delivery_limit"
    assert letter.deaths[0].queue == Queue.PROFILE_EXPORT.value
    assert letter.reason_code == UNRECORDED  # no worker lived to record it
    assert "kept crashing or stalling workers" in letter.reason
    assert letter.message is not None and letter.message.actor_name == CRASHING_ACTOR


def _send_crashing_message() -> str:
    message_id = str(uuid.uuid4())
    message: dramatiq.Message[Any] = dramatiq.Message(
        queue_name=Queue.PROFILE_EXPORT.value,
        actor_name=CRASHING_ACTOR,
        args=(),
        kwargs={
            "event": {"id": "crash-1", "source": "test://crash", "type": "test.crash.v1", "tenant": "acme"}
        },
        options={},
        message_id=message_id,
        message_timestamp=int(time.time() * 1000),
    )
    publisher = Publisher(settings=get_settings())
    publisher.publish_messages([OutgoingMessage(Queue.PROFILE_EXPORT.value, message_id, message.encode())])
    publisher.close()
    return message_id


def _dead(message_id: str) -> bool:
    from rsc.settings import get_settings

    with kombu.Connection(get_settings().broker_url) as conn:
        ok = conn.default_channel.queue_declare(queue=xq_name(Queue.PROFILE_EXPORT.value), passive=True)
        return bool(ok.message_count) and bool(
            find_dead_letters(message_id, settings=get_settings(), store=get_store())
        )


def _exit_code(worker: subprocess.Popen[bytes], *, until: Any, timeout: float = 60) -> int | None:
    """The worker's exit code once it died, or None when ``until()`` held while it kept running."""
    ended = eventually(
        lambda: "exited" if worker.poll() is not None else "held" if until() else None,
        timeout=timeout,
        interval=0.2,
        what="the worker to crash or the message to be dead-lettered",
    )
    return worker.poll() if ended == "exited" else None


def _queue_type(url: str, name: str) -> str | None:
    """The queue's type as RabbitMQ reports it (rabbitmqctl; the test vhost is local)."""
    vhost = kombu.Connection(url).virtual_host
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "type"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout
    for line in listed.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == name:
            return parts[1]
    return None
