"""Log lines carry identifiers, never personal data."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from rsc.logs import configure_logging, get_logger, masking, personal_values


@pytest.fixture
def log_lines() -> Iterator[None]:
    yield
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def _configure() -> None:
    # Inside the test body: pytest swaps the root logger's handlers between test phases.
    configure_logging(process="test")
    structlog.contextvars.clear_contextvars()


def _read(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def test_unknown_keys_are_redacted_and_safe_ones_kept(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    _configure()
    get_logger("t").info(
        "candidate stored", tenant="acme", candidate_id="C-1", first_name="Ada", note="secret"
    )
    (line,) = _read(capsys)
    assert line["tenant"] == "acme" and line["candidate_id"] == "C-1"
    assert line["first_name"] == "[redacted]" and line["note"] == "[redacted]"


def test_contact_details_are_scrubbed_even_from_safe_keys(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    _configure()
    get_logger("t").warning("x", reason="mail ada@example.com or call +44 20 7946 0958", count=3)
    (line,) = _read(capsys)
    assert "ada@example.com" not in str(line) and "7946" not in str(line)
    assert line["count"] == 3


def test_exceptions_are_logged_without_their_message(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    _configure()
    try:
        raise ValueError("Ada Lovelace <ada@example.com>")
    except ValueError:
        get_logger("t").exception("failed", tenant="acme")
    (line,) = _read(capsys)
    assert "Ada" not in json.dumps(line)
    assert line["exc_type"] == "builtins.ValueError"
    where = line["where"]
    assert isinstance(where, list)
    assert any("test_logs.py" in frame for frame in where)


def test_library_log_records_keep_only_their_format_string(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    _configure()
    logging.getLogger("somelib").error("Failed to process message %s", "export(first_name='Ada')")
    (line,) = _read(capsys)
    assert line["event"] == "Failed to process message %s"
    assert "Ada" not in json.dumps(line)


def test_bound_context_is_merged(capsys: pytest.CaptureFixture[str], log_lines: None) -> None:
    _configure()
    structlog.contextvars.bind_contextvars(tenant="acme", event_id="e-1", actor="export_profile")
    get_logger("t").info("done")
    structlog.contextvars.clear_contextvars()
    (line,) = _read(capsys)
    assert (line["tenant"], line["event_id"], line["actor"]) == ("acme", "e-1", "export_profile")


def test_personal_values_of_the_event_being_processed_are_masked_wherever_they_appear(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    _configure()
    data = {
        "candidate_id": "C-1",
        "first_name": "Ottilie",
        "last_name": "Wunderlich",
        "phones": [{"number": "030 5550"}],
        "addresses": [{"line1": "Kastanienallee 19", "city": "Berlin"}],
        "status": "Applied",
    }
    assert personal_values(data) == {"Ottilie", "Wunderlich", "030 5550", "Kastanienallee 19", "Berlin"}
    with masking(personal_values(data)):
        get_logger("t").info(f"stored ottilie WUNDERLICH of Kastanienallee 19 ({data['status']})")
        get_logger("t").warning("refused", reason="Ottilie moved to Berlin", candidate_id="C-1")
    get_logger("t").info("Berlin is not personal outside of that event")
    stored, refused, after = _read(capsys)
    assert stored["event"] == "stored [redacted] [redacted] of [redacted] (Applied)"
    assert refused["reason"] == "[redacted] moved to [redacted]" and refused["candidate_id"] == "C-1"
    assert after["event"] == "Berlin is not personal outside of that event"


def test_a_worker_masks_what_the_event_it_processes_carries(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    import dramatiq
    from dramatiq.broker import MessageProxy

    from workers.middleware import EventContext

    _configure()
    data = {"candidate_id": "C-1", "first_name": "Leocadia", "emails": ["leo@example.com"]}
    event = {
        "type": "ats.candidate.updated.v1",
        "id": "e-1",
        "source": "ats://t",
        "tenant": "acme",
        "data": data,
    }
    message = MessageProxy(dramatiq.Message("status_push", "apply_candidate_event", (), {"event": event}, {}))
    context = EventContext()
    context.before_process_message(None, message)  # type: ignore[arg-type]
    get_logger("handler").info("stored Leocadia")
    context.after_process_message(None, message)  # type: ignore[arg-type]
    get_logger("handler").info("next message: Leocadia is no value of it")
    events = [str(line["event"]) for line in _read(capsys)]
    assert [e for e in events if "Leocadia" in e or "[redacted]" in e] == [
        "stored [redacted]",
        "next message: Leocadia is no value of it",
    ]
