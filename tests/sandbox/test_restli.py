"""Rest.li conventions: protocol headers, composite keys in query and body, batch limits."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.sandbox.support import ORG, Customer, candidate, entity_key, ids_query


def _keys(n: int) -> list[str]:
    return [f"C{i}" for i in range(n)]


def test_v2_calls_need_the_restli_protocol_header(client: TestClient, customer: Customer) -> None:
    headers = customer.headers()
    del headers["X-RestLi-Protocol-Version"]
    response = client.get(f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'])}", headers=headers)
    assert response.status_code == 400
    assert "X-RestLi-Protocol-Version" in response.json()["message"]
    wrong = {**headers, "X-RestLi-Protocol-Version": "1.0.0"}
    assert (
        client.get(f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'])}", headers=wrong).status_code
        == 400
    )


def test_batch_writes_need_the_matching_restli_method(client: TestClient, customer: Customer) -> None:
    query = ids_query("atsCandidateId", ["C1"])
    body = {"entities": {entity_key("atsCandidateId", "C1"): candidate()}}
    for headers in (customer.headers(), customer.headers("batch_partial_update")):
        response = client.put(f"/v2/atsCandidates?{query}", json=body, headers=headers)
        assert response.status_code == 400
        assert "x-restli-method: batch_update" in response.json()["message"]
    patch = {"entities": {entity_key("atsCandidateId", "C1"): {"patch": {"$set": {"firstName": "B"}}}}}
    response = client.post(f"/v2/atsCandidates?{query}", json=patch, headers=customer.headers("batch_update"))
    assert response.status_code == 400
    assert client.get("/_sandbox/orgs/1/candidates").json()["candidates"] == []


def test_rest_calls_need_a_linkedin_version(client: TestClient, customer: Customer) -> None:
    path = f"/rest/atsApplications?{ids_query('id', ['A1'], data_provider=False)}"
    assert client.get(path, headers=customer.headers()).status_code == 400
    assert client.get(path, headers=customer.headers(**{"LinkedIn-Version": "2026-04"})).status_code == 400
    assert client.get(path, headers=customer.headers(**{"LinkedIn-Version": "202613"})).status_code == 400
    assert client.get(path, headers=customer.headers(**{"LinkedIn-Version": "202604"})).status_code == 200


def test_raw_and_encoded_urns_name_the_same_key_and_responses_echo_the_body_keys(
    client: TestClient, customer: Customer
) -> None:
    raw = entity_key("atsCandidateId", "C1", encoded=False)
    encoded = entity_key("atsCandidateId", "C2", encoded=True)
    query = ids_query("atsCandidateId", ["C1", "C2"]).replace(ORG, "urn%3Ali%3Aorganization%3A1", 1)
    response = customer.put_batch("/v2/atsCandidates", query, {raw: candidate(), encoded: candidate()})
    assert response.status_code == 200
    assert set(response.json()["results"]) == {raw, encoded}


def test_body_fields_may_come_in_any_order(client: TestClient, customer: Customer) -> None:
    reordered = f"integrationContext={ORG}&atsCandidateId=C1&dataProvider=ATS"
    response = customer.put_batch(
        "/v2/atsCandidates", ids_query("atsCandidateId", ["C1"]), {reordered: candidate()}
    )
    assert response.json()["results"] == {reordered: {"status": 204}}


def test_query_and_body_keys_must_be_the_same_set(client: TestClient, customer: Customer) -> None:
    body = {entity_key("atsCandidateId", "C2"): candidate()}
    response = customer.put_batch("/v2/atsCandidates", ids_query("atsCandidateId", ["C1"]), body)
    assert response.status_code == 400
    assert "only in the query" in response.json()["message"]
    both = {entity_key("atsCandidateId", "C1"): candidate(), entity_key("atsCandidateId", "C2"): candidate()}
    assert (
        customer.put_batch("/v2/atsCandidates", ids_query("atsCandidateId", ["C1"]), both).status_code == 400
    )
    assert client.get("/_sandbox/orgs/1/candidates").json()["candidates"] == []


def test_malformed_keys_are_400(client: TestClient, customer: Customer) -> None:
    no_provider = f"/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].integrationContext={ORG}"
    assert customer.get(no_provider).status_code == 400
    assert customer.get("/v2/atsCandidates").status_code == 400
    twice = f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1', 'C1'])}"
    assert customer.get(twice).status_code == 400


def test_restli_list_syntax_is_accepted_for_compound_keys(client: TestClient, customer: Customer) -> None:
    customer.put_candidates({"C1": candidate()})
    listed = "ids=List((atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A1))"
    response = customer.get(f"/v2/atsCandidates?{listed}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_more_than_100_entities_fail_the_whole_call(client: TestClient, customer: Customer) -> None:
    ids = _keys(101)
    entities = {entity_key("atsCandidateId", i): candidate() for i in ids}
    response = customer.put_batch("/v2/atsCandidates", ids_query("atsCandidateId", ids), entities)
    assert response.status_code == 400
    assert "at most 100" in response.json()["message"]
    assert client.get("/_sandbox/orgs/1/candidates").json()["candidates"] == []
    ids = _keys(100)
    entities = {entity_key("atsCandidateId", i): candidate() for i in ids}
    response = customer.put_batch("/v2/atsCandidates", ids_query("atsCandidateId", ids), entities)
    assert len(response.json()["results"]) == 100


def test_a_batch_can_partly_fail(client: TestClient, customer: Customer) -> None:
    response = customer.put_candidates({"C1": candidate(), "C2": candidate(firstName=...)})
    assert response.status_code == 200
    assert list(response.json()["results"]) == [entity_key("atsCandidateId", "C1")]
    error = response.json()["errors"][entity_key("atsCandidateId", "C2")]
    assert error["status"] == 422
    assert error["serviceErrorCode"] == 422
    assert "firstName is required" in error["message"]


def test_invalid_json_body_is_400(client: TestClient, customer: Customer) -> None:
    response = client.put(
        f"/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'])}",
        content=b"{not json",
        headers=customer.headers("batch_update"),
    )
    assert response.status_code == 400
