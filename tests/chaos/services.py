"""Private PostgreSQL and RabbitMQ instances the chaos suite may restart.

The shared services other tests use must never be restarted, so the chaos suite starts its own: a
PostgreSQL cluster made with ``initdb`` and run with ``pg_ctl`` on a free port, and a RabbitMQ node
of its own name, ports, data and cookie. Each can be stopped and started again on the same data
directory, which is the restart the suite injects. ``ServiceUnavailable`` says why one could not
be started (missing binaries), so the suite can skip with that reason.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from tests.infra import free_port


class ServiceUnavailable(RuntimeError):
    """A private instance cannot be started here (its reason says what is missing)."""


def _postgres_bindir() -> Path:
    candidates: list[str] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(result.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if initdb := shutil.which("initdb"):
        candidates.append(str(Path(initdb).parent))
    for directory in candidates:
        if directory and (Path(directory) / "initdb").exists() and (Path(directory) / "pg_ctl").exists():
            return Path(directory)
    raise ServiceUnavailable("no PostgreSQL server binaries (initdb, pg_ctl) found")


class PrivatePostgres:
    """A PostgreSQL cluster of its own (trust auth, one database ``rsc``) on a free local port.

    PostgreSQL refuses to run as root; when the suite runs as root, the cluster lives in a fresh
    directory owned by the ``postgres`` user and its commands run as that user.
    """

    def __init__(self, base: Path) -> None:
        self.bindir = _postgres_bindir()
        self.port = free_port()
        self._as: list[str] = []
        self._own_dir: Path | None = None
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ServiceUnavailable("running as root and no runuser to run PostgreSQL as postgres")
            self._as = [runuser, "-u", "postgres", "--"]
            self._own_dir = Path(tempfile.mkdtemp(prefix="rsc-chaos-pg-"))
            shutil.chown(self._own_dir, "postgres", "postgres")
            base = self._own_dir
        self.data = base / "pgdata"
        self.logfile = base / "postgres.log"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/rsc"

    def _run(self, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            [*self._as, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise ServiceUnavailable(f"{Path(args[0]).name} failed: {result.stderr.strip()[-500:]}")

    def init(self) -> None:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.start()
        admin = sa.create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE rsc"))
        admin.dispose()

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data} "
            "-c max_connections=300 -c fsync=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"), "start", "-w", "-t", "120", "-D", str(self.data),
            "-l", str(self.logfile), "-o", options,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """``fast`` rolls back open transactions; ``immediate`` is a crash (recovery at the next start)."""
        self._run(str(self.bindir / "pg_ctl"), "stop", "-w", "-t", "120", "-D", str(self.data), "-m", mode)

    def restart(self, *, down_s: float = 2.0, mode: str = "immediate") -> None:
        self.stop(mode)
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        with contextlib.suppress(ServiceUnavailable, subprocess.TimeoutExpired):
            self.stop("immediate")
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)


class PrivateRabbitMQ:
    """A RabbitMQ node of its own (name, AMQP and distribution ports, data, logs, cookie, no plugins)."""

    def __init__(self, base: Path) -> None:
        server = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
        self.server = str(server) if server.exists() else shutil.which("rabbitmq-server")
        ctl = Path("/usr/lib/rabbitmq/bin/rabbitmqctl")
        self.ctl = str(ctl) if ctl.exists() else shutil.which("rabbitmqctl")
        if self.server is None or self.ctl is None:
            raise ServiceUnavailable("no rabbitmq-server / rabbitmqctl found")
        self.base = base / "rabbitmq"
        self.base.mkdir(parents=True, exist_ok=True)
        self.node = f"chaos-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        config = self.base / "rabbitmq.conf"
        config.write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            "loopback_users.guest = true\n"
            "disk_free_limit.absolute = 10MB\n"
        )
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq-env.conf").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(self.base),  # the Erlang cookie of this node and its rabbitmqctl
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_PID_FILE": str(self.base / "rabbitmq.pid"),
            "RABBITMQ_CONFIG_FILE": str(config),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"
        self._process: subprocess.Popen[bytes] | None = None
        self._log = (self.base / "server.out").open("ab")

    def _ctl(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.ctl), "-n", self.node, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> None:
        self._process = subprocess.Popen(
            [str(self.server)],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.base,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        # await_startup fails at once until the node has registered with epmd: ask again.
        while self._ctl("await_startup", "--timeout", "10", timeout=60).returncode != 0:
            if self._process.poll() is not None or time.monotonic() > deadline:
                tail = (self.base / "server.out").read_text(errors="replace")[-800:]
                self._kill()
                raise ServiceUnavailable(f"the private RabbitMQ node did not start: {tail}")
            time.sleep(1)

    def stop(self) -> None:
        self._ctl("stop", timeout=120)
        if self._process is not None:
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._kill()
            self._process = None

    def restart(self, *, down_s: float = 2.0) -> None:
        """Stop the whole node (every connection drops) and start it on the same data."""
        self.stop()
        time.sleep(down_s)
        self.start()

    def list_queues(self) -> dict[str, int]:
        """Messages (ready and unacknowledged) of every queue of the default virtual host."""
        result = self._ctl("list_queues", "name", "messages", "--formatter", "json", "-q")
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl list_queues failed: {result.stderr.strip()[-300:]}")
        return {row["name"]: int(row["messages"]) for row in json.loads(result.stdout or "[]")}

    def _kill(self) -> None:
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, 9)
            self._process.wait(timeout=30)
            self._process = None

    def close(self) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.stop()
        self._kill()
        self._log.close()


@contextlib.contextmanager
def private_services(base: Path) -> Iterator[tuple[PrivatePostgres, PrivateRabbitMQ]]:
    """Both instances started; stopped and removed afterwards."""
    postgres = PrivatePostgres(base)
    rabbitmq: PrivateRabbitMQ | None = None
    try:
        postgres.init()
        rabbitmq = PrivateRabbitMQ(base)
        rabbitmq.start()
        yield postgres, rabbitmq
    finally:
        if rabbitmq is not None:
            rabbitmq.close()
        postgres.close()
