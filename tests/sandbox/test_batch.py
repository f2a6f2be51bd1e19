"""A batch call's keys as the strict sandbox checks them: the query's keys with exactly the resource's
fields, each once, the same set in the body (in any spelling); plain ids of a sub-resource likewise."""

from __future__ import annotations

from typing import Any, cast

import pytest
from starlette.requests import Request

from sandbox.batch import body_entities, display_key, query_keys, simple_entities, simple_ids
from sandbox.gateway import ApiCall
from sandbox.restli import ApiError, parse_query
from sandbox.state import Sandbox
from sandbox.violations import Breaches

FIELDS = frozenset({"atsCandidateId", "integrationContext"})
ORG = "urn%3Ali%3Aorganization%3A1"


def call(sandbox: Sandbox, query: str, body: Any = None) -> ApiCall:
    return ApiCall(sandbox, cast(Request, None), None, parse_query(query), body, b"", Breaches())


def keys(*ids: str) -> str:
    return "&".join(
        f"ids[{n}].atsCandidateId={i}&ids[{n}].integrationContext={ORG}" for n, i in enumerate(ids)
    )


def test_the_querys_keys_are_read_in_order_and_must_be_whole_and_distinct(sandbox: Sandbox) -> None:
    found = query_keys(call(sandbox, keys("C2", "C1")), FIELDS)
    assert [key["atsCandidateId"] for key in found.values()] == ["C2", "C1"]
    assert (
        display_key(next(iter(found.values())))
        == "atsCandidateId=C2&integrationContext=urn:li:organization:1"
    )
    with pytest.raises(ApiError, match="appears twice in the query"):
        query_keys(call(sandbox, keys("C1", "C1")), FIELDS)
    with pytest.raises(ApiError, match="must have exactly the fields atsCandidateId, integrationContext"):
        query_keys(call(sandbox, "ids[0].atsCandidateId=C1"), FIELDS)
    with pytest.raises(ApiError, match="this call needs its keys in the query string"):
        query_keys(call(sandbox, "q=x"), FIELDS)


def test_the_bodys_entities_must_name_the_querys_keys(sandbox: Sandbox) -> None:
    body = {"entities": {f"integrationContext={ORG}&atsCandidateId=C1": {"firstName": "Ada"}}}
    [entity] = body_entities(call(sandbox, keys("C1"), body), FIELDS)
    assert (entity.key["atsCandidateId"], entity.entity) == ("C1", {"firstName": "Ada"})
    with pytest.raises(ApiError, match=r"only in the query: \[.*C2.*\]"):
        body_entities(call(sandbox, keys("C1", "C2"), body), FIELDS)


def test_plain_ids_are_listed_once_and_match_the_body(sandbox: Sandbox) -> None:
    assert simple_ids(call(sandbox, "ids=S1&ids=List(S2,S3)")) == ["S1", "S2", "S3"]
    with pytest.raises(ApiError, match="an id appears twice"):
        simple_ids(call(sandbox, "ids=S1&ids=S1"))
    assert simple_entities(call(sandbox, "ids=S1", {"entities": {"S1": {}}})) == {"S1": {}}
    with pytest.raises(ApiError, match="must be the same"):
        simple_entities(call(sandbox, "ids=S1", {"entities": {"S2": {}}}))
