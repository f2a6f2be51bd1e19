"""The event envelope, the catalogue, upcasting and the generated docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from events.catalogue import render_catalogue
from schemas.ats import JobPublished
from schemas.catalog import (
    EVENT_CLASSES,
    UPCASTERS,
    InvalidEvent,
    parse_event,
    register_upcaster,
    resolve_type,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def job_event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ats.job.published.v1",
        "id": "evt-1",
        "source": "ats://acme",
        "tenant": "acme",
        "data": {
            "job_id": "J-1",
            "title": "Engineer",
            "state": "published",
            "created_at": "2026-01-01T00:00:00Z",
            "modified_at": "2026-01-02T00:00:00Z",
        },
    }
    event.update(overrides)
    return event


def test_a_valid_event_parses_into_its_type() -> None:
    event = parse_event(job_event())
    assert isinstance(event, JobPublished)
    assert event.dedup_key == ("ats://acme", "evt-1")
    assert event.specversion == "1.0"


def test_json_bytes_parse_too() -> None:
    assert isinstance(parse_event(json.dumps(job_event()).encode()), JobPublished)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "malformed JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (job_event(type="ats.job.teleported.v1"), "unknown event type 'ats.job.teleported.v1'"),
        (job_event(tenant="Not A Slug"), "schema violation: ats.job.published.v1.tenant"),
        (job_event(surprise=1), "schema violation: ats.job.published.v1.surprise"),
        (job_event(data={"job_id": "J-1"}), "schema violation"),
    ],
)
def test_bad_input_is_refused_with_a_reason(raw: Any, reason: str) -> None:
    with pytest.raises(InvalidEvent) as err:
        parse_event(raw)
    assert reason in str(err.value)


def test_a_reason_never_quotes_the_input_values() -> None:
    bad = job_event()
    bad["data"] = {**bad["data"], "title": "", "apply_url": {"nested": "Ada Lovelace"}}
    with pytest.raises(InvalidEvent) as err:
        parse_event(bad)
    assert "Ada" not in str(err.value)


def test_the_event_type_decides_the_state_it_may_carry() -> None:
    bad = job_event()
    bad["data"] = {**bad["data"], "state": "closed"}
    with pytest.raises(InvalidEvent, match=r"requires data\.state 'published'"):
        parse_event(bad)


def test_modified_before_created_is_refused() -> None:
    bad = job_event()
    bad["data"] = {**bad["data"], "modified_at": "2025-01-01T00:00:00Z"}
    with pytest.raises(InvalidEvent, match="modified_at must not be earlier than created_at"):
        parse_event(bad)


def test_an_old_version_is_upcast_before_validation() -> None:
    @register_upcaster("ats.job.published.v0")
    def _v0_to_v1(raw: dict[str, Any]) -> dict[str, Any]:
        data = dict(raw["data"])
        data["job_id"] = data.pop("id")
        return {**raw, "type": "ats.job.published.v1", "data": data}

    try:
        old = job_event(type="ats.job.published.v0")
        old["data"] = {**old["data"], "id": old["data"].pop("job_id")}
        event = parse_event(old)
        assert isinstance(event, JobPublished)
        assert event.data.job_id == "J-1"
    finally:
        UPCASTERS.pop("ats.job.published.v0")


def test_a_type_without_version_resolves_to_the_latest() -> None:
    assert resolve_type("ats.job.published") == "ats.job.published.v1"
    with pytest.raises(InvalidEvent):
        resolve_type("ats.nothing")


def test_every_event_has_a_json_schema_and_a_docstring() -> None:
    for event_type, cls in EVENT_CLASSES.items():
        schema = cls.model_json_schema()
        assert schema["properties"]["type"]["const"] == event_type
        assert cls.__doc__, f"{cls.__name__} needs a one-line description for docs/events.md"


def test_docs_events_md_is_generated_from_the_models() -> None:
    assert DOCS.read_text() == render_catalogue(), "run `rsc schema --markdown > docs/events.md`"
