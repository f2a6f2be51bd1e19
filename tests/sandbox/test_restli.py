"""Rest.li conventions and the shapes' header rules: protocol and version headers, composite keys in
query and body, batch limits. Shape-independent tests run in both shapes; the parsing helpers
(``List(...)``, key forms, canonical keys) are tested on their own at the end."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from sandbox.restli import (
    ApiError,
    canonical,
    error_body,
    parse_entity_key,
    parse_query,
    query_compound_keys,
    query_values,
    split_list,
)
from tests.sandbox.support import ORG, V2_API, Customer, candidate, ids_query, rules_broken, violations


def _keys(n: int) -> list[str]:
    return [f"C{i}" for i in range(n)]


@pytest.mark.sandbox_violations("header.protocol")
def test_v2_calls_need_the_restli_protocol_header(client: TestClient, customer: Customer) -> None:
    headers = customer.headers()
    headers.pop("X-RestLi-Protocol-Version", None)
    path = f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'])}"
    response = client.get(path, headers=headers)
    assert response.status_code == 400
    assert "X-RestLi-Protocol-Version" in response.json()["message"]
    wrong = {**headers, "X-RestLi-Protocol-Version": "1.0.0"}
    assert client.get(path, headers=wrong).status_code == 400
    [missing, _] = violations(client)
    assert missing["rule"] == "header.protocol" and missing["section"] == "§1"
    assert (missing["method"], missing["path"], missing["app"]) == ("GET", "/v2/atsCandidates", "acme")


@pytest.mark.sandbox_violations("header.method")
def test_batch_writes_need_the_matching_restli_method(client: TestClient, customer: Customer) -> None:
    api = customer.api
    query = api.candidate_ids(["C1"])
    body = {"entities": {api.candidate_key("C1"): api.fields(candidate())}}
    for headers in (customer.headers(), customer.headers("batch_partial_update")):
        response = client.put(f"{api.candidates}?{query}", json=body, headers=headers)
        assert response.status_code == 400
        assert "x-restli-method: batch_update" in response.json()["message"]
    patch = {"entities": {api.candidate_key("C1"): {"patch": {"$set": {"firstName": "B"}}}}}
    response = client.post(f"{api.candidates}?{query}", json=patch, headers=customer.headers("batch_update"))
    assert response.status_code == 400
    assert client.get("/_sandbox/orgs/1/candidates").json()["candidates"] == []
    assert rules_broken(client) == ["header.method"] * 3


@pytest.mark.sandbox_violations("header.version")
def test_rest_calls_need_a_linkedin_version(client: TestClient, customer: Customer) -> None:
    path = f"/rest/atsApplications?{ids_query('id', ['A1'], data_provider=False)}"
    headers = {"Authorization": customer.headers()["Authorization"]}
    assert client.get(path, headers=headers).status_code == 400
    assert client.get(path, headers={**headers, "LinkedIn-Version": "2026-04"}).status_code == 400
    assert client.get(path, headers={**headers, "LinkedIn-Version": "202613"}).status_code == 400
    assert client.get(path, headers={**headers, "LinkedIn-Version": "202604"}).status_code == 200
    assert rules_broken(client) == ["header.version"] * 3


def test_raw_and_encoded_urns_name_the_same_key_and_responses_echo_the_body_keys(
    client: TestClient, customer: Customer
) -> None:
    api = customer.api
    raw = api.candidate_key("C1", encoded=False)
    encoded = api.candidate_key("C2", encoded=True)
    query = api.candidate_ids(["C1", "C2"]).replace(ORG, "urn%3Ali%3Aorganization%3A1", 1)
    body = api.fields(candidate())
    response = customer.put_batch(api.candidates, query, {raw: body, encoded: body})
    assert response.status_code == 200
    assert set(response.json()["results"]) == {raw, encoded}


def test_body_fields_may_come_in_any_order(client: TestClient, customer: Customer) -> None:
    api = customer.api
    reordered = "&".join(reversed(api.candidate_key("C1", encoded=False).split("&")))
    response = customer.put_batch(
        api.candidates, api.candidate_ids(["C1"]), {reordered: api.fields(candidate())}
    )
    assert response.json()["results"] == {reordered: {"status": 204}}


@pytest.mark.sandbox_violations("key.match")
def test_query_and_body_keys_must_be_the_same_set(client: TestClient, customer: Customer) -> None:
    api = customer.api
    body = {api.candidate_key("C2"): api.fields(candidate())}
    response = customer.put_batch(api.candidates, api.candidate_ids(["C1"]), body)
    assert response.status_code == 400
    assert "only in the query" in response.json()["message"]
    both = {
        api.candidate_key("C1"): api.fields(candidate()),
        api.candidate_key("C2"): api.fields(candidate()),
    }
    assert customer.put_batch(api.candidates, api.candidate_ids(["C1"]), both).status_code == 400
    assert client.get("/_sandbox/orgs/1/candidates").json()["candidates"] == []
    assert rules_broken(client) == ["key.match", "key.match"]


@pytest.mark.sandbox_violations("key.shape", "key.match")
def test_malformed_keys_are_400(client: TestClient, customer: Customer) -> None:
    api = customer.api
    no_context = f"{api.candidates}?ids[0].{api.candidate_id}=C1"
    assert customer.get(no_context).status_code == 400
    assert rules_broken(client) == ["key.shape"]
    assert customer.get(api.candidates).status_code == 400
    assert customer.get(f"{api.candidates}?{api.candidate_ids(['C1', 'C1'])}").status_code == 400
    assert rules_broken(client) == ["key.shape", "key.match", "key.match"]


@pytest.mark.sandbox_violations("key.shape")
def test_v2_keys_need_data_provider_ats(client: TestClient) -> None:
    from tests.sandbox.conftest import make_customer

    customer = make_customer(client, api=V2_API)
    no_provider = f"/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].integrationContext={ORG}"
    assert customer.get(no_provider).status_code == 400
    other_provider = f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'])}".replace("=ATS", "=HRIS")
    assert customer.get(other_provider).json()["errors"] != {}
    assert rules_broken(client) == ["key.shape", "key.shape"]


def test_restli_list_syntax_is_accepted_for_compound_keys(client: TestClient, customer: Customer) -> None:
    api = customer.api
    customer.put_candidates({"C1": candidate()})
    provider = "dataProvider:ATS," if api.data_provider else ""
    listed = f"ids=List(({api.candidate_id}:C1,{provider}integrationContext:urn%3Ali%3Aorganization%3A1))"
    response = customer.get(f"{api.candidates}?{listed}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


@pytest.mark.sandbox_violations("batch.size")
def test_more_than_100_entities_fail_the_whole_call(client: TestClient, customer: Customer) -> None:
    api = customer.api
    ids = _keys(101)
    entities = {api.candidate_key(i): api.fields(candidate()) for i in ids}
    response = customer.put_batch(api.candidates, api.candidate_ids(ids), entities)
    assert response.status_code == 400
    assert "at most 100" in response.json()["message"]
    assert client.get("/_sandbox/orgs/1/candidates").json()["candidates"] == []
    assert rules_broken(client) == ["batch.size"]
    ids = _keys(100)
    entities = {api.candidate_key(i): api.fields(candidate()) for i in ids}
    response = customer.put_batch(api.candidates, api.candidate_ids(ids), entities)
    assert len(response.json()["results"]) == 100
    assert rules_broken(client) == ["batch.size"]


@pytest.mark.sandbox_violations("field.candidate")
def test_a_batch_can_partly_fail(client: TestClient, customer: Customer) -> None:
    api = customer.api
    response = customer.put_candidates({"C1": candidate(), "C2": candidate(firstName=...)})
    assert response.status_code == 200
    assert list(response.json()["results"]) == [api.candidate_key("C1")]
    error = response.json()["errors"][api.candidate_key("C2")]
    assert error["status"] == 422
    assert error["serviceErrorCode"] == 422
    assert "firstName is required" in error["message"]
    [violation] = violations(client)
    assert violation["count"] == 1 and "C2: firstName is required" in violation["message"]


@pytest.mark.sandbox_violations("field.candidate")
def test_one_violation_per_rule_and_call_counts_the_entities(client: TestClient, customer: Customer) -> None:
    bad = {f"C{i}": candidate(firstName=...) for i in range(5)}
    customer.put_candidates(bad)
    [violation] = violations(client)
    assert violation["count"] == 5
    assert "(and 2 more)" in violation["message"]


@pytest.mark.sandbox_violations("body.shape")
def test_invalid_json_body_is_400(client: TestClient, customer: Customer) -> None:
    api = customer.api
    response = client.put(
        f"{api.candidates}?{api.candidate_ids(['C1'])}",
        content=b"{not json",
        headers=customer.headers("batch_update"),
    )
    assert response.status_code == 400
    assert rules_broken(client) == ["body.shape"]


# The parsing helpers, without the app.


def test_a_list_is_split_at_its_top_level_commas_only() -> None:
    assert split_list("List(a,b)") == ["a", "b"]
    assert split_list("List((x:1,y:2),(x:3,y:4))") == ["(x:1,y:2)", "(x:3,y:4)"]
    assert split_list("plain,value") == ["plain,value"]
    assert split_list("List()") == []


def test_repeated_parameters_and_lists_give_every_value_decoded() -> None:
    pairs = parse_query("owners=urn%3Ali%3Aseat%3A1&owners=List(urn:li:seat:2,urn%3Ali%3Aseat%3A3)&q=x")
    assert query_values(pairs, "owners") == ["urn:li:seat:1", "urn:li:seat:2", "urn:li:seat:3"]


def test_composite_keys_come_indexed_or_listed_but_not_both() -> None:
    indexed = parse_query("ids[1].atsCandidateId=C2&ids[0].atsCandidateId=C1&ids[0].integrationContext=o")
    assert query_compound_keys(indexed) == [
        {"atsCandidateId": "C1", "integrationContext": "o"},
        {"atsCandidateId": "C2"},
    ]
    listed = parse_query("ids=List((atsCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A1))")
    assert query_compound_keys(listed) == [
        {"atsCandidateId": "C1", "integrationContext": "urn:li:organization:1"}
    ]
    assert query_compound_keys(parse_query("ids=S1&ids=S2")) == []  # plain ids: a simple-keyed resource
    with pytest.raises(ApiError, match="not both"):
        query_compound_keys([*indexed, *listed])
    with pytest.raises(ApiError, match=r"malformed Rest\.li key"):
        query_compound_keys(parse_query("ids=List((atsCandidateId))"))


def test_an_entity_key_has_one_spelling_whatever_the_order_or_encoding() -> None:
    one = parse_entity_key("integrationContext=urn%3Ali%3Aorganization%3A1&atsCandidateId=C1")
    other = parse_entity_key("atsCandidateId=C1&integrationContext=urn:li:organization:1")
    assert canonical(one) == canonical(other) == "atsCandidateId=C1&integrationContext=urn:li:organization:1"
    with pytest.raises(ApiError, match="names 'atsCandidateId' twice"):
        parse_entity_key("atsCandidateId=C1&atsCandidateId=C2")
    with pytest.raises(ApiError, match="malformed entity key"):
        parse_entity_key("C1")


def test_an_error_body_carries_a_service_error_code() -> None:
    body = error_body(429, "slow down")
    assert (body["status"], body["message"]) == (429, "slow down")
    assert isinstance(body["serviceErrorCode"], int)
