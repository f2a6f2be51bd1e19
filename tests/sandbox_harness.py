"""The LinkedIn sandbox in-process, for handler tests: the real app behind a Starlette TestClient.

The sandbox runs strict and records every LinkedIn rule a call breaks. When a test's sandbox stops,
the harness fails the test if the sandbox recorded a violation the test did not declare, with
``@pytest.mark.sandbox_violations("rule.id", ...)``, ``running_sandbox(allow_violations=...)`` or
``harness.allow(...)``. A declared id ending in ``.`` (``"field."``) allows that family of rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from linkedin.client import LinkedInClient, LinkedInClients
from linkedin.transport import Request, Response
from rsc.settings import get_settings
from sandbox.app import create_app
from sandbox.config import SandboxConfig
from store.db import get_store

BASE_URL = "http://testserver"

#: The rules the running test declares it breaks on purpose (its ``sandbox_violations`` marker).
DECLARED: ContextVar[frozenset[str]] = ContextVar("declared_sandbox_violations", default=frozenset())


def allowed(rule: str, declared: Iterable[str]) -> bool:
    return any(rule == d or (d.endswith(".") and rule.startswith(d)) for d in declared)


def undeclared(violations: Iterable[dict[str, Any]], declared: Iterable[str]) -> list[dict[str, Any]]:
    declared = frozenset(declared)
    return [v for v in violations if not allowed(v["rule"], declared)]


def assert_no_undeclared(violations: Iterable[dict[str, Any]], declared: Iterable[str]) -> None:
    """Fail, listing them, when the sandbox recorded violations of rules the test did not declare."""
    found = undeclared(violations, declared)
    if found:
        lines = "\n".join(
            f"  {v['rule']}: {v['method']} {v['path']} ({v['app']}): {v['message']}" for v in found
        )
        raise AssertionError(
            f"the LinkedIn sandbox recorded {len(found)} rule violation(s) this test did not declare "
            f"(declare deliberate ones with @pytest.mark.sandbox_violations(...)):\n{lines}"
        )


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
    def __init__(self, client: TestClient, allow_violations: Iterable[str] = ()) -> None:
        self.client = client
        self.allowed: set[str] = set(allow_violations)
        self._clients: LinkedInClients | None = None

    def allow(self, *rules: str) -> None:
        """Declare rules this test breaks on purpose, from here on."""
        self.allowed.update(rules)

    def violations(self, rule: str = "") -> list[dict[str, Any]]:
        """Every violation recorded (of one rule, or of a family when ``rule`` ends in ``.``)."""
        params = {"rule": rule} if rule else None
        found: list[dict[str, Any]] = self.control("GET", "/violations", params=params)["violations"]
        return found

    def assert_no_undeclared_violations(self) -> None:
        assert_no_undeclared(self.violations(), self.allowed | DECLARED.get())

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
        """The test's LinkedIn clients, one set per sandbox as one per process in production: one token
        cache, so a test does not mint a second token for an app that holds one (``token.reuse``)."""
        if self._clients is None:
            self._clients = LinkedInClients(
                get_settings(), get_store, transport=InProcessTransport(self.client)
            )
        return self._clients

    def linkedin(self, client_id: str, client_secret: str, org: str) -> LinkedInClient:
        from linkedin.auth import AppCredentials

        return self.linkedin_clients().for_app(AppCredentials(client_id, client_secret), org)


@contextmanager
def running_sandbox(
    tmp_path: Path, *, allow_violations: Iterable[str] = (), **options: Any
) -> Iterator[SandboxHarness]:
    """The sandbox (strict) for one test; on the way out, no undeclared rule may have been broken."""
    config = SandboxConfig.from_options(str(tmp_path / "sandbox.db"), seed=7, **options)
    with TestClient(create_app(config), base_url=BASE_URL) as client:
        harness = SandboxHarness(client, allow_violations)
        yield harness
        harness.assert_no_undeclared_violations()
