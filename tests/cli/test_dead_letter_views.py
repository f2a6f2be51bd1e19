"""How ``rsc dlq`` shows dead letters: ages people read at a glance, groups by reason, and a letter in
full with its identifiers, recorded error and body, never an event's data in the list."""

from __future__ import annotations

import json
from datetime import timedelta

import dramatiq
import pytest

from cli.dead_letter_views import format_age, group_by_reason, letter_json, letters_table, plural, show_letter
from events.dead_letters.decoding import letter_from_body
from events.dead_letters.letters import DeadLetterMessage
from events.topology import Queue
from store.base import utcnow
from store.db import get_store

EVENT = {"type": "ats.job.published.v1", "id": "e-1", "source": "ats://t", "tenant": "acme",
         "data": {"title": "Personal Data Inc"}}  # fmt: skip


def letter(message_id: str, *, body: bytes | None = None) -> DeadLetterMessage:
    message: dramatiq.Message[object] = dramatiq.Message(
        queue_name="status_push", actor_name="apply_job_event", args=(), kwargs={"event": EVENT}, options={},
        message_id=message_id, message_timestamp=0,
    )  # fmt: skip
    raw = body if body is not None else message.encode()
    return letter_from_body(
        Queue.STATUS_PUSH, message_id, raw, dead_since=utcnow() - timedelta(hours=2), store=get_store()
    )


@pytest.mark.parametrize(
    ("age", "shown"),
    [(None, "?"), (timedelta(seconds=-5), "0s"), (timedelta(seconds=59), "59s"),
     (timedelta(minutes=3, seconds=4), "3m04s"), (timedelta(hours=2, minutes=5), "2h05m"),
     (timedelta(days=3, hours=1), "3d01h")],
)  # fmt: skip
def test_an_age_is_two_units_at_most(age: timedelta | None, shown: str) -> None:
    assert format_age(age) == shown


def test_counts_are_pluralised() -> None:
    assert (plural(1, "letter"), plural(0, "letter"), plural(2, "letter")) == (
        "1 letter",
        "0 letters",
        "2 letters",
    )


def test_letters_are_grouped_by_reason_largest_first(sqlite_url: str) -> None:
    letters = [letter("m-1"), letter("m-2", body=b"{"), letter("m-3", body=b"[")]
    assert [(code, [x.message_id for x in group]) for code, group in group_by_reason(letters)] == [
        ("unrecorded", ["m-1", "m-2", "m-3"])
    ]


def test_the_list_shows_identifiers_and_never_the_events_data(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    letters_table("Dead letters", [letter("m-1")])
    out = capsys.readouterr().out
    assert "m-1" in out and "apply_job_event" in out and "2h00m" in out
    assert "Personal Data" not in out
    row = letter_json(letter("m-1"))
    assert (row["where"], row["event_id"], row["record"]) == ("archive", "e-1", None)
    json.dumps(row, default=str)


def test_one_letter_is_shown_in_full(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    show_letter(letter("m-1"))
    out = capsys.readouterr().out
    assert "the archive (RabbitMQ dropped its copy after its TTL)" in out
    assert "none (the worker wrote no record for this id)" in out
    assert "(no x-death header)" in out
    assert '"title": "Personal Data Inc"' in out  # the full view shows the event, for the person replaying
    show_letter(letter("m-2", body=b"not json"))
    assert "Body (8 bytes, not JSON" in capsys.readouterr().out
