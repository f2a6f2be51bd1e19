"""The test infrastructure itself: emptying the PostgreSQL database between tests, the helpers that
look at PostgreSQL's locks, and the order in which ``pytest -n N`` hands tests to its workers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from store.dead_letters import DeadLetter
from store.schema import metadata
from tests.conftest import TRUNCATE_FROM_ROWS, empty_all
from tests.e2e.pipeline import PIPELINE_SLOTS, Pipeline, PipelineSlot
from tests.helpers import create_tenant, drain, wait_for_lock_waiter
from tests.infra import TEST_SECRET_KEY, fresh_database, postgres_server
from tests.scheduling import LONG_S, MAX_PIPELINES, LongestFirst, estimate, is_pipeline
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[1]


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            table.name: int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
            for table in metadata.sorted_tables
        }
    engine.dispose()
    return counts


def _dead_letter(n: int) -> dict[str, Any]:
    return {
        "message_id": f"m-{n}",
        "queue": "profile_export",
        "actor": "export_profile",
        "reason_code": "job_not_published",
        "reason": "job 'J-1' is closed",
        "error_class": "BusinessRuleViolation",
    }


def test_emptying_leaves_every_table_empty_and_restarts_the_ids(postgres_url: str) -> None:
    create_tenant("acme")
    engine = sa.create_engine(postgres_url)
    rows = [_dead_letter(n) for n in range(TRUNCATE_FROM_ROWS + 1)]
    with engine.begin() as conn:
        conn.execute(sa.insert(DeadLetter), rows)
    assert _counts(postgres_url)["tenants"] == 1
    assert _counts(postgres_url)["dead_letters"] == TRUNCATE_FROM_ROWS + 1  # the TRUNCATE path

    empty_all(postgres_url)

    assert set(_counts(postgres_url).values()) == {0}
    with engine.begin() as conn:
        conn.execute(sa.insert(DeadLetter), rows[:1])
        assert conn.scalar(sa.select(DeadLetter.id)) == 1
    engine.dispose()
    empty_all(postgres_url)  # the DELETE path restarts the ids too
    with engine.begin() as conn:
        conn.execute(sa.insert(DeadLetter), rows[:1])
        assert conn.scalar(sa.select(DeadLetter.id)) == 1
    engine.dispose()


@pytest.fixture
def other_database() -> Iterator[str]:
    """A database of another test session on the same server."""
    with postgres_server() as server, fresh_database(server) as url:
        yield url


def test_a_lock_wait_in_another_database_is_not_this_tests(postgres_url: str, other_database: str) -> None:
    from store.db import get_store

    other = sa.create_engine(other_database)
    with other.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id int PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
    holder, waiter = other.connect(), other.connect()
    holder.begin()
    holder.execute(sa.text("UPDATE t SET id = 1"))
    waiting = threading.Thread(target=lambda: waiter.execute(sa.text("UPDATE t SET id = 1")))
    waiting.start()
    try:
        # The other session waits for a row (a transaction id lock, which names no database) ...
        # (once the thread has sent its UPDATE: starting it does not mean it is waiting yet).
        with other.connect() as conn:
            assert eventually(
                lambda: conn.scalar(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")),
                timeout=10,
                what="no waiter",
            )
        # ... which is no waiter of this test's database.
        assert not wait_for_lock_waiter(get_store(postgres_url), waiting, timeout=0.5)
    finally:
        holder.rollback()
        waiting.join(10)
        waiter.rollback()
        holder.close()
        waiter.close()
        other.dispose()


class _Node:
    """What the scheduler sees of a worker: its id, and the tests it was sent."""

    def __init__(self, name: str) -> None:
        self.gateway = SimpleNamespace(id=name)
        self.shutting_down = False
        self.sent: list[int] = []

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(indices)

    def shutdown(self) -> None:
        self.shutting_down = True


COLLECTION = [
    "tests/test_schemas.py::test_a",
    "tests/test_schemas.py::test_b",
    "tests/test_schemas.py::test_c",
    "tests/test_schemas.py::test_d",
    "tests/e2e/test_crash_recovery.py::test_sigkill_in_the_middle_of_500_exports_loses_and_duplicates_nothing",
    "tests/test_schemas.py::test_e",
    "tests/e2e/test_status_sync.py::test_with_a_fifth_of_answers_failing_and_the_real_limit_nothing_is_lost_and_the_limit_holds",
    "tests/test_schemas.py::test_f",
]


def test_the_longest_tests_start_first_each_on_a_worker_of_its_own(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pytestconfig.option, "tx", ["2*popen"])  # as `pytest -n 2` sets it
    scheduler = LongestFirst(pytestconfig)
    nodes = [_Node("gw0"), _Node("gw1")]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, COLLECTION)
    scheduler.schedule()

    first, second = (node.sent for node in nodes)
    # Each worker starts on one long test, with a short one (the first collected) as its next.
    assert COLLECTION[first[0]].startswith("tests/e2e/test_status_sync.py")
    assert COLLECTION[second[0]].startswith("tests/e2e/test_crash_recovery.py")
    assert [estimate(COLLECTION[i]) < LONG_S for i in (first[1], second[1])] == [True, True]
    assert (first[1], second[1]) == (0, 1)

    # The second worker finishes its long test: it runs its short one and gets the next short one.
    scheduler.mark_test_complete(nodes[1], second[0])
    assert nodes[1].sent[2] == 2
    # It finishes that short one too; nothing long is left, so the collection's order goes on.
    scheduler.mark_test_complete(nodes[1], second[1])
    assert nodes[1].sent[3] == 3
    assert sorted(first + nodes[1].sent) == sorted(set(first + nodes[1].sent))  # never sent twice


def test_no_more_pipelines_at_once_than_the_shared_postgresql_has_connections_for(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pytestconfig.option, "tx", [f"{MAX_PIPELINES + 1}*popen"])
    scheduler = LongestFirst(pytestconfig)
    pipelines = [f"tests/e2e/test_flow.py::test_{n}" for n in range(MAX_PIPELINES + 1)]
    collection = [*pipelines, "tests/test_schemas.py::test_a", "tests/test_schemas.py::test_b"]
    nodes = [_Node(f"gw{n}") for n in range(MAX_PIPELINES + 1)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()

    running = [node.sent[0] for node in nodes]
    assert [collection[i] for i in running[:MAX_PIPELINES]] == pipelines[:MAX_PIPELINES]
    # The last worker gets the other tests, while the last pipeline waits for a place ...
    assert not is_pipeline(collection[running[-1]])
    # ... and it gets that pipeline when nothing else is left rather than stand idle.
    handed = [i for node in nodes for i in node.sent]
    assert sorted(handed) == list(range(len(collection)))


def test_estimates_know_the_longest_tests_and_the_process_heavy_directories() -> None:
    assert estimate("tests/chaos/test_chaos.py::test_chaos_the_store_and_linkedin_equal_the_oracle") > 60
    assert estimate("tests/e2e/test_demo.py::test_anything_new") >= LONG_S
    assert estimate("tests/test_schemas.py::test_anything") < LONG_S


def test_processes_the_tests_start_inherit_no_terminal_size_pytest_made_up() -> None:
    """pytest's readline import puts COLUMNS and LINES into the C-level environment; pytest-xdist's
    workers and every other child would inherit them (and the CLI's consoles a width of 80)."""
    if "COLUMNS" in os.environ or "LINES" in os.environ:
        pytest.skip("the terminal size was given to this run")
    shown = subprocess.run(
        ["sh", "-c", 'echo "${COLUMNS:-unset} ${LINES:-unset}"'], capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["unset", "unset"]


def test_draining_a_queue_nobody_declared_yet_finds_nothing(broker_url: str) -> None:
    assert drain(broker_url, f"never-declared-{uuid.uuid4().hex[:8]}") == []


def test_no_more_pipelines_run_at_once_than_there_are_slots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", f"slots-{tmp_path.name}")
    held = [PipelineSlot() for _ in range(PIPELINE_SLOTS)]
    # The next one waits, here in another process, until a slot is released.
    script = (
        "import time; from tests.e2e.pipeline import PipelineSlot; "
        "PipelineSlot(poll_s=0.05); print(time.time())"
    )
    waiter = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    time.sleep(3.0)
    assert waiter.poll() is None
    released_at = time.time()
    held[0].release()
    out, _ = waiter.communicate(timeout=30)
    assert float(out) >= released_at
    for slot in held[1:]:
        slot.release()


def test_a_pipeline_on_a_server_of_its_own_takes_no_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", f"slots-{tmp_path.name}")
    held = [PipelineSlot() for _ in range(PIPELINE_SLOTS)]
    try:
        # The chaos suite's private server: made at once while every slot is held.
        own = Pipeline(
            tmp_path / "own", "postgresql+psycopg://127.0.0.1:1/x", "amqp://x", shared_server=False
        )
        own.stop()
        waiting = threading.Thread(
            target=lambda: Pipeline(
                tmp_path / "shared", "postgresql+psycopg://127.0.0.1:1/x", "amqp://x"
            ).stop(),
            daemon=True,
        )
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive(), "a pipeline on the shared server started while every slot was held"
    finally:
        for slot in held:
            slot.release()
    waiting.join(timeout=10)
    assert not waiting.is_alive()


def test_each_process_opens_as_many_postgresql_connections_as_its_settings_allow(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rsc.crypto import Keyring
    from rsc.settings import reset_settings
    from store.db import Store

    monkeypatch.setenv("RSC_DB_POOL_SIZE", "2")
    monkeypatch.setenv("RSC_DB_MAX_OVERFLOW", "1")
    reset_settings()
    store = Store(pg_url, keyring=Keyring.of(TEST_SECRET_KEY.encode()))
    try:
        held = [store.engine.connect() for _ in range(3)]
        assert (store.engine.pool.size(), store.engine.pool.checkedout()) == (2, 3)  # type: ignore[attr-defined]
        # A fourth waits for one of them to come back.
        fourth: list[sa.Connection] = []
        waiter = threading.Thread(target=lambda: fourth.append(store.engine.connect()))
        waiter.start()
        waiter.join(timeout=1.0)
        assert waiter.is_alive() and not fourth
        held.pop().close()
        waiter.join(timeout=10)
        assert len(fourth) == 1
        for conn in [*held, *fourth]:
            conn.close()
    finally:
        store.dispose()
