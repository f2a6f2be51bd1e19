"""The ceilings a feature is compared with: raw RabbitMQ, and bare Dramatiq actors.

- **raw RabbitMQ**: persistent messages published to a durable queue with pika (no confirms), then
  consumed and acknowledged one by one with a prefetch of 200: what the broker and an AMQP client
  do with nothing else in the way;
- **bare actor**: a Dramatiq actor that does nothing, on the project's broker and middleware;
- **bare actor, one commit**: the same actor committing one one-row transaction per message (as
  ``bench.ceiling``, plus the time of the write, so its latency can be read back).

The actors note when they ran without slowing themselves down: the bare actor appends one line per
message to a file of its process (one unbuffered ``write``), the committing actor stores the time
in the row it writes anyway. Run as a worker with ``dramatiq bench.ceilings --queues Q``.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import dramatiq
import pika
import sqlalchemy as sa

import workers.runtime.broker  # noqa: F401  (installs the project's broker and middleware)
from bench.measurement import Measurement, latencies, publish_paced, run_phases
from events.messages import OutgoingMessage, actor_message
from events.publisher import Publisher
from rsc.settings import get_settings
from store.db import get_store

BARE_QUEUE = "bench_bare"
COMMIT_QUEUE = "bench_commit"
#: Directory where the bare actor's processes write their "key time" lines.
STAMPS_ENV = "RSC_BENCH_STAMPS"
if TYPE_CHECKING:
    from tests.e2e.pipeline import Pipeline

RAW_QUEUE = "bench_raw"
#: Size of the body of a raw message: about a small event's.
RAW_BODY = 600

stamped_rows = sa.Table(
    "bench_stamped_rows",
    sa.MetaData(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("stored_at", sa.Float, nullable=False),
)

_stamp_file: dict[int, int] = {}
_stamp_lock = threading.Lock()


def _stamp(key: str) -> None:
    pid = os.getpid()
    fd = _stamp_file.get(pid)
    if fd is None:
        with _stamp_lock:
            fd = _stamp_file.get(pid)
            if fd is None:
                path = Path(os.environ[STAMPS_ENV]) / f"{pid}.log"
                fd = _stamp_file[pid] = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.write(fd, f"{key} {time.time():.6f}\n".encode())


@dramatiq.actor(queue_name=BARE_QUEUE, actor_name="bare_actor")
def bare_actor(key: str, payload: str) -> None:
    _stamp(key)


@dramatiq.actor(queue_name=COMMIT_QUEUE, actor_name="commit_one_stamped_row")
def commit_one_stamped_row(key: str, payload: str) -> None:
    with get_store().engine.begin() as conn:
        conn.execute(stamped_rows.insert().values(id=key, payload=payload, stored_at=time.time()))


# -- the bench side -----------------------------------------------------------------------------------


def _bare_done(stamps: Path) -> dict[str, float]:
    done: dict[str, float] = {}
    for path in stamps.glob("*.log"):
        for line in path.read_text().splitlines():
            key, _, at = line.partition(" ")
            if at:
                done[key] = float(at)
    return done


def _commit_done() -> dict[str, float]:
    with get_store().engine.connect() as conn:
        return {key: at for key, at in conn.execute(sa.select(stamped_rows.c.id, stamped_rows.c.stored_at))}


def _messages(queue: str, actor: str, prefix: str, count: int) -> list[tuple[str, OutgoingMessage]]:
    keys = [f"{prefix}-{i}" for i in range(count)]
    return [(key, actor_message(queue, actor, key=key, payload="x" * 64)) for key in keys]


def measure_actor(
    pipeline: Pipeline,
    *,
    commit: bool,
    events: int,
    paced: int,
    offered: float,
    processes: int,
    threads: int,
    timeout: float = 600,
    paced_seconds: float = 20.0,
) -> Measurement:
    """The bare actor (``commit``: with its one-row commit) at saturation, then at ``offered``/s."""
    from bench.harness import PYTHON

    queue, actor = (COMMIT_QUEUE, "commit_one_stamped_row") if commit else (BARE_QUEUE, "bare_actor")
    stamps = pipeline.workdir / f"stamps-{queue}"
    stamps.mkdir(exist_ok=True)
    if commit:
        stamped_rows.create(get_store().engine, checkfirst=True)

    def done() -> dict[str, float]:
        return _commit_done() if commit else _bare_done(stamps)

    name = f"ceiling-{queue}"
    pipeline.start(
        name,
        "-m",
        "dramatiq",
        "bench.ceilings",
        "--queues",
        queue,
        "--processes",
        str(processes),
        "--threads",
        str(threads),
        "--skip-logging",
        program=PYTHON,
        env={STAMPS_ENV: str(stamps)},
    )
    publisher = Publisher(settings=get_settings())
    try:
        label = "bare Dramatiq actor, one one-row commit" if commit else "bare Dramatiq actor"
        return run_phases(
            label,
            publisher.publish_messages,
            warmup=_messages(queue, actor, "warm", processes * threads),
            burst=_messages(queue, actor, "burst", events),
            paced=_messages(queue, actor, "paced", paced),
            offered=offered,
            done=done,
            timeout=timeout,
            paced_seconds=paced_seconds,
        )
    finally:
        publisher.close()
        pipeline.kill(name)


def raw_rabbitmq(
    broker_url: str, messages: int, paced: int, offered: float
) -> tuple[Measurement, Measurement]:
    """Raw publish (no confirms) and consume rates; latencies of the consume at ``offered``/s."""
    params = pika.URLParameters(broker_url)
    body = b"x" * RAW_BODY
    persistent = pika.BasicProperties(delivery_mode=2)
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.queue_declare(RAW_QUEUE, durable=True)
    channel.queue_purge(RAW_QUEUE)
    started = time.perf_counter()
    for _ in range(messages):
        channel.basic_publish("", RAW_QUEUE, body, persistent)
    # basic_publish returns once the frame is written: the rate counts until RabbitMQ holds them all.
    while channel.queue_declare(RAW_QUEUE, passive=True).method.message_count < messages:
        time.sleep(0.005)
    publish = Measurement(
        "raw RabbitMQ publish (pika, persistent, no confirms)", messages, time.perf_counter() - started
    )
    channel.basic_qos(prefetch_count=200)
    consumed = 0
    started = time.perf_counter()
    for method, _, _ in channel.consume(RAW_QUEUE, inactivity_timeout=10):
        if method is None:
            break
        channel.basic_ack(method.delivery_tag)
        consumed += 1
        if consumed == messages:
            break
    seconds = time.perf_counter() - started
    channel.cancel()
    consume = Measurement("raw RabbitMQ consume (pika, ack each, prefetch 200)", consumed, seconds)
    load = min(offered, 0.5 * consume.per_second)
    received: dict[str, float] = {}
    ready = threading.Event()
    consumer = threading.Thread(target=_consume_keys, args=(params, paced, received, ready), daemon=True)
    consumer.start()
    ready.wait(10)
    keys = [(f"raw-{i}", f"raw-{i}".encode()) for i in range(paced)]

    def send(chunk: list[bytes]) -> None:
        for key in chunk:
            channel.basic_publish("", RAW_QUEUE, key, persistent)

    published = publish_paced(send, keys, load)
    consumer.join(timeout=60)
    connection.close()
    consume.latencies = latencies(published, received)
    consume.offered = load
    return publish, consume


def _consume_keys(
    params: pika.URLParameters, expected: int, received: dict[str, float], ready: threading.Event
) -> None:
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.basic_qos(prefetch_count=200)
    ready.set()
    for method, _, body in channel.consume(RAW_QUEUE, inactivity_timeout=10):
        if method is None:
            break
        received[body.decode()] = time.time()
        channel.basic_ack(method.delivery_tag)
        if len(received) >= expected:
            break
    channel.cancel()
    connection.close()
