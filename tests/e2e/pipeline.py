"""The whole pipeline as separate processes: sandbox, ingress and workers, on real services."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.infra import TEST_SECRET_KEY, free_port
from tests.sandbox_harness import DECLARED, assert_no_undeclared
from tests.waiting import eventually

RSC = str(Path(sys.executable).with_name("rsc"))
#: What the pipeline is known to break against the sandbox: nothing (a test that breaks a rule on
#: purpose declares it with ``@pytest.mark.sandbox_violations``).
KNOWN_VIOLATIONS: frozenset[str] = frozenset()


#: Pipelines of one test run that may run at once. Each holds up to about 25 connections of the shared
#: PostgreSQL server (every worker thread, the scheduler, the ingress, the CLI), which allows 100.
#: The test scheduler (tests/scheduling.py) hands out no more than this many end-to-end tests while
#: other tests are left; once only those are left, the slots make the surplus workers wait their turn.
PIPELINE_SLOTS = 2


#: Seconds a process of the pipeline may take to answer its health check. Starting one imports the
#: whole application; with every core busy (the suite's other tests) that took over 30 s once.
START_TIMEOUT_S = 90.0


class PipelineSlot:
    """One of ``PIPELINE_SLOTS`` places for a running pipeline, shared by the workers of a test run
    (an exclusive lock on one of as many files; the kernel frees it if the process dies)."""

    def __init__(self, *, poll_s: float = 0.2) -> None:
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid-{os.getpid()}")
        folder = Path(tempfile.gettempdir()) / f"rsc-pipeline-slots-{run}"
        folder.mkdir(exist_ok=True)
        while True:
            for n in range(PIPELINE_SLOTS):
                handle = open(folder / f"slot-{n}", "a+")  # noqa: SIM115 - held until release()
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.close()
                    continue
                self._handle: Any = handle
                return
            time.sleep(poll_s)

    def release(self) -> None:
        if not self._handle.closed:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()


class Pipeline:
    """Starts and stops the processes; every process's log goes to a file in ``logs``."""

    def __init__(
        self, workdir: Path, database_url: str, broker_url: str, *, shared_server: bool = True, **env: str
    ) -> None:
        """``shared_server=False``: the database is on a server of the test's own (the chaos suite's),
        so the pipeline takes none of the shared server's ``PIPELINE_SLOTS``."""
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.sandbox_port = free_port()
        self.ingress_port = free_port()
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.ingress_url = f"http://127.0.0.1:{self.ingress_port}"
        self.env = {
            **os.environ,
            "RSC_DATABASE_URL": database_url,
            "RSC_BROKER_URL": broker_url,
            "RSC_LINKEDIN_API_URL": self.sandbox_url,
            "RSC_SECRET_KEY": TEST_SECRET_KEY,
            "RSC_PUBLIC_BASE_URL": self.ingress_url,
            "RSC_LOG_FORMAT": "json",
            "RSC_LOG_LEVEL": "INFO",
            "RSC_MIN_BACKOFF_MS": "200",
            "RSC_MAX_BACKOFF_MS": "2000",
            "RSC_SCHEDULER_TICK_S": "1",
            # A port of its own for the scheduler's metrics: tests running side by side never collide
            # (each worker group gets another, ``start_workers``).
            "RSC_METRICS_PORT": str(free_port()),
            **env,
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        #: The sandbox's violations as recorded when the pipeline stopped.
        self._kept: list[dict[str, Any]] = []
        self._log_files: list[Any] = []
        self.http = httpx.Client(timeout=30)
        self._slot = PipelineSlot() if shared_server and database_url.startswith("postgresql") else None

    def start(
        self, name: str, *args: str, program: str = RSC, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start ``program args`` (default: the ``rsc`` command) as a process of the pipeline.

        ``env`` adds to (or overrides) the pipeline's environment for this process only.
        """
        log = (self.logs / f"{name}.log").open("ab")
        self._log_files.append(log)
        proc = subprocess.Popen(
            [program, *args],
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            start_new_session=True,
        )
        self.processes[name] = proc
        return proc

    def start_sandbox(self, *args: str) -> None:
        self.start(
            "sandbox",
            "sandbox",
            "--port",
            str(self.sandbox_port),
            "--db",
            str(self.workdir / "sandbox.db"),
            "--push-backoff",
            "0.2",
            *args,
        )
        eventually(
            lambda: self._ok(f"{self.sandbox_url}/_sandbox/health"),
            timeout=START_TIMEOUT_S,
            what="the sandbox to start",
        )

    def start_ingress(self) -> None:
        self.start("ingress", "ingress", "--port", str(self.ingress_port))
        eventually(
            lambda: self._ok(f"{self.ingress_url}/healthz"),
            timeout=START_TIMEOUT_S,
            what="the ingress to start",
        )

    def start_scheduler(self) -> None:
        self.start("scheduler", "scheduler")

    def start_workers(
        self,
        name: str = "worker",
        *queues: str,
        processes: int = 1,
        threads: int = 4,
        env: dict[str, str] | None = None,
        lanes: str = "all",
    ) -> None:
        """A worker group of ``queues``, serving its metrics on a port of its own (as the Procfile
        gives each process type its own ``$PORT``) unless ``env`` names one."""
        args = ["worker", "--processes", str(processes), "--threads", str(threads), "--lanes", lanes]
        for queue in queues:
            args += ["--queues", queue]
        self.start(name, *args, env={"RSC_METRICS_PORT": str(free_port()), **(env or {})})

    def rsc(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run an ``rsc`` command against this pipeline, as an operator would."""
        return subprocess.run(
            [RSC, *args],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def _ok(self, url: str) -> bool:
        try:
            return self.http.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{self.sandbox_url}/_sandbox{path}", **kwargs)
        assert response.status_code < 400, response.text
        return response.json()

    def violations(self, rule: str = "") -> list[dict[str, Any]]:
        """The LinkedIn rules the pipeline broke against the sandbox (a rule, or a family ending in ".")."""
        params = {"rule": rule} if rule else None
        found: list[dict[str, Any]] = self.control("GET", "/violations", params=params)["violations"]
        return found

    def stop(self) -> None:
        self._keep_violations()
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)
        for log in self._log_files:
            log.close()
        self.http.close()
        if self._slot is not None:
            self._slot.release()

    def assert_no_undeclared_violations(self) -> None:
        """Fail on any LinkedIn rule broken against the sandbox that is neither known nor declared
        (as recorded when the pipeline stopped, if a test stopped it itself)."""
        found = self._kept if self.http.is_closed else self.violations()
        assert_no_undeclared(found, DECLARED.get() | KNOWN_VIOLATIONS)

    def _keep_violations(self) -> None:
        """Keep what the sandbox recorded beside the processes' logs, for whoever reads a failed run."""
        if "sandbox" not in self.processes:
            return
        try:
            self._kept = self.violations()
        except (AssertionError, httpx.HTTPError):
            return
        (self.logs / "sandbox-violations.json").write_text(json.dumps(self._kept, indent=1))

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")))
