"""structlog set-up: JSON lines bound with tenant, event id and actor, and never any personal data.

Redaction is by field: the value of every key that names personal data (``PERSONAL_FIELDS``: names,
contact details, addresses, message and note text) is ``[redacted]``; identifiers, codes and counts
are logged as they are, so an operator can search the log for a message or event id. Values are still
scrubbed of anything shaped like an e-mail address (an identifier that *is* an e-mail address is
personal data too), and free text (``TEXT_KEYS``) of phone-number-like digit runs.

Names have no shape to scrub by, so while a worker processes an event, the personal values the event
carries (``personal_values``) are masked in the free text of every line, the message itself
included: a handler that wrote ``log.info(f"stored {name}")`` would still log ``stored [redacted]``.
A value is masked only as a whole token, never inside an identifier: a candidate called Ada leaves
``e4e52f79-adab`` and ``ada-17`` alone.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog

from rsc.settings import LogFormat, Settings

#: Fields whose values are personal data, in event data, LinkedIn's items and log calls alike. The
#: value of such a key is never logged; ``tests/rsc/test_logs.py`` checks every field of every event
#: schema is either here or known not to be personal.
PERSONAL_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "firstName",
        "lastName",
        "middle_initial",
        "middleInitial",
        "prefix",
        "suffix",
        "name",
        "emails",
        "email",
        "emailAddress",
        "emailAddresses",
        "candidateEmail",
        "phones",
        "phone",
        "other_emails",
        "other_phones",
        "phoneNumber",
        "phoneNumbers",
        "addresses",
        "line1",
        "line2",
        "city",
        "region",
        "postal_code",
        "country",
        "number",
        "extension",
        "location",
        "current_company",
        "current_title",
        "currentCompanyName",
        "currentJobTitle",
        "company",
        "title",
        "headline",
        "linkedin_profile_url",
        "linkedInProfileUrl",
        "profile_url",
        "profileUrl",
        "subject",
        "body",
        "text",
        "note",
        "reply",
        "author",
        "description",
        "disposition_reason",
    }
)
#: Keys holding free text written by the pipeline; scrubbed of phone numbers as well as e-mails,
#: and of the personal values of the event being processed.
TEXT_KEYS = frozenset({"event", "reason", "error"})
#: Keys set by the logging set-up itself, never scrubbed.
RAW_KEYS = frozenset({"timestamp", "level", "logger"})

REDACTED = "[redacted]"
_EMAIL = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[^\s@\"'<>(),;:]+")
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+)?")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
#: Characters that join the parts of an identifier: a personal value next to one of them is part
#: of an id (``dup-1``, ``urn:li:person:ada``, ``C_ada``), not a word of its own.
_ID_JOINERS = r"\w\-:./@#"

#: Shorter values are not masked (they would mask ordinary words of log messages).
MIN_MASKED_LENGTH = 3


class _Mask:
    """The values a thread masks, as one pattern compiled when a line first needs it: most events
    are processed without a line at the levels logged, and finding and compiling their values cost
    more than a log line does."""

    def __init__(self, values: Callable[[], set[str]]) -> None:
        self._values: Callable[[], set[str]] | None = values
        self._pattern: re.Pattern[str] | None = None

    def pattern(self) -> re.Pattern[str] | None:
        values = self._values
        if values is not None:
            # Threads of one group commit may get here at once: each compiles the same pattern,
            # and the values are dropped only once it is set.
            self._pattern = _pattern_of(values())
            self._values = None
        return self._pattern


_PERSONAL: ContextVar[_Mask | None] = ContextVar("rsc_personal_values", default=None)


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


def _pattern_of(values: set[str]) -> re.Pattern[str] | None:
    words = sorted(values, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![{_ID_JOINERS}])(?:{alternatives})(?![{_ID_JOINERS}])", re.IGNORECASE)


def mask_values(values: set[str]) -> None:
    """Mask these values in the free text of every line this thread (or task) logs until
    ``mask_values(set())``; each only where it stands as a token of its own."""
    _PERSONAL.set(_Mask(lambda: values) if values else None)


def mask_personal_values_of(data: Any) -> None:
    """``mask_values(personal_values(data))``, the values found when a line is first logged."""
    _PERSONAL.set(_Mask(lambda: personal_values(data)))


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
    text = match.group(0)
    return text if _DATE.fullmatch(text) or _IPV4.fullmatch(text) else REDACTED


def scrub(text: str) -> str:
    """Mask e-mail addresses and phone-number-like digit runs in free text."""
    return _PHONE.sub(_mask_phone, _EMAIL.sub(REDACTED, text))


def _safe_value(value: Any, *, text: bool, personal: re.Pattern[str] | None = None) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if k in PERSONAL_FIELDS else _safe_value(v, text=text, personal=personal)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_safe_value(item, text=text, personal=personal) for item in value]
    value = str(value)
    if not text:
        # An identifier or a code: logged as it is, unless it is an e-mail address.
        return _EMAIL.sub(REDACTED, value)
    if personal is not None:
        value = personal.sub(REDACTED, value)
    return scrub(value)


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> Mapping[str, Any]:
    """structlog processor: the value of every personal field is dropped; the others are kept,
    scrubbed of e-mail addresses (and free text of phone numbers and of the personal values of the
    event being processed, ``mask_values``)."""
    mask = _PERSONAL.get()
    personal = mask.pattern() if mask is not None else None
    for key in list(event_dict):
        if key in ("exc_info", "exception", "stack") or key in RAW_KEYS:
            continue
        if key in PERSONAL_FIELDS:
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _safe_value(event_dict[key], text=key in TEXT_KEYS, personal=personal)
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


def configure_logging(
    settings: Settings, *, process: str = "rsc", minimum_level: int = logging.NOTSET
) -> None:
    """Configure structlog and route every other log record of the process through it: the standard
    library's loggers (Dramatiq's, uvicorn's) and Python's warnings, so that in JSON mode every line
    the process writes is one JSON object. ``minimum_level`` raises ``RSC_LOG_LEVEL`` (a command
    run by a person logs warnings only)."""
    level = max(getattr(logging, settings.log_level.upper(), logging.INFO), minimum_level)
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
        # The arguments are filled in by ``_stdlib_message_as_event``, each made safe first.
        pass_foreign_args=True,
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
    handler.addFilter(_outcome_told_by_middleware)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Dramatiq logs message reprs (with their arguments) at DEBUG; our own middleware logs what
    # matters with safe fields, so its loggers stay at WARNING.
    for noisy in ("dramatiq", "pika", "amqp", "kombu", "httpx", "httpcore", "urllib3", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    # uvicorn's loggers have handlers of their own when uvicorn configured them; ours take over.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Off first: a second call would find the capture installed and keep a handler that was
    # replaced since (a command configures logging once more when it starts a service).
    logging.captureWarnings(False)
    logging.captureWarnings(True)
    structlog.contextvars.bind_contextvars(logger=process)


#: Dramatiq's own lines about one message's outcome, which the worker middleware tells once, with
#: the event's identifiers and the reason (``workers.runtime.middleware``): (logger prefix, message start).
_TOLD_BY_MIDDLEWARE = (
    ("dramatiq.worker", "Failed to process message"),
    ("dramatiq.middleware.retries", "Retries exceeded"),
    ("dramatiq.middleware.retries", "Retrying message"),
)


def _outcome_told_by_middleware(record: logging.LogRecord) -> bool:
    text = str(record.msg)
    return not any(
        record.name.startswith(name) and text.startswith(start) for name, start in _TOLD_BY_MIDDLEWARE
    )


#: Longest library log argument shown as it is; longer ones may be a body or a repr of one.
MAX_ARGUMENT_LENGTH = 120
#: Characters of a repr or a serialised structure, whose fields are not known to be safe.
_STRUCTURED = re.compile(r"[{}\[\]()=<>]")


def _safe_argument(value: Any) -> Any:
    """A library log record's argument as it may be shown: numbers and short plain strings as they
    are, a Dramatiq message as its id, an exception as its type, anything else withheld."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    message_id = getattr(value, "message_id", None)
    if isinstance(message_id, str):
        return f"message {message_id}"
    if isinstance(value, BaseException):
        return type(value).__name__
    if isinstance(value, str) and len(value) <= MAX_ARGUMENT_LENGTH and not _STRUCTURED.search(value):
        return value
    return "<value>"


