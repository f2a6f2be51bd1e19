"""The publisher upstream systems (and the ingress) use to put events on RabbitMQ.

kombu connection pools, publisher confirms, ``mandatory`` routing and a retry policy. A batch is
published in one go and its confirms are collected afterwards (RabbitMQ acknowledges several
deliveries at once), instead of a round trip per message. An event counts as published only once
RabbitMQ has confirmed every message it became; on a connection error the unconfirmed remainder is
published again (consumers deduplicate, so at-least-once is safe). Events marked bulk, and a tenant's
events beyond its burst budget, go to the feature queues' bulk lanes (``events.lanes``).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import amqp
import kombu
import kombu.exceptions
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from events.lanes import BurstBudget
from events.messages import OutgoingMessage, to_messages
from events.topology import declarations
from rsc.logs import get_logger
from rsc.settings import Settings
from schemas.catalog import InvalidEvent, check_size
from schemas.envelope import Event
from schemas.requirements import sync_problems

log = get_logger(__name__)

#: Connections per publisher; each publish borrows one for its duration (one per concurrent thread).
POOL_SIZE = 16


class WillNotSync(InvalidEvent):
    """An event whose record LinkedIn will refuse (``schemas.requirements``), refused with ``strict``."""

    reason_code = "will_not_sync"


class PublishError(RuntimeError):
    """RabbitMQ did not confirm every message after all retries; nothing may be assumed published."""


class _Unconfirmed(Exception):
    """Some messages were nacked, returned as unroutable or not confirmed in time (retried)."""


class _ConfirmChannel:
    """A channel in confirm mode that tracks outstanding delivery tags."""

    def __init__(self, connection: kombu.Connection) -> None:
        self.channel: amqp.Channel = connection.channel()
        self.channel.confirm_select()
        self.next_tag = 1
        self.outstanding: dict[int, str] = {}
        self.failed: set[str] = set()
        self.declared: set[str] = set()
        self.channel.events["basic_ack"].add(self._on_ack)
        self.channel.events["basic_nack"].add(self._on_nack)
        self.channel.events["basic_return"].add(self._on_return)

    def _settle(self, tag: int, multiple: bool) -> list[str]:
        tags = [t for t in self.outstanding if t <= tag] if multiple else [tag]
        return [self.outstanding.pop(t) for t in tags if t in self.outstanding]

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self.failed.update(self._settle(tag, multiple))

    def _on_return(self, _exc: Any, _exchange: str, _routing_key: str, message: Any) -> None:
        # An unroutable mandatory message comes back, then is acked: it must not count as sent.
        message_id = message.properties.get("message_id")
        if message_id:
            self.failed.add(message_id)
        self.declared.clear()

    def declare(self, queue: str, settings: Settings) -> None:
        if queue in self.declared:
            return
        for name, arguments in declarations(queue, settings):
            self.channel.queue_declare(queue=name, durable=True, auto_delete=False, arguments=arguments)
        self.declared.add(queue)

    def publish(self, message: OutgoingMessage) -> None:
        self.channel.basic_publish(
            amqp.Message(
                message.body,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=message.message_id,
            ),
            exchange="",
            routing_key=message.queue,
            mandatory=True,
        )
        self.outstanding[self.next_tag] = message.message_id
        self.next_tag += 1


class EventPublisher(Protocol):
    """What handlers and schedulers need of a publisher: ``Publisher``, or a test's stand-in. Both
    return once RabbitMQ confirmed every message, and raise ``PublishError`` otherwise."""

    def publish_many(self, events: Iterable[Event]) -> int: ...

    def publish_messages(self, messages: Sequence[OutgoingMessage]) -> None: ...


class Publisher:
    """Thread-safe: each publish borrows a pooled connection for its duration."""

    def __init__(self, url: str | None = None, *, settings: Settings) -> None:
        self.settings = settings
        self._connection = kombu.Connection(url or self.settings.broker_url, heartbeat=0)
        # A pool of this publisher's own: closing it cannot break another publisher's connections.
        self._pool = self._connection.Pool(limit=POOL_SIZE)
        self._burst = BurstBudget(self.settings.burst_events, self.settings.burst_events_per_s)
        self._retry_errors: tuple[type[BaseException], ...] = (
            _Unconfirmed,
            kombu.exceptions.OperationalError,
            OSError,
            socket.timeout,
            *self._connection.connection_errors,
            *self._connection.channel_errors,
        )

    def publish(self, event: Event, *, strict: bool = False, bulk: bool = False) -> None:
        self.publish_many([event], strict=strict, bulk=bulk)

    def publish_many(self, events: Iterable[Event], *, strict: bool = False, bulk: bool = False) -> int:
        """Publish every event and return once all are confirmed; raises PublishError otherwise.

        Nothing is published when an event is over ``RSC_MAX_EVENT_BYTES`` (``EventTooLarge``), or,
        with ``strict``, when LinkedIn will refuse the record an event carries (``WillNotSync``);
        without ``strict`` such an event is published with a warning line naming what is missing.
        ``bulk`` sends the events to the bulk lanes (a bulk import); without it, the events beyond
        their tenant's burst budget go there (``events.lanes``).
        """
        events = list(events)
        check_sync(events, strict=strict)
        messages: list[OutgoingMessage] = []
        limit = self.settings.max_event_bytes
        for event in events:
            for message in to_messages(event, bulk=self.takes_bulk_lane(event, bulk=bulk)):
                check_size(len(message.body), limit, f"event {event.id!r} ({event.type})")
                messages.append(message)
        self.publish_messages(messages)
        return len(messages)

    def takes_bulk_lane(self, event: Event, *, bulk: bool = False) -> bool:
        """True when ``event`` goes to the bulk lanes: marked bulk, or its tenant is over its burst budget."""
        return bulk or not self._burst.take(event.tenant)

    def publish_messages(self, messages: Sequence[OutgoingMessage]) -> None:
        pending = {m.message_id: m for m in messages}
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.publish_max_retries),
            wait=wait_exponential(multiplier=0.2, max=5),
            retry=retry_if_exception_type(self._retry_errors),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    self._publish_pending(pending)
        except self._retry_errors as exc:
            raise PublishError(
                f"{len(pending)} of {len(messages)} messages not confirmed by RabbitMQ "
                f"({type(exc).__name__}); nothing of them may be assumed published"
            ) from exc

    def _publish_pending(self, pending: dict[str, OutgoingMessage]) -> None:
        with self._pool.acquire(block=True, timeout=self.settings.publish_confirm_timeout_s) as conn:
            try:
                confirmed = self._publish_on(conn, list(pending.values()))
            except BaseException:
                # The channel's state is unknown: throw the connection away, start clean next time.
                conn.__dict__.pop("_rsc_confirm_channel", None)
                conn.collect()
                raise
            for message_id in confirmed:
                pending.pop(message_id, None)
            if pending:
                raise _Unconfirmed(f"{len(pending)} messages nacked or unroutable")

    def _publish_on(self, conn: kombu.Connection, messages: list[OutgoingMessage]) -> set[str]:
        conn.ensure_connection(max_retries=1)
        channel: _ConfirmChannel | None = conn.__dict__.get("_rsc_confirm_channel")
        if channel is None or not channel.channel.is_open:
            channel = conn.__dict__["_rsc_confirm_channel"] = _ConfirmChannel(conn)
        channel.failed.clear()
        for queue in {m.queue for m in messages}:
            channel.declare(queue, self.settings)
        for message in messages:
            channel.publish(message)
        deadline = time.monotonic() + self.settings.publish_confirm_timeout_s
        while channel.outstanding:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                channel.outstanding.clear()
                raise _Unconfirmed("confirms timed out")
            conn.drain_events(timeout=remaining)
        return {m.message_id for m in messages} - channel.failed

    def ping(self) -> None:
        """Raise unless a pooled connection to RabbitMQ can be used."""
        with self._pool.acquire(block=True, timeout=self.settings.publish_confirm_timeout_s) as conn:
            conn.ensure_connection(max_retries=1)

    def close(self) -> None:
        self._pool.force_close_all()


def check_sync(events: Sequence[Event], *, strict: bool) -> None:
    """The pre-flight: warn about (or, ``strict``, refuse) events whose record will never sync."""
    for event in events:
        problems = sync_problems(event)
        if not problems:
            continue
        if strict:
            raise WillNotSync(
                f"event {event.id!r} ({event.type}) will not sync to LinkedIn: {'; '.join(problems)}"
            )
        log.warning(
            "event will not sync to LinkedIn",
            tenant=event.tenant,
            event_id=event.id,
            event_type=event.type,
            reason="; ".join(problems),
        )


_PUBLISHERS: dict[str, Publisher] = {}


def get_publisher(settings: Settings) -> Publisher:
    """The process's publisher for the settings' broker (RSC_BROKER_URL), made on first use."""
    url = settings.broker_url
    if url not in _PUBLISHERS:
        _PUBLISHERS[url] = Publisher(url, settings=settings)
    return _PUBLISHERS[url]
