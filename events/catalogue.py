"""``docs/events.md``, generated from the event models and the routing table.

``rsc schema --markdown`` prints it; a test fails when the committed file differs from what the
models say, so the catalogue an upstream team reads cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from events.routes import ROUTES, Route
from schemas.catalog import EVENT_CLASSES, EVENT_TYPES, UPCASTERS, event_schema

HEADER = """# Event catalogue

Generated from the models by `rsc schema --markdown`; do not edit by hand.

Every event is a JSON object shaped like a [CloudEvents 1.0](https://github.com/cloudevents/spec) event
with one extension attribute, `tenant`:

| attribute | required | meaning |
|---|---|---|
| `specversion` | no (default `"1.0"`) | always `"1.0"` |
| `id` | yes* | unique per `source`; `source` + `id` is the deduplication key (*`rsc publish` makes one) |
| `source` | yes | URI-reference of the producer, e.g. `ats://acme-prod` |
| `type` | yes | one of the types below; the suffix `.vN` is the schema version |
| `time` | no (default: now) | RFC 3339 time the event happened |
| `subject` | no | free text, e.g. the record id |
| `tenant` | yes | the tenant id (`^[a-z0-9][a-z0-9_-]{0,62}$`) |
| `datacontenttype` | no | `"application/json"` |
| `data` | yes | the payload described for each type |

Unknown attributes are rejected. ATS record events (`ats.*.created/updated/...`) carry the record's
full current state; `data.modified_at` (then `data.revision`) orders them, and an event older than
what the store holds changes nothing, so events may arrive late, twice or out of order.

An incompatible change to an event gets a new type (`...v2`) and an upcaster that turns the old
version into the new one before validation, so producers can move at their own pace.

Publish with `rsc publish TYPE --tenant T --data @data.json`, or with `events.publisher.Publisher`
from Python. Other clients must write the Dramatiq message format described in the README. A bulk
import goes to each queue's bulk lane `<queue>.bulk` (`rsc publish --bulk`, `publish_many(...,
bulk=True)`); a tenant's events beyond its burst budget go there by themselves.

**Pre-flight.** A field marked in the column *for LinkedIn* is optional in the ATS but required by
LinkedIn for the record to sync: an event without it is accepted and stored, and LinkedIn refuses the
record when it is pushed. `rsc publish` and `Publisher` warn about such an event (one log line naming
the fields) and reject it with `--strict` / `strict=True`; `rsc check FILE` checks a file of events
(one JSON object a line, or a JSON array) offline, schema and pre-flight. The JSON Schemas
(`rsc schema`) carry the same rule as `x-linkedin-required`. An event larger than
`RSC_MAX_EVENT_BYTES` is refused at publish time and dead-lettered (`event_too_large`) if it reaches
a worker another way.
"""


def _type_of(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return f"`{schema['$ref'].rsplit('/', 1)[-1]}`"
    if "anyOf" in schema:
        parts = [_type_of(s, defs) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
        return " or ".join(parts) + (" or null" if nullable else "")
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type_of(schema.get('items', {}), defs)}"
    fmt = schema.get("format")
    extra = []
    if fmt:
        extra.append(fmt)
    if "pattern" in schema:
        extra.append(f"pattern `{schema['pattern']}`")
    if "minLength" in schema:
        extra.append(f"min length {schema['minLength']}")
    if "minimum" in schema:
        extra.append(f">= {schema['minimum']}")
    return kind + (f" ({', '.join(extra)})" if extra else "")


def _fields_table(schema: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| field | type | required | for LinkedIn |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        linkedin = prop.get("x-linkedin-required", "")
        rows.append(
            f"| `{name}` | {_type_of(prop, defs)} | {'yes' if name in required else 'no'} | {linkedin} |"
        )
    return rows


def _consumer(route: Route) -> str:
    chained = f" once `{route.after.actor}` stored it" if route.after is not None else ""
    return f"`{route.actor}` on `{route.queue.value}`{chained}"


def render_catalogue() -> str:
    lines = [HEADER, "## Event types", "", "| type | consumed by (actor on queue) |", "|---|---|"]
    for event_type in EVENT_TYPES:
        routes = ROUTES.get(event_type, ())
        consumers = ", ".join(_consumer(r) for r in routes) or "not consumed yet"
        lines.append(f"| [`{event_type}`](#{event_type.replace('.', '')}) | {consumers} |")
    lines.append("")
    shared_defs: dict[str, Any] = {}
    for event_type in EVENT_TYPES:
        cls = EVENT_CLASSES[event_type]
        schema = event_schema(event_type)
        defs = schema.get("$defs", {})
        shared_defs.update(defs)
        data_ref = schema["properties"]["data"]
        data_schema = defs[data_ref["$ref"].rsplit("/", 1)[-1]] if "$ref" in data_ref else data_ref
        lines.append(f"### `{event_type}`")
        lines.append("")
        doc = (cls.__doc__ or "").strip().splitlines()
        if doc:
            lines += [doc[0], ""]
        old = sorted(t for t in UPCASTERS if t.rsplit(".v", 1)[0] == event_type.rsplit(".v", 1)[0])
        if old:
            lines += [f"Older versions accepted and upcast: {', '.join(f'`{t}`' for t in old)}.", ""]
        lines += [f"`data`: `{data_ref.get('$ref', '').rsplit('/', 1)[-1] or 'object'}`", ""]
        lines += _fields_table(data_schema, defs)
        lines.append("")
    lines += ["## Types", ""]
    for name in sorted(shared_defs):
        definition = shared_defs[name]
        if "properties" not in definition:
            if "enum" in definition:
                lines += [f"### `{name}`", "", _type_of(definition, shared_defs), ""]
            continue
        lines += [f"### `{name}`", ""]
        doc = (definition.get("description") or "").strip().splitlines()
        if doc:
            lines += [doc[0], ""]
        lines += _fields_table(definition, shared_defs)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
