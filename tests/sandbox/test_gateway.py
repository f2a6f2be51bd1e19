"""The sandbox gateway's accounting: the records a call carries (its keys or its entities, at least one),
and an app not yet bound to an organization refused with how to bind it."""

from __future__ import annotations

import pytest

from sandbox.gateway import count_records, organization_of
from sandbox.restli import ApiError, parse_query
from sandbox.state import Sandbox


def test_a_call_carries_its_keys_or_its_entities_and_at_least_one_record() -> None:
    assert count_records(parse_query("ids[0].atsCandidateId=C1&ids[1].atsCandidateId=C2"), None) == 2
    assert count_records(parse_query("ids=S1&ids=S2&ids=S3"), None) == 3
    assert count_records([], {"entities": {"a": {}, "b": {}, "c": {}, "d": {}}}) == 4
    assert count_records([], {"elements": [{}]}) == 1
    assert count_records(parse_query("q=criteria"), None) == 1


def test_an_unbound_app_is_refused_with_how_to_bind_it(sandbox: Sandbox) -> None:
    bound = sandbox.apps.create(client_id="acme-client", organization="urn:li:organization:1")
    assert organization_of(bound) == "urn:li:organization:1"
    with pytest.raises(ApiError, match="is not bound to an organization yet") as refused:
        organization_of(sandbox.apps.create(client_id="loose-client"))
    assert refused.value.status == 403