def _stdlib_message_as_event(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> Mapping[str, Any]:
    """Foreign (standard library) records: the message with its arguments filled in, each argument
    first made safe (``_safe_argument``); the text is free text, scrubbed like every ``event``."""
    record = event_dict.get("_record")
    arguments = event_dict.pop("positional_args", None)
    if isinstance(record, logging.LogRecord):
        event_dict["event"] = _filled(str(record.msg), arguments)
        if record.name == "py.warnings":
            event_dict["event"] = _warning_text(event_dict["event"])
    return event_dict


def _filled(template: str, arguments: Any) -> str:
    if not arguments:
        return template
    args: Any
    if isinstance(arguments, Mapping):
        args = {key: _safe_argument(value) for key, value in arguments.items()}
    else:
        args = tuple(_safe_argument(value) for value in arguments)
    try:
        return template % args
    except (TypeError, ValueError, KeyError):
        return template


def _warning_text(text: str) -> str:
    """A captured warning as ``Category: message (file:line)``, without the source line Python
    appends (it may quote anything)."""
    first = text.strip().splitlines()[0] if text.strip() else text
    location, _, rest = first.partition(": ")
    category, _, message = rest.partition(": ")
    if not message:
        return first
    return f"{category}: {message} ({location.rsplit('/', 1)[-1]})"


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
