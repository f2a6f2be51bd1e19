"""Helpers for the sandbox tests: keys, valid entities, a customer's client and a callback receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from starlette.testclient import TestClient

ORG = "urn:li:organization:1"
OTHER_ORG = "urn:li:organization:2"
CONTRACT = "urn:li:contract:10"
OTHER_CONTRACT = "urn:li:contract:20"
NOW = 1_700_000_000_000
V2 = {"X-RestLi-Protocol-Version": "2.0.0"}


def entity_key(
    id_field: str, value: str, org: str = ORG, *, encoded: bool = True, data_provider: bool = True
) -> str:
    context = quote(org, safe="") if encoded else org
    parts = [f"{id_field}={value}"]
    if data_provider:
        parts.append("dataProvider=ATS")
    parts.append(f"integrationContext={context}")
    return "&".join(parts)


def ids_query(id_field: str, values: list[str], org: str = ORG, *, data_provider: bool = True) -> str:
    parts = []
    for index, value in enumerate(values):
        parts.append(f"ids[{index}].{id_field}={value}")
        if data_provider:
            parts.append(f"ids[{index}].dataProvider=ATS")
        parts.append(f"ids[{index}].integrationContext={org}")
    return "&".join(parts)


def candidate(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "atsCreatedAt": NOW,
        "atsLastModifiedAt": NOW + 1000,
        "addresses": [],
        "phoneNumbers": [{"number": "555-0100"}],
        "emailAddresses": ["ada@example.com"],
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def application(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "atsCandidateId": "C1",
        "atsCreatedAt": NOW,
        "atsLastModifiedAt": NOW,
        "atsJobPostingId": "J1",
        "atsJobPostingName": "Engineer",
        "candidateEmail": "ada@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "source": "Referral",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def job(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "integrationContext": ORG,
        "externalJobPostingId": "J1",
        "title": "Engineer",
        "description": "Builds things.",
        "location": "San Francisco, CA",
        "availability": "PRIVATE_TO_ATS_INTEGRATION",
        "state": "LISTED",
        "companyApplyUrl": "https://example.com/jobs/J1",
        "listedAt": NOW,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


class Customer:
    """A customer app calling the sandbox through the test client, the way the integration would."""

    def __init__(self, client: TestClient, client_id: str, client_secret: str) -> None:
        self.client = client
        self.client_id = client_id
        self.client_secret = client_secret
        self._token: str | None = None

    @property
    def token(self) -> str:
        if self._token is None:
            response = self.client.post(
                "/oauth/v2/accessToken",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
            )
            assert response.status_code == 200, response.text
            self._token = response.json()["access_token"]
        return self._token

    def headers(self, restli_method: str | None = None, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", **V2, **extra}
        if restli_method:
            headers["x-restli-method"] = restli_method
        return headers

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(path, headers=self.headers(**headers))

    def put_batch(self, path: str, query: str, entities: dict[str, Any]) -> Any:
        return self.client.put(
            f"{path}?{query}", json={"entities": entities}, headers=self.headers("batch_update")
        )

    def post_batch(
        self, path: str, query: str, entities: dict[str, Any], method: str = "batch_partial_update"
    ) -> Any:
        return self.client.post(f"{path}?{query}", json={"entities": entities}, headers=self.headers(method))

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self.headers())

    # candidates and applications

    def put_candidates(self, candidates: dict[str, dict[str, Any]], org: str = ORG) -> Any:
        entities = {entity_key("atsCandidateId", cid, org): body for cid, body in candidates.items()}
        return self.put_batch(
            "/v2/atsCandidates", ids_query("atsCandidateId", list(candidates), org), entities
        )

    def get_candidates(self, ids: list[str], org: str = ORG, extra: str = "") -> Any:
        return self.get(f"/v2/atsCandidates?{ids_query('atsCandidateId', ids, org)}{extra}")

    def put_applications(self, applications: dict[str, dict[str, Any]], org: str = ORG) -> Any:
        entities = {entity_key("atsJobApplicationId", aid, org): body for aid, body in applications.items()}
        query = ids_query("atsJobApplicationId", list(applications), org)
        return self.put_batch("/v2/atsApplications", query, entities)

    def get_applications(self, ids: list[str], org: str = ORG) -> Any:
        return self.get(f"/v2/atsApplications?{ids_query('atsJobApplicationId', ids, org)}")

    def put_sub(self, parent_path: str, sub: str, items: dict[str, dict[str, Any]]) -> Any:
        query = "&".join(f"ids={item_id}" for item_id in items)
        return self.put_batch(f"{parent_path}/{sub}", query, items)


def candidate_path(candidate_id: str, org: str = ORG) -> str:
    return f"/v2/atsCandidates/{entity_key('atsCandidateId', candidate_id, org, encoded=False)}"


def application_path(application_id: str, org: str = ORG) -> str:
    return f"/v2/atsApplications/{entity_key('atsJobApplicationId', application_id, org, encoded=False)}"


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class CallbackReceiver:
    """A real HTTP server on the loopback that plays the integration's callback endpoint.

    It answers LinkedIn's challenge with the HMAC of ``secret`` (or wrongly, if told to), records
    every push with its headers and exact body bytes, and fails the first ``fail_first`` pushes.
    """

    def __init__(self, secret: str, *, fail_first: int = 0, answer_challenge: str = "right") -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.answer_challenge = answer_challenge
        self.pushes: list[tuple[dict[str, str], bytes]] = []
        self.challenges: list[dict[str, str]] = []
        self.push_attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                receiver.challenges.append(query)
                code = query.get("challengeCode", "")
                if receiver.answer_challenge == "error":
                    self._reply(500, b"{}")
                    return
                secret = receiver.secret if receiver.answer_challenge == "right" else "not-the-secret"
                answer = {"challengeCode": code, "challengeResponse": hmac_hex(secret, code.encode())}
                self._reply(200, json.dumps(answer).encode())

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.push_attempts += 1
                if receiver.push_attempts <= receiver.fail_first:
                    self._reply(503, b"")
                    return
                receiver.pushes.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self._reply(200, b"")

            def _reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/linkedin/tenant-1"

    @contextmanager
    def running(self) -> Iterator[CallbackReceiver]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
