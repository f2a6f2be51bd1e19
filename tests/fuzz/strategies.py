"""Hypothesis strategies for the fuzz tests: valid events derived from the catalogue's JSON Schemas,
the ways an event can be broken, and the settings every fuzz test runs under.

Valid events come from each type's JSON Schema (``schemas.catalog.json_schemas``), so a new event type
is fuzzed as soon as it is in the catalogue. JSON Schema cannot say everything a model checks; the
cross-field rules it cannot express are in ``CROSS_FIELD_RULES``. A new model validator shows up as
a failing round-trip test until its rule is added there.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from schemas.catalog import EVENT_CLASSES, UPCASTERS, json_schemas

JSON = dict[str, Any]

# --- settings ----------------------------------------------------------------------------------------

#: ``HYPOTHESIS_PROFILE=long`` runs every fuzz test with many more examples (a local, longer run);
#: the default keeps the whole fuzz suite well under a minute in CI.
LONG = os.environ.get("HYPOTHESIS_PROFILE", "") == "long"


def fuzz_settings(examples: int) -> settings:
    """Settings of one fuzz test: ``examples`` in CI, fifty times as many in the long profile."""
    return settings(
        max_examples=examples * 50 if LONG else examples,
        deadline=None,
        derandomize=not LONG,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            # The app, the store and the broker are set up once per test and shared by its examples.
            HealthCheck.function_scoped_fixture,
        ],
    )


# --- valid events from the JSON Schemas --------------------------------------------------------------

SCHEMAS: dict[str, JSON] = json_schemas()

_OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
#: Aware datetimes over the whole range pydantic reads, in whole-minute offsets (RFC 3339).
aware_datetimes = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=_OFFSETS | st.just(UTC)
)
emails = st.from_regex(
    r"[a-z0-9]{1,12}(\.[a-z0-9]{1,8})?@[a-z0-9]{1,12}\.(com|org|net|io|de)", fullmatch=True
)


def _string(schema: JSON) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if schema.get("format") == "date-time":
        return aware_datetimes.map(lambda moment: moment.isoformat())
    if schema.get("format") == "email":
        return emails
    if "pattern" in schema:
        strings = st.from_regex(str(schema["pattern"]), fullmatch=True)
        return strings.filter(lambda s: len(s) >= low and (high is None or len(s) <= high))
    strings = st.text(min_size=low, max_size=high if high is not None else 40)
    # Constrained strings are stripped before their length is checked: keep something besides blanks.
    return strings.filter(lambda s: s.strip()) if low else strings


def from_schema(schema: JSON, defs: JSON) -> st.SearchStrategy[Any]:
    """Values valid against ``schema`` (the subset of JSON Schema pydantic emits for the catalogue)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return st.deferred(lambda: from_schema(defs[name], defs))
    if "anyOf" in schema:
        return st.one_of([from_schema(branch, defs) for branch in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = from_schema(schema.get("items", {}), defs)
        low = schema.get("minItems", 0)
        return st.lists(items, min_size=low, max_size=schema.get("maxItems", low + 3))
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        each = {name: from_schema(field, defs) for name, field in properties.items()}
        return st.fixed_dictionaries(
            {name: each[name] for name in properties if name in required},
            optional={name: each[name] for name in properties if name not in required},
        )
    raise NotImplementedError(f"no strategy for the JSON Schema {schema!r}; extend tests/fuzz/strategies.py")


def _ordered_versions(value: Any) -> None:
    """``Versioned``: modified_at is never earlier than created_at (at any depth)."""
    if isinstance(value, dict):
        if isinstance(value.get("created_at"), str) and isinstance(value.get("modified_at"), str):
            created, modified = (datetime.fromisoformat(value[k]) for k in ("created_at", "modified_at"))
            if modified < created:
                value["created_at"], value["modified_at"] = value["modified_at"], value["created_at"]
        for item in value.values():
            _ordered_versions(item)
    elif isinstance(value, list):
        for item in value:
            _ordered_versions(item)


def _job_state(state: str) -> Callable[[JSON], None]:
    def rule(event: JSON) -> None:
        event["data"]["state"] = state

    return rule


def _transition_of_status(event: JSON) -> None:
    data = event["data"]
    if data.get("transition") is None:
        data["transition"] = {"transition_id": "T-1", "changed_at": data["created_at"]}
    data["transition"]["status"] = data["status"]


#: Model validators JSON Schema cannot express, per event type (every type: ``_ordered_versions``).
CROSS_FIELD_RULES: dict[str, Callable[[JSON], None]] = {
    "ats.job.published.v1": _job_state("published"),
    "ats.job.closed.v1": _job_state("closed"),
    "ats.application.status_changed.v1": _transition_of_status,
}


def _satisfy_rules(event_type: str) -> Callable[[JSON], JSON]:
    def apply(event: JSON) -> JSON:
        _ordered_versions(event)
        rule = CROSS_FIELD_RULES.get(event_type)
        if rule is not None:
            rule(event)
        return event

    return apply


@functools.cache
def valid_events(event_type: str) -> st.SearchStrategy[JSON]:
    """Raw (JSON-ready) events of ``event_type`` that the catalogue must accept."""
    schema = SCHEMAS[event_type]
    return from_schema(schema, schema.get("$defs", {})).map(_satisfy_rules(event_type))


#: One valid event of any type in the catalogue.
any_valid_event = st.sampled_from(sorted(SCHEMAS)).flatmap(valid_events)

# --- broken events ------------------------------------------------------------------------------------

#: Values of the wrong JSON type for an object, a scalar or a list field: pydantic coerces none of them.
_NOT_AN_OBJECT = st.sampled_from([[], [1, "x"], "junk", 7])
_NOT_A_SCALAR = st.sampled_from([{"junk": [1]}, [[]], {}])
_NOT_A_LIST = st.sampled_from([{"junk": 1}, {}])


def _object_schema(schema: JSON, defs: JSON) -> JSON | None:
    """The object schema a field accepts (following ``$ref`` and an optional ``null``), if any."""
    if "$ref" in schema:
        return _object_schema(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        objects = [s for s in (_object_schema(b, defs) for b in schema["anyOf"]) if s is not None]
        return objects[0] if objects else None
    return schema if schema.get("type") == "object" else None


def _field_schema(schema: JSON, defs: JSON) -> JSON:
    if "$ref" in schema:
        return _field_schema(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        return _field_schema(branches[0], defs) if len(branches) == 1 else schema
    return schema


def fields(event: JSON) -> list[tuple[tuple[str, ...], JSON, bool]]:
    """Every field present in ``event`` (nested models too): path, its schema, required or not."""
    schema = SCHEMAS[event["type"]]
    defs = schema.get("$defs", {})
    out: list[tuple[tuple[str, ...], JSON, bool]] = []

    def walk(value: JSON, model: JSON, path: tuple[str, ...]) -> None:
        required = set(model.get("required", ()))
        for name, field in model.get("properties", {}).items():
            if name not in value:
                continue
            out.append(((*path, name), _field_schema(field, defs), name in required))
            nested = _object_schema(field, defs)
            if nested is not None and isinstance(value[name], dict):
                walk(value[name], nested, (*path, name))

    walk(event, schema, ())
    return out


def models(event: JSON) -> list[tuple[str, ...]]:
    """Paths of the event and of every nested model in it (all of them refuse unknown keys)."""
    nested = [path for path, schema, _ in fields(event) if schema.get("type") == "object"]
    return [()] + [path for path in nested if isinstance(_at(event, path), dict)]


def _at(event: JSON, path: tuple[str, ...]) -> JSON:
    for name in path:
        event = event[name]
    return event


def _copy(event: JSON) -> JSON:
    copied: JSON = json.loads(json.dumps(event))
    return copied


@st.composite
def missing_required_field(draw: st.DrawFn) -> JSON:
    event = _copy(draw(any_valid_event))
    path = draw(st.sampled_from([p for p, _, required in fields(event) if required]))
    del _at(event, path[:-1])[path[-1]]
    return event


@st.composite
def wrong_type(draw: st.DrawFn) -> JSON:
    event = _copy(draw(any_valid_event))
    path, schema, _ = draw(st.sampled_from(fields(event)))
    kind = str(schema.get("type"))
    junk = {"object": _NOT_AN_OBJECT, "array": _NOT_A_LIST}.get(kind, _NOT_A_SCALAR)
    _at(event, path[:-1])[path[-1]] = draw(junk)
    return event


@st.composite
def extra_junk(draw: st.DrawFn) -> JSON:
    event = _copy(draw(any_valid_event))
    model = _at(event, draw(st.sampled_from(models(event))))
    key = draw(st.text(min_size=1, max_size=20).filter(lambda k: k not in model))
    model[key] = draw(st.none() | st.integers() | st.text(max_size=20))
    return event


_UNKNOWN_TYPES = st.text(max_size=120).filter(lambda t: t not in EVENT_CLASSES and t not in UPCASTERS)


@st.composite
def unknown_type(draw: st.DrawFn) -> JSON:
    event = _copy(draw(any_valid_event))
    event["type"] = draw(_UNKNOWN_TYPES | st.none() | st.integers() | st.lists(st.integers(), max_size=2))
    return event


_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@st.composite
def wrong_tenant(draw: st.DrawFn) -> JSON:
    event = _copy(draw(any_valid_event))
    event["tenant"] = draw(
        st.text(max_size=80).filter(lambda t: not _SLUG.fullmatch(t)) | st.none() | st.integers()
    )
    return event


@st.composite
def bad_specversion(draw: st.DrawFn) -> JSON:
    event = _copy(draw(any_valid_event))
    event["specversion"] = draw(st.text(max_size=10).filter(lambda v: v != "1.0") | st.floats() | st.none())
    return event


@st.composite
def oversized_string(draw: st.DrawFn) -> JSON:
    """A string longer than its field's ``maxLength`` (always refused)."""
    event = _copy(draw(any_valid_event))
    bounded = [(p, s) for p, s, _ in fields(event) if s.get("type") == "string" and "maxLength" in s]
    path, schema = draw(st.sampled_from(bounded))
    length = draw(st.integers(schema["maxLength"] + 1, schema["maxLength"] + 100_000))
    _at(event, path[:-1])[path[-1]] = draw(st.sampled_from(["x", "é", "\U0001f600", "0"])) * length
    return event


#: Events that must be refused with ``InvalidEvent``, whatever else is in them.
invalid_events = st.one_of(
    missing_required_field(),
    wrong_type(),
    extra_junk(),
    unknown_type(),
    wrong_tenant(),
    bad_specversion(),
    oversized_string(),
)


@st.composite
def huge_strings(draw: st.DrawFn) -> JSON:
    """A huge string in any string field: accepted where the field is unbounded, refused elsewhere."""
    event = _copy(draw(any_valid_event))
    strings = [p for p, s, _ in fields(event) if s.get("type") == "string" or "anyOf" in s]
    path = draw(st.sampled_from(strings))
    _at(event, path[:-1])[path[-1]] = draw(st.text(min_size=1, max_size=3)) * draw(
        st.integers(10_000, 300_000)
    )
    return event


#: JSON values that are not objects.
not_objects = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3),
    max_leaves=10,
)


@st.composite
def damaged_json(draw: st.DrawFn) -> bytes:
    """The bytes of a valid event, cut short, with bytes spliced in, re-encoded or deeply nested."""
    body = json.dumps(draw(any_valid_event)).encode()
    how = draw(st.sampled_from(["truncate", "splice", "utf16", "latin1", "nest"]))
    if how == "truncate":
        return body[: draw(st.integers(0, len(body) - 1))]
    if how == "splice":
        at = draw(st.integers(0, len(body)))
        return body[:at] + draw(st.binary(min_size=1, max_size=8)) + body[at:]
    if how == "utf16":
        return body.decode().encode("utf-16")
    if how == "latin1":
        return body.decode().encode("utf-8") + "\xe9\xff".encode("latin-1")
    depth = draw(st.integers(2_000, 20_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    return (opener * depth + "1" + closer * depth).encode()


#: Anything at all on the wire: garbage bytes, damaged JSON, non-objects.
garbage = st.one_of(
    st.binary(max_size=2_000),
    damaged_json(),
    not_objects.map(lambda value: json.dumps(value).encode()),
    st.text(max_size=200),
)
