"""A dead-lettered body decoded as far as it allows, with the error the worker recorded for it or, when
there is none (or only one from before its last replay), what is known instead; on both stores."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import dramatiq

from events.dead_letters.decoding import decode_body, letter_from_body, mark_replayed, recorded_errors
from events.dead_letters.letters import UNRECORDED
from events.topology import Queue
from store.db import Store
from store.dead_letters import DeadLetter
from store.uow import OpsUnitOfWork

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
EVENT = {"type": "ats.job.published.v1", "id": "e-1", "source": "ats://t", "tenant": "acme", "data": {}}


def body(message_id: str = "m-1", **fields: object) -> bytes:
    message: dramatiq.Message[object] = dramatiq.Message(
        queue_name="status_push", actor_name="apply_job_event", args=(), kwargs={"event": EVENT}, options={},
        message_id=message_id, message_timestamp=0,
    )  # fmt: skip
    return json.dumps({**message.asdict(), **fields}).encode()


def recorded(store: Store, message_id: str = "m-1") -> None:
    with OpsUnitOfWork(store) as ops:
        ops.session.add(
            DeadLetter(message_id=message_id, queue="status_push", actor="apply_job_event", tenant_id="acme",
                       reason_code="job_not_published", reason="job 'J-1' is not published", error_class="X",
                       failed_at=T0)
        )  # fmt: skip
        ops.commit()


def test_a_body_is_decoded_as_far_as_it_allows() -> None:
    message_id, message, error = decode_body(body(), fallback="sha256:x")
    assert (message_id, error) == ("m-1", None)
    assert message is not None and message.kwargs["event"]["id"] == "e-1"
    assert decode_body(b"\xff", fallback="sha256:x")[::2] == (
        "sha256:x",
        "not JSON: UnicodeDecodeError at byte ?",
    )
    assert decode_body(b"[1]", fallback="f") == ("f", None, "JSON list, not an object")
    assert decode_body(body(kwargs=[1]), fallback="f") == (
        "m-1", None, "not a Dramatiq message: kwargs and options must be objects"
    )  # fmt: skip
    assert decode_body(body(message_id=""), fallback="f")[0] == "f"  # never an id invented per browse


def test_an_archived_letter_carries_its_recorded_error_and_event(store: Store) -> None:
    recorded(store)
    letter = letter_from_body(Queue.STATUS_PUSH, "m-1", body(), dead_since=None, store=store)
    assert (letter.reason_code, letter.reason) == ("job_not_published", "job 'J-1' is not published")
    assert (letter.actor, letter.tenant, letter.event_type, letter.event_id) == (
        "apply_job_event", "acme", "ats.job.published.v1", "e-1"
    )  # fmt: skip
    assert letter.dead_since == T0


def test_a_letter_that_died_again_after_its_replay_is_unrecorded_and_says_so(store: Store) -> None:
    recorded(store)
    mark_replayed(store, ["m-1"], at=T0 + timedelta(hours=1))
    assert recorded_errors(["m-1", "m-9"], store)["m-1"].replays == 1
    letter = letter_from_body(Queue.STATUS_PUSH, "m-1", body(), dead_since=None, store=store)
    assert letter.reason_code == UNRECORDED
    assert letter.reason == (
        "died again after its replay at 2026-05-01 10:00:00Z without a new record "
        "(the death before: job_not_published); no x-death header"
    )


def test_a_letter_without_a_record_or_a_readable_body_says_what_is_known(store: Store) -> None:
    letter = letter_from_body(Queue.STATUS_PUSH, "sha256:ab", b"{", dead_since=T0, store=store)
    assert (letter.reason_code, letter.message, letter.actor) == (UNRECORDED, None, None)
    assert letter.reason == "body not JSON: JSONDecodeError at byte 1; no x-death header"
    assert recorded_errors([], store) == {}
