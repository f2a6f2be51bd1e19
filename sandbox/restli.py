"""Rest.li conventions: composite keys, ``ids`` lists, batch responses and error bodies."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import IntEnum
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.responses import JSONResponse

from sandbox.rules import BODY_SHAPE, KEY_MATCH, KEY_SHAPE, Rule

#: A composite key: field name -> decoded value.
Key = dict[str, str]

_INDEXED_ID = re.compile(r"ids\[(\d+)\]\.(\w+)")


class ServiceErrorCode(IntEnum):
    """``serviceErrorCode`` values the sandbox answers with (see docs/linkedin-sandbox.md)."""

    ACCESS_DENIED = 100
    INVALID_REQUEST = 400
    NOT_FOUND = 404
    VALIDATION_FAILED = 422
    THROTTLED = 429
    VERSION_SUNSET = 426
    INJECTED_FAULT = 500
    INVALID_ACCESS_TOKEN = 65600
    EXPIRED_ACCESS_TOKEN = 65601


class ApiError(Exception):
    """A whole call fails: answered with LinkedIn's error body and ``status``.

    ``rule`` is the rule the caller broke, recorded as a violation; None for answers that are no
    one's fault (a record that is not there, an injected fault).
    """

    def __init__(
        self,
        status: int,
        message: str,
        code: ServiceErrorCode | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        rule: Rule | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code if code is not None else _default_code(status)
        self.headers = dict(headers or {})
        self.rule = rule

    def response(self) -> JSONResponse:
        return JSONResponse(
            error_body(self.status, self.message, self.code), self.status, headers=self.headers
        )


def _default_code(status: int) -> ServiceErrorCode:
    return {
        401: ServiceErrorCode.INVALID_ACCESS_TOKEN,
        403: ServiceErrorCode.ACCESS_DENIED,
        404: ServiceErrorCode.NOT_FOUND,
        422: ServiceErrorCode.VALIDATION_FAILED,
        426: ServiceErrorCode.VERSION_SUNSET,
        429: ServiceErrorCode.THROTTLED,
    }.get(status, ServiceErrorCode.INVALID_REQUEST)


def error_body(status: int, message: str, code: ServiceErrorCode | None = None) -> dict[str, Any]:
    return {"status": status, "message": message, "serviceErrorCode": int(code or _default_code(status))}


def bad_request(message: str, rule: Rule) -> ApiError:
    return ApiError(400, message, rule=rule)


def split_list(value: str) -> list[str]:
    """Items of a Rest.li 2.0 ``List(a,b)`` (top-level commas only), or ``[value]`` for a plain value."""
    if not (value.startswith("List(") and value.endswith(")")):
        return [value]
    inner = value[len("List(") : -1]
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in inner:
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        depth += char == "("
        depth -= char == ")"
        current.append(char)
    if current:
        items.append("".join(current))
    return [item for item in items if item]


def _restli_record(text: str) -> Key:
    """``(a:1,b:urn%3Ali%3Ax%3A1)`` -> ``{"a": "1", "b": "urn:li:x:1"}``."""
    if not (text.startswith("(") and text.endswith(")")):
        raise bad_request(f"malformed Rest.li key '{text}'; expected (field:value,...)", KEY_SHAPE)
    key: Key = {}
    for part in text[1:-1].split(","):
        name, sep, value = part.partition(":")
        if not sep:
            raise bad_request(f"malformed Rest.li key '{text}'; expected (field:value,...)", KEY_SHAPE)
        key[unquote(name)] = unquote(value)
    return key


def query_values(pairs: Iterable[tuple[str, str]], name: str) -> list[str]:
    """Every value of a repeatable parameter, expanding ``List(...)``; raw and encoded URNs both work."""
    values: list[str] = []
    for key, value in pairs:
        if key == name:
            values.extend(unquote(item) for item in split_list(value))
    return values


def query_compound_keys(pairs: Iterable[tuple[str, str]]) -> list[Key]:
    """Composite keys from ``ids[0].field=..&ids[1]...`` or ``ids=List((field:value,...),...)``."""
    indexed: dict[int, Key] = {}
    listed: list[Key] = []
    for name, value in pairs:
        match = _INDEXED_ID.fullmatch(name)
        if match:
            indexed.setdefault(int(match.group(1)), {})[match.group(2)] = value
        elif name == "ids":
            # Plain ids (``ids=A&ids=B``) belong to simple-keyed resources; only records are composite.
            listed.extend(_restli_record(item) for item in split_list(value) if item.startswith("("))
    if indexed and listed:
        raise bad_request("use either ids[N].field=... or ids=List(...), not both", KEY_MATCH)
    return [indexed[index] for index in sorted(indexed)] if indexed else listed


def parse_entity_key(text: str) -> Key:
    """A body entity key ``atsCandidateId=C1&dataProvider=ATS&integrationContext=urn%3Ali%3A...``."""
    key: Key = {}
    for part in text.split("&"):
        name, sep, value = part.partition("=")
        if not sep or not name:
            raise bad_request(f"malformed entity key '{text}'; expected field=value&field=value", KEY_SHAPE)
        if unquote(name) in key:
            raise bad_request(f"entity key '{text}' names '{name}' twice", KEY_SHAPE)
        key[unquote(name)] = unquote(value)
    return key


def canonical(key: Mapping[str, str]) -> str:
    """One spelling per key, whatever order or encoding the caller used."""
    return "&".join(f"{name}={key[name]}" for name in sorted(key))


def parse_query(query_string: bytes | str) -> list[tuple[str, str]]:
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    return parse_qsl(text, keep_blank_values=True)


def batch_response(results: Mapping[str, Any], errors: Mapping[str, Any]) -> JSONResponse:
    return JSONResponse({"results": dict(results), "errors": dict(errors)})


def entity_error(status: int, message: str, code: ServiceErrorCode | None = None) -> dict[str, Any]:
    return error_body(status, message, code)


def malformed_body(message: str) -> ApiError:
    return bad_request(message, BODY_SHAPE)


def paged(elements: list[Any], start: int, count: int, total: int) -> JSONResponse:
    return JSONResponse(
        {"elements": elements, "paging": {"start": start, "count": count, "total": total, "links": []}}
    )
