"""The sandbox as its own process: ``rsc sandbox`` under uvicorn, real TCP, real pushes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.sandbox.support import CONTRACT, ORG, V2, CallbackReceiver, entity_key, hmac_hex, ids_query
from tests.sandbox_harness import DECLARED, assert_no_undeclared
from tests.waiting import eventually

SCENARIO = {
    "apps": [
        {"clientId": "acme", "clientSecret": "acme-secret", "organization": ORG, "contracts": [CONTRACT]}
    ],
    "members": [
        {"member": "urn:li:person:ada", "firstName": "Ada", "lastName": "Lovelace", "headline": "Analyst"}
    ],
}
CLI = [sys.executable, "-c", "from cli.main import app; app()", "sandbox"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_sandbox/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def running(tmp_path: Path, *options: str) -> Iterator[str]:
    """``rsc sandbox`` with the scenario and ``options``; no undeclared rule may be broken against it."""
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(SCENARIO))
    port = _free_port()
    command = [
        *CLI,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        str(tmp_path / "sandbox.db"),
        "--scenario",
        str(scenario),
        "--clock-scale",
        "60",
        "--push-backoff",
        "0.05",
        *options,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        started = eventually(
            lambda: "up" if _healthy(url) else "exited" if process.poll() is not None else None,
            timeout=20,
            what="the sandbox to start",
        )
        if started == "exited":
            output = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"the sandbox did not start:\n{output}")
        yield url
        assert_no_undeclared(httpx.get(f"{url}/_sandbox/violations").json()["violations"], DECLARED.get())
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    with running(tmp_path) as url:
        yield url


def _token(url: str) -> str:
    response = httpx.post(
        f"{url}/oauth/v2/accessToken",
        data={"grant_type": "client_credentials", "client_id": "acme", "client_secret": "acme-secret"},
    )
    assert response.status_code == 200
    return str(response.json()["access_token"])


def test_serves_linkedin_calls_over_http(sandbox_url: str) -> None:
    headers = {"Authorization": f"Bearer {_token(sandbox_url)}", **V2}
    body = {
        "entities": {
            entity_key("atsCandidateId", "C1"): {
                "firstName": "Ada",
                "atsCreatedAt": 1,
                "atsLastModifiedAt": 1,
                "addresses": [],
                "phoneNumbers": [],
            }
        }
    }
    path = f"{sandbox_url}/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'])}"
    assert (
        httpx.put(path, json=body, headers={**headers, "x-restli-method": "batch_update"}).status_code == 200
    )
    assert len(httpx.get(path, headers=headers).json()["results"]) == 1
    assert httpx.get(f"{sandbox_url}/_sandbox/clock").json()["scale"] == 60


def test_lenient_mode_serves_what_strict_mode_refuses_and_records_it(tmp_path: Path) -> None:
    with running(tmp_path, "--lenient", "--oldest-version", "202501") as url:
        headers = {"Authorization": f"Bearer {_token(url)}"}
        query = ids_query("id", ["A1"], data_provider=False)
        no_version = httpx.get(f"{url}/rest/atsApplications?{query}", headers=headers)
        sunset = httpx.get(
            f"{url}/rest/atsApplications?{query}", headers={**headers, "LinkedIn-Version": "202412"}
        )
        assert (no_version.status_code, sunset.status_code) == (200, 200)
        found = httpx.get(f"{url}/_sandbox/violations").json()["violations"]
        assert [(v["rule"], v["refused"]) for v in found] == [
            ("header.version", False),
            ("version.sunset", False),
        ]
        assert httpx.get(f"{url}/_sandbox/settings").json()["oldest_version"] == 202501
        httpx.post(f"{url}/_sandbox/reset", json={"parts": ["violations"]})


def test_a_bad_oldest_version_is_refused_at_start_up(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "--db", str(tmp_path / "s.db"), "--oldest-version", "202613"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "oldest_version" in result.stderr


def test_dropped_connections_get_no_answer_and_have_no_effect(sandbox_url: str) -> None:
    token = _token(sandbox_url)
    httpx.put(f"{sandbox_url}/_sandbox/faults", json={"drop_rate": 1.0, "path_prefix": "/v2/"})
    path = f"{sandbox_url}/v2/atsCandidates?{ids_query('atsCandidateId', ['C1'])}"
    body = {"entities": {entity_key("atsCandidateId", "C1"): {"firstName": "Ada"}}}
    headers = {"Authorization": f"Bearer {token}", "x-restli-method": "batch_update", **V2}
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        httpx.put(path, json=body, headers=headers)
    httpx.delete(f"{sandbox_url}/_sandbox/faults")
    assert httpx.get(f"{sandbox_url}/_sandbox/orgs/1/candidates").json()["candidates"] == []
    calls = httpx.get(f"{sandbox_url}/_sandbox/counters").json()["calls"]
    assert {
        "app": "acme",
        "resource": "atsCandidates",
        "method": "PUT",
        "status": 0,
        "calls": 1,
        "records": 1,
    } in calls
    assert httpx.get(path, headers=headers).status_code == 200


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    port = url.rsplit(":", 1)[1]
    return subprocess.run(
        [*CLI, *args, "--port", port], capture_output=True, text=True, timeout=60, check=False
    )


def test_push_export_cli_delivers_a_signed_push(sandbox_url: str) -> None:
    with CallbackReceiver("acme-secret").running() as receiver:
        httpx.put(f"{sandbox_url}/_sandbox/apps/acme", json={"callbackUrl": receiver.url})
        result = _cli(
            sandbox_url, "push-export", "--client-id", "acme", "--job", "J7", "--member", "urn:li:person:ada"
        )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["push"]["state"] == "DELIVERED"
    [(headers, raw)] = receiver.pushes
    assert headers["x-li-signature"] == "hmacsha256=" + hmac_hex("acme-secret", raw)
    push = json.loads(raw)
    exported = httpx.get(
        f"{sandbox_url}/v2/exportedCandidates?q=request&requestId={push['requestId']}",
        headers={"Authorization": f"Bearer {_token(sandbox_url)}", **V2},
    ).json()
    assert exported["elements"][0]["externalJobPostingId"] == "J7"
    assert exported["elements"][0]["candidate"]["headline"] == "Analyst"


def test_status_change_cli_and_errors(sandbox_url: str) -> None:
    with CallbackReceiver("acme-secret").running() as receiver:
        httpx.put(f"{sandbox_url}/_sandbox/apps/acme", json={"callbackUrl": receiver.url})
        result = _cli(sandbox_url, "status-change", "--org", "1", "--status", "disabled")
    assert result.returncode == 0, result.stderr
    assert json.loads(receiver.pushes[0][1])["type"] == "INTEGRATION_STATUS_CHANGE"
    missing = _cli(
        sandbox_url, "push-export", "--client-id", "nobody", "--job", "J1", "--member", "urn:li:person:x"
    )
    assert missing.returncode == 1
    assert "no app with client id" in missing.stdout
