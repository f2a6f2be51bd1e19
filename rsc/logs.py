"""structlog set-up: JSON lines bound with tenant, event id and actor, and never any personal data.

Redaction is by allow-list, not by guessing: only keys named in ``SAFE_KEYS`` keep their values, and
even those are scrubbed of anything shaped like an e-mail address or a phone number. A caller that
passes ``first_name=...`` gets ``[redacted]`` in the log whatever it meant to do.

Names and free text have no shape to scrub by, so while a worker processes an event, the personal
values the event carries (``personal_values``: names, contact details, addresses, message and note
text) are masked wherever they appear in a line, the message itself included: a handler that wrote
``log.info(f"stored {name}")`` would still log ``stored [redacted]``.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog

from rsc.settings import LogFormat, get_settings

#: Keys whose values are identifiers, counts or codes, never personal data.
SAFE_KEYS = frozenset(
    {
        "event",
        "level",
        "timestamp",
        "logger",
        "tenant",
        "event_id",
        "event_type",
        "event_source",
        "actor",
        "queue",
        "message_id",
        "consumer",
        "attempts",
        "retries",
        "reason",
        "error",
        "error_class",
        "outcome",
        "candidate_id",
        "application_id",
        "job_id",
        "user_id",
        "note_id",
        "request_id",
        "push_id",
        "seat",
        "contract",
        "count",
        "batch",
        "batch_size",
        "records",
        "calls",
        "duration_ms",
        "status",
        "status_code",
        "endpoint",
        "method",
        "resource",
        "keys",
        "failed_keys",
        "delay_ms",
        "retry_after_s",
        "port",
        "host",
        "queues",
        "processes",
        "threads",
        "path",
        "entity",
        "entity_type",
        "done",
        "total",
        "rate",
        "phase",
        "window_start",
        "window_end",
        "interval_s",
        "freshness_s",
        "revision",
        "url",
        "mode",
        "pid",
        "kind",
        "exc_type",
        "where",
        "stage",
        "version",
        "state",
        "integration",
        "job",
        "receipt_id",
        "notice_id",
        "dry_run",
    }
)

#: Keys holding free text written by the pipeline; scrubbed of phone numbers as well as e-mails.
TEXT_KEYS = frozenset({"event", "reason", "error"})
#: Keys never scrubbed (set by the logging set-up itself).
RAW_KEYS = frozenset({"timestamp", "level", "logger"})

REDACTED = "[redacted]"
_EMAIL = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[^\s@\"'<>(),;:]+")
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+)?")


#: Fields of event data whose values are personal; masked in every line logged while it is processed.
PERSONAL_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "firstName",
        "lastName",
        "middle_initial",
        "prefix",
        "suffix",
        "emails",
        "email",
        "phones",
        "phone",
        "addresses",
        "location",
        "current_company",
        "current_title",
        "company",
        "title",
        "headline",
        "linkedin_profile_url",
        "profile_url",
        "subject",
        "body",
        "text",
        "note",
    }
)
#: Shorter values are not masked (they would mask ordinary words of log messages).
MIN_MASKED_LENGTH = 3
_PERSONAL: ContextVar[re.Pattern[str] | None] = ContextVar("rsc_personal_values", default=None)


def personal_values(data: Any) -> set[str]:
    """Every string under a ``PERSONAL_FIELDS`` key anywhere in ``data`` (dicts and lists)."""
    found: set[str] = set()

    def walk(value: Any, personal: bool) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, personal or key in PERSONAL_FIELDS)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, personal)
        elif personal and isinstance(value, str) and len(value.strip()) >= MIN_MASKED_LENGTH:
            found.add(value.strip())

    walk(data, False)
    return found


def mask_values(values: set[str]) -> None:
    """Mask these values in every line this thread (or task) logs until ``mask_values(set())``."""
    words = sorted(values, key=len, reverse=True)
    _PERSONAL.set(re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None)


@contextmanager
def masking(values: set[str]) -> Iterator[None]:
    """``mask_values`` for a block (what a handler or command processes)."""
    token = _PERSONAL.set(None)
    mask_values(values)
    try:
        yield
    finally:
        _PERSONAL.reset(token)


def _mask_phone(match: re.Match[str]) -> str:
    return match.group(0) if _DATE.fullmatch(match.group(0)) else REDACTED


def scrub(text: str) -> str:
    """Mask e-mail addresses and phone-number-like digit runs in free text."""
    return _PHONE.sub(_mask_phone, _EMAIL.sub(REDACTED, text))


def _safe_value(value: Any, *, text: bool, personal: re.Pattern[str] | None = None) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_safe_value(item, text=text, personal=personal) for item in value]
    value = str(value)
    if personal is not None:
        value = personal.sub(REDACTED, value)
    # Identifiers may be e-mail addresses in some ATSs; free text may hold anything.
    return scrub(value) if text else _EMAIL.sub(REDACTED, value)


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> Mapping[str, Any]:
    """structlog processor: drop the value of every key that is not known to be safe.

    The values of safe keys are scrubbed of e-mail addresses (and free text of phone numbers too),
    and of the personal values of the event being processed (``mask_values``).
    """
    personal = _PERSONAL.get()
    for key in list(event_dict):
        if key in ("exc_info", "exception", "stack"):
            continue
        if key in RAW_KEYS:
            continue
        if key in SAFE_KEYS:
            event_dict[key] = _safe_value(event_dict[key], text=key in TEXT_KEYS, personal=personal)
        else:
            event_dict[key] = REDACTED
    return event_dict


def render_exception_safely(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> Mapping[str, Any]:
    """Replace exc_info by the exception's type and frames, without its message.

    Exception messages carry input values (pydantic errors quote them, drivers quote SQL
    parameters), so only the type and the code locations are logged.
    """
    exc_info = event_dict.pop("exc_info", None)
    if exc_info is None:
        return event_dict
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or exc_info[0] is None:
        return event_dict
    exc_type, _exc, tb = exc_info
    frames = traceback.extract_tb(tb)[-8:]
    event_dict["exc_type"] = f"{exc_type.__module__}.{exc_type.__qualname__}"
    event_dict["where"] = [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno}:{f.name}" for f in frames]
    return event_dict


def configure_logging(*, process: str = "rsc") -> None:
    """Configure structlog and route the standard library's loggers (dramatiq's too) through it."""
    settings = get_settings()
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_format is LogFormat.JSON
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        render_exception_safely,
        redact_personal_data,
    ]
    structlog.configure(
        # A line below the level is dropped before it is timestamped, redacted or masked.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared[:3], _stdlib_message_as_event],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            render_exception_safely,
            redact_personal_data,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Dramatiq logs message reprs (with their arguments) at DEBUG and on errors; our own
    # middleware logs what matters with safe fields, so its loggers stay at WARNING.
    for noisy in ("dramatiq", "pika", "amqp", "kombu", "httpx", "httpcore", "urllib3", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    structlog.contextvars.bind_contextvars(logger=process)


def _stdlib_message_as_event(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> Mapping[str, Any]:
    """Foreign (standard library) records: keep the format string, never its interpolated args.

    ``logging`` records from libraries interpolate message reprs and bodies into their text, so
    the rendered text is replaced by the format string, which holds no data.
    """
    record = event_dict.get("_record")
    if isinstance(record, logging.LogRecord):
        event_dict["event"] = str(record.msg)
    return event_dict


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
