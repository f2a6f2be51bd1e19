"""Helpers for the sandbox tests: the two shapes of the API, keys, valid entities, a customer's client,
the violations the sandbox recorded and a callback receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from starlette.testclient import TestClient

ORG = "urn:li:organization:1"
OTHER_ORG = "urn:li:organization:2"
CONTRACT = "urn:li:contract:10"
OTHER_CONTRACT = "urn:li:contract:20"
NOW = 1_700_000_000_000
V2_HEADERS = {"X-RestLi-Protocol-Version": "2.0.0"}
V2 = V2_HEADERS
VERSION = "202604"


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


@dataclass(frozen=True)
class Api:
    """One shape of LinkedIn's API as a test calls it: paths, headers, key and field names."""

    name: str
    prefix: str
    headers: dict[str, str]
    candidates: str
    candidate_id: str
    applications: str
    application_id: str
    integrations: str
    #: Whether keys carry dataProvider=ATS (v2) or not (rest/: from 202602 for candidates and
    #: integrations, always for applications).
    data_provider: bool
    #: v2 field name -> this shape's name.
    renames: dict[str, str] = field(default_factory=dict)

    def path(self, resource: str) -> str:
        return f"{self.prefix}/{resource}"

    def wire(self, text: str) -> str:
        """``text`` with v2's field names turned into this shape's."""
        for name, renamed in self.renames.items():
            text = text.replace(name, renamed)
        return text

    def fields(self, body: dict[str, Any]) -> dict[str, Any]:
        return {self.wire(name): value for name, value in body.items()}

    def candidate_key(self, candidate_id: str, org: str = ORG, *, encoded: bool = True) -> str:
        return entity_key(
            self.candidate_id, candidate_id, org, encoded=encoded, data_provider=self.data_provider
        )

    def candidate_ids(self, ids: list[str], org: str = ORG) -> str:
        return ids_query(self.candidate_id, ids, org, data_provider=self.data_provider)

    def candidate_path(self, candidate_id: str, org: str = ORG) -> str:
        return f"{self.candidates}/{self.candidate_key(candidate_id, org, encoded=False)}"

    def application_key(self, application_id: str, org: str = ORG, *, encoded: bool = True) -> str:
        return entity_key(
            self.application_id, application_id, org, encoded=encoded, data_provider=self.data_provider
        )

    def application_ids(self, ids: list[str], org: str = ORG) -> str:
        return ids_query(self.application_id, ids, org, data_provider=self.data_provider)

    def application_path(self, application_id: str, org: str = ORG) -> str:
        return f"{self.applications}/{self.application_key(application_id, org, encoded=False)}"

    def integration_key(self, context: str, integration_type: str) -> str:
        key = f"integrationContext={context}&integrationType={integration_type}&tenantType=RECRUITER"
        return key + "&dataProvider=ATS" if self.data_provider else key

    def integration_ids(self, keys: list[tuple[str, str]]) -> str:
        parts = []
        for i, (context, integration_type) in enumerate(keys):
            parts += [
                f"ids[{i}].integrationContext={context}",
                f"ids[{i}].integrationType={integration_type}",
                f"ids[{i}].tenantType=RECRUITER",
            ]
            if self.data_provider:
                parts.append(f"ids[{i}].dataProvider=ATS")
        return "&".join(parts)


V2_API = Api(
    "v2",
    "/v2",
    V2_HEADERS,
    "/v2/atsCandidates",
    "atsCandidateId",
    "/v2/atsApplications",
    "atsJobApplicationId",
    "/v2/atsIntegrations",
    data_provider=True,
)
REST_API = Api(
    "rest",
    "/rest",
    {"LinkedIn-Version": VERSION},
    "/rest/candidates",
    "externalCandidateId",
    "/rest/atsApplications",
    "id",
    "/rest/integrations",
    data_provider=False,
    renames={"atsCreatedAt": "externalCreatedAt", "atsLastModifiedAt": "externalLastModifiedAt"},
)
APIS = (V2_API, REST_API)


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
    """A customer app calling the sandbox through the test client, the way the integration would,
    in one shape of the API (``api``)."""

    def __init__(self, client: TestClient, client_id: str, client_secret: str, api: Api = V2_API) -> None:
        self.client = client
        self.client_id = client_id
        self.client_secret = client_secret
        self.api = api
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
        headers = {"Authorization": f"Bearer {self.token}", **self.api.headers, **extra}
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

    # candidates and applications, bodies written with v2's field names and sent in the shape's

    def put_candidates(self, candidates: dict[str, dict[str, Any]], org: str = ORG) -> Any:
        api = self.api
        entities = {api.candidate_key(cid, org): api.fields(body) for cid, body in candidates.items()}
        return self.put_batch(api.candidates, api.candidate_ids(list(candidates), org), entities)

    def get_candidates(self, ids: list[str], org: str = ORG, extra: str = "") -> Any:
        return self.get(f"{self.api.candidates}?{self.api.candidate_ids(ids, org)}{extra}")

    def put_applications(self, applications: dict[str, dict[str, Any]], org: str = ORG) -> Any:
        api = self.api
        entities = {api.application_key(aid, org): body for aid, body in applications.items()}
        return self.put_batch(api.applications, api.application_ids(list(applications), org), entities)

    def get_applications(self, ids: list[str], org: str = ORG) -> Any:
        return self.get(f"{self.api.applications}?{self.api.application_ids(ids, org)}")

    def put_sub(self, parent_path: str, sub: str, items: dict[str, dict[str, Any]]) -> Any:
        query = "&".join(f"ids={item_id}" for item_id in items)
        return self.put_batch(f"{parent_path}/{sub}", query, items)

    def post_jobs(self, *elements: dict[str, Any]) -> Any:
        return self.client.post(
            self.api.path("simpleJobPostings"),
            json={"elements": list(elements)},
            headers=self.headers("batch_create"),
        )


def candidate_path(candidate_id: str, org: str = ORG) -> str:
    return V2_API.candidate_path(candidate_id, org)


def application_path(application_id: str, org: str = ORG) -> str:
    return V2_API.application_path(application_id, org)


def violations(client: TestClient, rule: str = "") -> list[dict[str, Any]]:
    """The violations the sandbox recorded (of one rule, or of a family when ``rule`` ends in ``.``)."""
    response = client.get("/_sandbox/violations", params={"rule": rule} if rule else None)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["violations"]
    return found


def rules_broken(client: TestClient) -> list[str]:
    return [v["rule"] for v in violations(client)]


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
