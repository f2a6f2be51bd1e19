"""Every event type of the catalogue, fuzzed: valid events round-trip, broken ones are refused with a
reason (``InvalidEvent``), and nothing on the wire makes ``parse_event`` raise anything else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from schemas.catalog import EVENT_CLASSES, EVENT_TYPES, InvalidEvent, parse_event
from schemas.envelope import Event
from tests.fuzz.strategies import (
    any_valid_event,
    fields,
    fuzz_settings,
    garbage,
    huge_strings,
    invalid_events,
    not_objects,
    valid_events,
)
from tests.schemas.test_schemas import job_event

#: A valid event, for the explicit examples.
JOB: dict[str, Any] = job_event()


def refused(raw: object) -> str:
    """The reason ``parse_event`` gives for refusing ``raw``; fails the test if it accepts it."""
    with pytest.raises(InvalidEvent) as refusal:
        parse_event(raw)
    reason = str(refusal.value)
    assert reason.strip(), "a refusal names what is wrong"
    return reason


def parsed_or_refused(raw: object) -> Event | None:
    """Either outcome is fine; any exception other than ``InvalidEvent`` is a crash."""
    try:
        return parse_event(raw)
    except InvalidEvent as refusal:
        assert str(refusal).strip()
        return None


@pytest.mark.parametrize("event_type", EVENT_TYPES)
@fuzz_settings(examples=6)
@given(data=st.data())
def test_every_valid_event_round_trips(event_type: str, data: st.DataObject) -> None:
    raw = data.draw(valid_events(event_type), label="event")
    event = parse_event(raw)
    assert type(event) is EVENT_CLASSES[event_type]
    wire = event.model_dump_json()
    assert parse_event(wire) == event
    assert parse_event(wire.encode()) == event
    assert parse_event(json.loads(wire)) == event
    # Fields the raw event left out take their defaults (a fresh id, the current time) on each parse.
    again = parse_event(json.dumps(raw).encode())
    assert again.model_dump(include=set(raw)) == event.model_dump(include=set(raw))


@fuzz_settings(examples=100)
@given(raw=invalid_events)
@example(raw={**JOB, "type": {"junk": [1]}}).via("an unhashable type once raised TypeError")
@example(raw={**JOB, "type": ["ats.job.published.v1"]})
def test_broken_events_are_refused_with_a_reason(raw: dict[str, Any]) -> None:
    refused(raw)


@fuzz_settings(examples=30)
@given(raw=invalid_events)
def test_broken_events_are_refused_from_the_wire_too(raw: dict[str, Any]) -> None:
    refused(json.dumps(raw))
    refused(json.dumps(raw).encode())


@fuzz_settings(examples=50)
@given(raw=not_objects)
def test_json_that_is_not_an_object_is_refused(raw: Any) -> None:
    if not isinstance(raw, str):  # a str is read as JSON text
        assert refused(raw) == "an event must be a JSON object"
    assert refused(json.dumps(raw)) == "an event must be a JSON object"
    assert refused(json.dumps(raw).encode()) == "an event must be a JSON object"


@fuzz_settings(examples=80)
@given(raw=garbage)
@example(raw=b"[" * 100_000).via("deeply nested JSON once raised RecursionError")
@example(raw='{"a":' * 100_000).via("deeply nested JSON once raised RecursionError")
@example(raw=b"\xff\xfe{")
def test_garbage_on_the_wire_never_crashes_the_parser(raw: bytes | str) -> None:
    parsed_or_refused(raw)


@fuzz_settings(examples=15)
@given(raw=huge_strings())
def test_huge_strings_are_accepted_or_refused_never_crash(raw: dict[str, Any]) -> None:
    event = parsed_or_refused(raw)
    if event is not None:
        assert parse_event(event.model_dump_json()) == event


#: A value that stands for personal data: a refusal may name the field, never quote this.
MARKER = "adalovelace"


@st.composite
def events_carrying_a_marker(draw: st.DrawFn) -> dict[str, Any]:
    """A broken event whose free-text and e-mail fields (and one wrong-typed field) hold the marker."""
    raw = draw(any_valid_event)
    data = raw["data"]
    for path, schema, _ in fields(raw):
        if path[0] != "data" or len(path) != 2:
            continue
        if schema.get("format") == "email":
            data[path[1]] = draw(
                st.sampled_from([f"{MARKER}@{MARKER}", f"{MARKER} x@y.com", f"x@{MARKER}.invalid"])
            )
        elif schema.get("type") == "string" and "pattern" not in schema and "format" not in schema:
            data[path[1]] = MARKER
        elif schema.get("type") == "string" and "pattern" in schema:
            data[path[1]] = draw(st.sampled_from([f"{MARKER} {MARKER}", f"{MARKER}&", MARKER * 20]))
    keys = [p[1] for p, s, _ in fields(raw) if p[0] == "data" and len(p) == 2]
    data[draw(st.sampled_from(keys))] = {"nested": MARKER}
    return raw


@fuzz_settings(examples=40)
@given(raw=events_carrying_a_marker())
def test_a_reason_never_quotes_what_the_event_carries(raw: dict[str, Any]) -> None:
    assert MARKER not in refused(raw).lower()
