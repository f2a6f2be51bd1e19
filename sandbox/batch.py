"""Composite-key batch calls: keys from the query string, entities from the body, and the rule
that both name the same set of keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.gateway import ApiCall
from sandbox.restli import Key, bad_request, canonical, parse_entity_key, query_compound_keys, query_values
from sandbox.rules import KEY_MATCH, KEY_SHAPE


@dataclass(frozen=True)
class KeyedEntity:
    #: The key exactly as the caller wrote it in the body: the response uses it.
    sent: str
    canonical: str
    key: Key
    entity: Any


def _check_fields(key: Key, fields: frozenset[str], where: str) -> None:
    if set(key) != fields:
        raise bad_request(
            f"{where} key {canonical(key)!r} must have exactly the fields {', '.join(sorted(fields))}",
            KEY_SHAPE,
        )


def query_keys(call: ApiCall, fields: frozenset[str]) -> dict[str, Key]:
    """The batch's keys from ``ids[N].field=...``, by canonical form, in the caller's order."""
    keys = query_compound_keys(call.query)
    if not keys:
        example = "&".join(f"ids[0].{name}=..." for name in sorted(fields))
        raise bad_request(f"this call needs its keys in the query string: {example}", KEY_MATCH)
    found: dict[str, Key] = {}
    for key in keys:
        _check_fields(key, fields, "query")
        name = canonical(key)
        if name in found:
            raise bad_request(f"key {name!r} appears twice in the query", KEY_MATCH)
        found[name] = key
    return found


def display_key(key: Key) -> str:
    """A response key for a call without a body: the fields in the caller's order, values decoded."""
    return "&".join(f"{name}={value}" for name, value in key.items())


def _same_keys(in_query: Iterable[str], in_body: Iterable[str]) -> None:
    query_only, body_only = set(in_query) - set(in_body), set(in_body) - set(in_query)
    if query_only or body_only:
        raise bad_request(
            "the keys in the query string and in the body must be the same; "
            f"only in the query: {sorted(query_only)}, only in the body: {sorted(body_only)}",
            KEY_MATCH,
        )


def body_entities(call: ApiCall, fields: frozenset[str]) -> list[KeyedEntity]:
    """The body's entities, checked against the query's keys."""
    in_query = query_keys(call, fields)
    entities: list[KeyedEntity] = []
    seen: set[str] = set()
    for sent, entity in call.body_map("entities").items():
        key = parse_entity_key(sent)
        _check_fields(key, fields, "body")
        name = canonical(key)
        if name in seen:
            raise bad_request(f"key {name!r} appears twice in the body", KEY_MATCH)
        seen.add(name)
        entities.append(KeyedEntity(sent, name, key, entity))
    _same_keys(in_query, seen)
    return entities


def simple_ids(call: ApiCall) -> list[str]:
    """Plain ids of a sub-resource batch: ``?ids=A&ids=B`` or ``?ids=List(A,B)``."""
    ids = query_values(call.query, "ids")
    if not ids:
        raise bad_request("this call needs ids in the query string: ?ids=A&ids=B", KEY_MATCH)
    if len(set(ids)) != len(ids):
        raise bad_request("an id appears twice in the query", KEY_MATCH)
    return ids


def simple_entities(call: ApiCall) -> dict[str, Any]:
    """A sub-resource batch body keyed by plain ids, checked against ``?ids=``."""
    ids = simple_ids(call)
    entities = call.body_map("entities")
    _same_keys(ids, entities)
    return entities
