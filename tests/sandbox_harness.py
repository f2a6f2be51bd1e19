"""The LinkedIn sandbox in-process, for handler tests: the real app behind a Starlette TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.transport import Request, Response
from sandbox.app import create_app
from sandbox.config import SandboxConfig

BASE_URL = "http://testserver"


class InProcessTransport:
    """The LinkedIn client's transport, answered by the sandbox app in this process."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def send(self, request: Request, *, timeout_s: float) -> Response:
        answer = self.client.request(
            request.method, request.url, headers=dict(request.headers), content=request.content
        )
        return Response(answer.status_code, answer.headers, answer.content)

    def close(self) -> None:
        """The test owns the client."""


class SandboxHarness:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, f"/_sandbox{path}", **kwargs)
        assert response.status_code < 400, response.text
        return response.json()

    def create_app(self, client_id: str, client_secret: str, org: str, **extra: Any) -> dict[str, Any]:
        body = {"clientId": client_id, "clientSecret": client_secret, "organization": org, **extra}
        result: dict[str, Any] = self.control("POST", "/apps", json=body)
        return result

    def export(
        self, client_id: str, job_id: str, member: dict[str, Any], *, push: bool = False
    ) -> dict[str, Any]:
        body = {"clientId": client_id, "externalJobPostingId": job_id, "candidate": member, "push": push}
        result: dict[str, Any] = self.control("POST", "/exports", json=body)
        return result

    def records(self, org: str, resource: str) -> Any:
        return self.control("GET", f"/orgs/{org}/{resource}")

    def record(self, org: str, resource: str, record_id: str) -> Any:
        response = self.client.get(f"/_sandbox/orgs/{org}/{resource}/{record_id}")
        return None if response.status_code == 404 else response.json()

    def counters(self) -> Any:
        return self.control("GET", "/counters")

    def faults(self, **faults: Any) -> None:
        self.control("PUT", "/faults", json=faults)

    def linkedin_clients(self) -> LinkedInClients:
        return LinkedInClients(transport=InProcessTransport(self.client))

    def linkedin(self, client_id: str, client_secret: str, org: str) -> LinkedInClient:
        from linkedin.auth import AppCredentials

        return self.linkedin_clients().for_app(AppCredentials(client_id, client_secret), org)


@contextmanager
def running_sandbox(tmp_path: Path, **options: Any) -> Iterator[SandboxHarness]:
    config = SandboxConfig.from_options(str(tmp_path / "sandbox.db"), seed=7, **options)
    with TestClient(create_app(config), base_url=BASE_URL) as client:
        yield SandboxHarness(client)
