"""Log lines carry identifiers, never personal data."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from rsc.logs import configure_logging, get_logger, masking, personal_values
from rsc.settings import get_settings


@pytest.fixture
def log_lines() -> Iterator[None]:
    yield
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def _configure() -> None:
    # Inside the test body: pytest swaps the root logger's handlers between test phases.
    configure_logging(get_settings(), process="test")
    structlog.contextvars.clear_contextvars()


def _read(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def test_personal_fields_are_redacted_and_every_other_key_kept(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    _configure()
    get_logger("t").info(
        "candidate stored",
        tenant="acme",
        candidate_id="C-1",
        run=7,
        cause="stub-9",
        previous_status="Applied",
        first_name="Ada",
        note="secret",
        details={"email": "x", "count": 2},
    )
    (line,) = _read(capsys)
    assert line["tenant"] == "acme" and line["candidate_id"] == "C-1"
    assert (line["run"], line["cause"], line["previous_status"]) == (7, "stub-9", "Applied")
    assert line["first_name"] == "[redacted]" and line["note"] == "[redacted]"
    assert line["details"] == {"email": "[redacted]", "count": 2}


def test_identifiers_are_never_masked_by_a_personal_value_they_contain(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    _configure()
    ids = {
        "message_id": "e4e52f79-1c2d-4b8e-9f00-adabe7dcf42a",
        "event_id": "dup-1",
        "candidate_id": "run_ada",
        "member": "urn:li:person:ada",
    }
    with masking(personal_values({"first_name": "Ada", "last_name": "Dup", "title": "Run"})):
        get_logger("t").info("Ada stored as run_ada, event dup-1; Dup runs", reason="Run by Ada", **ids)
    (line,) = _read(capsys)
    assert {key: line[key] for key in ids} == ids
    assert line["event"] == "[redacted] stored as run_ada, event dup-1; [redacted] runs"
    assert line["reason"] == "[redacted] by [redacted]"


def test_every_event_field_is_known_to_be_personal_or_not() -> None:
    """A new field of an event schema must be classified before it can reach a log line."""
    from pydantic import BaseModel

    from rsc.logs import PERSONAL_FIELDS
    from schemas.catalog import EVENT_CLASSES

    not_personal = NON_PERSONAL_EVENT_FIELDS
    unclassified: set[str] = set()

    def walk(model: type[BaseModel]) -> None:
        for name, field in model.model_fields.items():
            if name not in PERSONAL_FIELDS and name not in not_personal:
                unclassified.add(f"{model.__name__}.{name}")
            for nested in _models_in(field.annotation):
                walk(nested)

    for event_class in EVENT_CLASSES.values():
        walk(event_class)
    assert unclassified == set(), "add each to rsc.logs.PERSONAL_FIELDS or to NON_PERSONAL_EVENT_FIELDS"


#: Fields of the event schemas whose values are identifiers, codes, times or counts.
NON_PERSONAL_EVENT_FIELDS = frozenset(
    {
        # the CloudEvents envelope
        "id", "source", "type", "specversion", "time", "datacontenttype", "tenant", "data",
        # identifiers
        "application_id", "candidate_id", "job_id", "user_id", "note_id", "reply_id", "author_user_id",
        "event_id", "stub_id", "transition_id", "request_id", "push_id", "member", "person_urn",
        "owner", "owners", "viewer", "contract", "thread", "hiring_team",
        # codes, flags, counts and times
        "active", "state", "status", "visibility", "visibility_sent", "revision", "transition",
        "do_not_contact",
        "notify_collaboration_email", "country_code", "created_at", "modified_at", "deleted_at",
        "changed_at", "replied_at", "notified_at", "created_ms", "last_modified_ms",
        # the employer's own data about a job
        "company_name", "apply_url",
    }
)  # fmt: skip


def _models_in(annotation: object) -> list[type]:
    from typing import get_args

    from pydantic import BaseModel

    found: list[type] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for argument in get_args(annotation):
        found.extend(_models_in(argument))
    return found


def test_python_warnings_are_log_lines_like_any_other(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    import warnings

    _configure()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("RSC_SECRET_KEY is not set; using the development key", stacklevel=1)
    (line,) = _read(capsys)
    assert line["level"] == "warning"
    assert str(line["event"]).startswith("UserWarning: RSC_SECRET_KEY is not set")
    assert capsys.readouterr().err.count("\n") == 0


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


def test_library_log_records_have_their_arguments_filled_in_safely(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    import dramatiq

    _configure()
    message: dramatiq.Message[None] = dramatiq.Message(
        "q", "a", (), {"event": {"first_name": "Ada"}}, {}, message_id="m-1"
    )
    logging.getLogger("uvicorn.error").warning("Uvicorn running on %s://%s:%d", "http", "127.0.0.1", 8080)
    logging.getLogger("somelib").error("Could not handle %s: %r", "export(first_name='Ada')", message)
    logging.getLogger("somelib").error("mail %s", "ada@example.com")
    running, handled, mail = _read(capsys)
    assert running["event"] == "Uvicorn running on http://127.0.0.1:8080"
    assert handled["event"] == "Could not handle <value>: 'message m-1'"
    assert mail["event"] == "mail [redacted]"


def test_dramatiqs_own_lines_about_a_message_outcome_are_left_to_the_middleware(
    capsys: pytest.CaptureFixture[str], log_lines: None
) -> None:
    _configure()
    logging.getLogger("dramatiq.worker.WorkerThread").error("Failed to process message %s with x.", "m")
    logging.getLogger("dramatiq.middleware.retries.Retries").warning("Retries exceeded for message %r.", "m")
    logging.getLogger("dramatiq.worker.WorkerThread").critical("Consumer encountered an unexpected error.")
    (line,) = _read(capsys)
    assert line["event"] == "Consumer encountered an unexpected error."


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

    from workers.runtime.middleware import EventContext

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


def test_the_values_to_mask_are_found_once_and_only_when_a_line_is_logged(
    capsys: pytest.CaptureFixture[str], log_lines: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rsc import logs

    _configure()
    walks: list[object] = []
    find = logs.personal_values

    def counted(data: object) -> set[str]:
        walks.append(data)
        return find(data)

    monkeypatch.setattr(logs, "personal_values", counted)
    logs.mask_personal_values_of({"first_name": "Leocadia"})
    assert walks == []  # nothing logged, nothing looked for
    get_logger("handler").info("stored Leocadia")
    get_logger("handler").info("Leocadia again")
    assert walks == [{"first_name": "Leocadia"}]
    logs.mask_values(set())
    assert [line["event"] for line in _read(capsys)] == ["stored [redacted]", "[redacted] again"]
