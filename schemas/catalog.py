"""The catalogue of events: the discriminated union, upcasting of old versions, parsing, JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError

from schemas import ats, linkedin  # noqa: F401  (registers the event classes)
from schemas.envelope import Event, event_type_of

#: Turns the raw dict of an old event version into the next version, in place or as a new dict.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

#: Old type name -> upcaster producing the next version; applied until no upcaster matches.
UPCASTERS: dict[str, Upcaster] = {}


class InvalidEvent(ValueError):
    """An event that can never be processed: malformed, unknown type or schema violation.

    The message names what is wrong without quoting input values (they may be personal data).
    """


class EventTooLarge(InvalidEvent):
    """An event over ``RSC_MAX_EVENT_BYTES``: refused at publish time, dead-lettered by a worker."""

    reason_code = "event_too_large"


def check_size(size: int, limit: int, what: str) -> None:
    """Raise ``EventTooLarge`` when ``what`` (an event, named by id and type) is over ``limit`` bytes."""
    if size > limit:
        raise EventTooLarge(
            f"{what} is {size:,} bytes as a message; at most {limit:,} are accepted "
            "(RSC_MAX_EVENT_BYTES): send the record's fields, not documents"
        )


def _concrete_events(base: type[Event] = Event) -> Iterator[type[Event]]:
    for sub in base.__subclasses__():
        if not sub.__name__.startswith("_"):
            yield sub
        yield from _concrete_events(sub)


EVENT_CLASSES: dict[str, type[Event]] = {event_type_of(cls): cls for cls in _concrete_events()}
EVENT_TYPES: tuple[str, ...] = tuple(sorted(EVENT_CLASSES))

_EventUnion = Annotated[Union[tuple(EVENT_CLASSES.values())], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(_EventUnion)  # type: ignore[arg-type]


def register_upcaster(old_type: str) -> Callable[[Upcaster], Upcaster]:
    def decorate(fn: Upcaster) -> Upcaster:
        UPCASTERS[old_type] = fn
        return fn

    return decorate


def upcast(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring an event dict of an old version up to the current version of its type."""
    seen: set[str] = set()
    while isinstance(event_type := raw.get("type"), str) and event_type in UPCASTERS:
        if event_type in seen:
            raise InvalidEvent(f"upcaster loop at type {event_type!r}")
        seen.add(event_type)
        raw = UPCASTERS[event_type](dict(raw))
    return raw


def resolve_type(name: str) -> str:
    """Accept a type with or without its version suffix (``ats.job.published`` -> latest version)."""
    if name in EVENT_CLASSES:
        return name
    versions = sorted(
        (t for t in EVENT_CLASSES if t.rsplit(".", 1)[0] == name),
        key=lambda t: int(t.rsplit(".v", 1)[1]),
    )
    if not versions:
        raise InvalidEvent(f"unknown event type {name!r}; `rsc schema --list` shows the known types")
    return versions[-1]


def _location(part: str | int) -> str:
    """A field name or index as a reason shows it: unknown keys come from the input, so they are
    shortened and their unprintable characters escaped (a NUL cannot be stored in PostgreSQL)."""
    text = str(part)[:60]
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_input=False, include_url=False)[:10]:
        loc = ".".join(_location(p) for p in err["loc"]) or "(event)"
        parts.append(f"{loc}: {err['msg']}")
    return "schema violation: " + "; ".join(parts)


def parse_event(raw: object) -> Event:
    """Validate a decoded JSON value (or bytes/str of JSON) into its typed event."""
    if isinstance(raw, bytes | str):
        try:
            raw = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidEvent(f"malformed JSON: {type(exc).__name__}") from None
        except RecursionError:
            raise InvalidEvent("malformed JSON: nested too deeply") from None
    if not isinstance(raw, dict):
        raise InvalidEvent("an event must be a JSON object")
    raw = upcast(raw)
    event_type = raw.get("type")
    if not isinstance(event_type, str) or event_type not in EVENT_CLASSES:
        shown = event_type if isinstance(event_type, str) and len(event_type) <= 80 else "(invalid)"
        raise InvalidEvent(f"unknown event type {shown!r}")
    try:
        return EVENT_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise InvalidEvent(describe_validation_error(exc)) from None


def event_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of one event type; a field LinkedIn needs for the record to sync carries
    ``x-linkedin-required`` with the rule (``schemas.requirements``)."""
    from schemas.requirements import required_fields

    event_class = EVENT_CLASSES[event_type]
    schema = event_class.model_json_schema()
    data_model = event_class.model_fields["data"].annotation
    marks = required_fields(data_model) if isinstance(data_model, type) else {}
    if marks:
        definition = schema.get("$defs", {}).get(data_model.__name__, {})  # type: ignore[union-attr]
        for field, rule in marks.items():
            definition.get("properties", {}).get(field, {})["x-linkedin-required"] = rule
    return schema


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every event type, keyed by type."""
    return {name: event_schema(name) for name in EVENT_TYPES}
