"""A dead-lettered body decoded into a ``DeadLetterMessage``: the Dramatiq message, the error the worker
recorded for it (``dead_letters``, joined by message id), or what ``x-death`` says when there is none."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import dramatiq
import kombu
import kombu.exceptions
from dramatiq.errors import DecodeError
from sqlalchemy import select, update

from events.dead_letters.letters import UNRECORDED, DeadLetterMessage, Death, RecordedError
from events.topology import Queue
from store.db import Store
from store.dead_letters import DeadLetter as DeadLetterRow
from store.uow import OpsUnitOfWork


def letter_from_body(
    queue: Queue, message_id: str, body: bytes, *, dead_since: datetime | None, store: Store
) -> DeadLetterMessage:
    """A dead letter read back from its body alone (an archived copy: no AMQP headers any more)."""
    _, message, error = decode_body(body, fallback=message_id)
    record = recorded_errors([message_id], store).get(message_id)
    event = message.kwargs.get("event") if message is not None else None
    fields = _event_fields(event if isinstance(event, dict) else {})
    if record is not None and not record.predates_last_replay:
        reason_code, reason = record.reason_code, record.reason
    else:
        reason_code, reason = UNRECORDED, _unrecorded_reason(error, (), record)
    return DeadLetterMessage(
        queue=queue,
        position=-1,
        message_id=message_id,
        body=body,
        message=message,
        decode_error=error,
        deaths=(),
        delivery_count=None,
        redelivered=False,
        record=record,
        reason_code=reason_code,
        reason=reason,
        actor=message.actor_name if message is not None else None,
        tenant=fields.get("tenant"),
        event_type=fields.get("type"),
        event_id=fields.get("id"),
        event_source=fields.get("source"),
        dead_since=dead_since or (record.failed_at if record else None),
    )


def decode(raw: kombu.Message) -> tuple[str, dramatiq.Message[Any] | None, str | None]:
    """(message id, message or None, why it could not be decoded)."""
    body: bytes = raw.body if isinstance(raw.body, bytes) else str(raw.body).encode()
    fallback = raw.properties.get("message_id") or f"sha256:{hashlib.sha256(body).hexdigest()[:16]}"
    return decode_body(body, fallback=str(fallback))


def decode_body(body: bytes, *, fallback: str) -> tuple[str, dramatiq.Message[Any] | None, str | None]:
    try:
        fields = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        return fallback, None, f"not JSON: {type(exc).__name__} at byte {getattr(exc, 'pos', '?')}"
    if not isinstance(fields, dict):
        return fallback, None, f"JSON {type(fields).__name__}, not an object"
    body_id = fields.get("message_id")
    # Dramatiq invents an id at decode time when the body has none: it would change at every browse.
    message_id = body_id if isinstance(body_id, str) and body_id else fallback
    try:
        message: dramatiq.Message[Any] = dramatiq.Message.decode(body)
    except DecodeError as exc:
        cause = exc.__cause__ or exc
        return message_id, None, f"not a Dramatiq message: {type(cause).__name__}: {cause}"[:300]
    if not isinstance(message.kwargs, dict) or not isinstance(message.options, dict):
        return message_id, None, "not a Dramatiq message: kwargs and options must be objects"
    if not isinstance(message.queue_name, str) or not isinstance(message.actor_name, str):
        return message_id, None, "not a Dramatiq message: queue_name and actor_name must be strings"
    return message_id, message, None


def recorded_errors(message_ids: Iterable[str], store: Store) -> dict[str, RecordedError]:
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    with OpsUnitOfWork(store) as ops:
        rows = ops.session.scalars(select(DeadLetterRow).where(DeadLetterRow.message_id.in_(ids)))
        return {
            row.message_id: RecordedError(
                reason_code=row.reason_code,
                reason=row.reason,
                error_class=row.error_class,
                attempts=row.attempts,
                deaths=row.deaths,
                failed_at=row.failed_at,
                replayed_at=row.replayed_at,
                replays=int(row.replays),
            )
            for row in rows
        }


def mark_replayed(store: Store, message_ids: list[str], *, at: datetime) -> None:
    with OpsUnitOfWork(store) as ops:
        ops.session.execute(
            update(DeadLetterRow)
            .where(DeadLetterRow.message_id.in_(message_ids))
            .values(replayed_at=at, replays=DeadLetterRow.replays + 1)
        )
        ops.commit()


def letter_of(
    queue: Queue,
    raw: kombu.Message,
    *,
    position: int,
    message_id: str,
    message: dramatiq.Message[Any] | None,
    decode_error: str | None,
    record: RecordedError | None,
) -> DeadLetterMessage:
    headers = raw.headers or {}
    deaths = _deaths(headers.get("x-death"))
    event = message.kwargs.get("event") if message is not None else None
    fields = _event_fields(event if isinstance(event, dict) else {})
    if record is not None and not record.predates_last_replay:
        reason_code, reason = record.reason_code, record.reason
    else:
        reason_code, reason = UNRECORDED, _unrecorded_reason(decode_error, deaths, record)
    delivery_count = headers.get("x-delivery-count")
    dead_since = deaths[0].time if deaths and deaths[0].time else (record.failed_at if record else None)
    return DeadLetterMessage(
        queue=queue,
        position=position,
        message_id=message_id,
        body=raw.body if isinstance(raw.body, bytes) else str(raw.body).encode(),
        message=message,
        decode_error=decode_error,
        deaths=deaths,
        delivery_count=int(delivery_count) if isinstance(delivery_count, int) else None,
        redelivered=bool(raw.delivery_info.get("redelivered")),
        record=record,
        reason_code=reason_code,
        reason=reason,
        actor=message.actor_name if message is not None else None,
        tenant=fields.get("tenant"),
        event_type=fields.get("type"),
        event_id=fields.get("id"),
        event_source=fields.get("source"),
        dead_since=dead_since,
    )


def _event_fields(event: dict[str, Any]) -> dict[str, str]:
    """Identifiers of the event a message carries, read defensively (the body may be anything)."""
    return {
        key: value
        for key in ("tenant", "id", "type", "source")
        if isinstance(value := event.get(key), str) and len(value) <= 500
    }


def _unrecorded_reason(
    decode_error: str | None, deaths: tuple[Death, ...], record: RecordedError | None
) -> str:
    parts = []
    if decode_error:
        parts.append(f"body {decode_error}")
    if record is not None:
        parts.append(
            f"died again after its replay at {record.replayed_at:%Y-%m-%d %H:%M:%S}Z without a new record "
            f"(the death before: {record.reason_code})"
        )
    elif not decode_error:
        parts.append("no record of the final error")
    parts.append(f"x-death: {deaths[0].describe()}" if deaths else "no x-death header")
    return "; ".join(parts)


def _deaths(header: Any) -> tuple[Death, ...]:
    if not isinstance(header, list):
        return ()
    deaths = []
    for entry in header:
        if not isinstance(entry, dict):
            continue
        when = entry.get("time")
        if isinstance(when, datetime) and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        keys = entry.get("routing-keys")
        deaths.append(
            Death(
                reason=str(entry.get("reason", "")),
                queue=str(entry.get("queue", "")),
                count=int(entry.get("count", 1) or 1),
                time=when if isinstance(when, datetime) else None,
                exchange=str(entry.get("exchange", "")),
                routing_keys=tuple(str(k) for k in keys) if isinstance(keys, list) else (),
            )
        )
    return tuple(deaths)
