"""A job posting is confirmed: each simpleJobPostings task is polled (backing off, bounded) until
LinkedIn applied or failed it, and a failure is a sync problem shown to on-call. Both stores, the
sandbox in strict mode."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from cli.main import app
from linkedin.client import LinkedInClient
from rsc.metrics import JOB_POSTINGS_FAILED
from rsc.settings import get_settings, reset_settings
from schemas.envelope import Event
from store.db import Store
from store.job_postings import PostingState
from store.sync_ledger import RecordType, Step
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.sandbox_harness import SandboxHarness
from workers.integration_status import integration_status
from workers.ledger.metrics import refresh_sync_metrics
from workers.shared.outbox_sweep import sweep_outbox
from workers.status_push.ats_records import handle_job_event
from workers.status_push.job_tasks import TaskPollReport, job_task_poll_messages, poll_job_tasks


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Polls due at once and again a moment later (the backoff's shape is tested on its own)."""
    monkeypatch.setenv("RSC_JOB_TASK_POLL_FIRST_S", "0.001")
    monkeypatch.setenv("RSC_JOB_TASK_POLL_MAX_INTERVAL_S", "0.001")
    reset_settings()


def post(store: Store, linkedin: LinkedInClient, *events: Event) -> None:
    for event in events:
        handle_job_event(event, UnitOfWork("acme", store))  # type: ignore[arg-type]
    sweep_outbox(UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings())


def poll(store: Store, linkedin: LinkedInClient) -> TaskPollReport:
    time.sleep(0.01)
    return poll_job_tasks(UnitOfWork("acme", store), linkedin, settings=get_settings())


def task_row(store: Store, job_id: str) -> tuple[str, str | None, int]:
    with UnitOfWork("acme", store) as uow:
        row = uow.job_postings.get(job_id)
        assert row is not None
        return row.state, row.message, row.attempts


def task_calls(sandbox: SandboxHarness) -> int:
    requests = sandbox.control("GET", "/requests")["requests"]
    return sum(1 for r in requests if "simpleJobPostingTasks" in r["path"])


def test_a_task_in_progress_is_polled_again_and_its_success_is_recorded_on_the_job(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    sandbox.control("PUT", "/settings", json={"job_task_delay_s": 60})
    post(store, linkedin, ats.job("J-1"), ats.job("J-2"))
    assert task_row(store, "J-1")[0] == PostingState.PENDING

    first = poll(store, linkedin)
    assert (first.polled, first.in_progress, first.succeeded) == (2, 2, 0)
    assert task_row(store, "J-1") == (PostingState.PENDING, None, 1)

    sandbox.control("PUT", "/clock", json={"advance_s": 61})
    second = poll(store, linkedin)
    assert (second.succeeded, second.failed) == (2, 0)
    assert task_row(store, "J-1") == (PostingState.SUCCEEDED, None, 2)
    # Both tasks were read in one call each time.
    assert task_calls(sandbox) == 2
    with UnitOfWork("acme", store) as uow:
        steps = [e.step for e in uow.ledger.timeline(RecordType.JOB, "J-1")]
        assert Step.CONFIRMED.value in steps
        assert uow.ledger.problems() == []
    # Nothing is due any more: no further call.
    assert poll(store, linkedin).polled == 0
    assert task_calls(sandbox) == 2


def test_a_failed_posting_is_recorded_with_linkedins_message_shown_in_status_and_counted(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    sandbox.control(
        "PUT",
        "/settings",
        json={"job_task_failure_rate": 1.0, "job_task_failure_message": "the location is not served"},
    )
    post(store, linkedin, ats.job("J-1"))
    sandbox.control("PUT", "/clock", json={"advance_s": 5})
    assert poll(store, linkedin).failed == 1

    state, message, _ = task_row(store, "J-1")
    assert state == PostingState.FAILED and message == "the location is not served"
    with UnitOfWork("acme", store) as uow:
        [problem] = uow.ledger.problems()
        assert (problem.record_id, problem.reason_code) == ("J-1", "job_posting_failed")
        assert problem.detail is not None and "the location is not served" in problem.detail
    report = integration_status("acme", store, settings=get_settings())
    assert report["job_postings"]["failed"] == [
        {"job_id": "J-1", "state": "failed", "task": report["job_postings"]["failed"][0]["task"],
         "message": "the location is not served"}
    ]  # fmt: skip
    refresh_sync_metrics(store, get_settings())
    assert JOB_POSTINGS_FAILED.labels(tenant="acme")._value.get() == 1

    shown = CliRunner().invoke(app, ["tenant", "status", "acme", "--offline"])
    assert shown.exit_code == 0, shown.output
    assert "1 job posting(s) not applied by LinkedIn" in shown.output
    assert "the location is not served" in shown.output

    # The job's next change posts it again, and its success ends the problem and the count.
    sandbox.control("PUT", "/settings", json={"job_task_failure_rate": 0.0})
    post(store, linkedin, ats.job("J-1", modified=10, title="Engineer II"))
    sandbox.control("PUT", "/clock", json={"advance_s": 5})
    assert poll(store, linkedin).succeeded == 1
    with UnitOfWork("acme", store) as uow:
        assert uow.ledger.problems() == []
    refresh_sync_metrics(store, get_settings())
    assert JOB_POSTINGS_FAILED.labels(tenant="acme")._value.get() == 0


def test_polling_gives_up_after_the_most_attempts_and_records_the_posting_unconfirmed(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_JOB_TASK_POLL_MAX_ATTEMPTS", "3")
    reset_settings()
    sandbox.control("PUT", "/settings", json={"job_task_delay_s": 86_400})
    post(store, linkedin, ats.job("J-1"))

    assert [poll(store, linkedin).in_progress for _ in range(2)] == [1, 1]
    last = poll(store, linkedin)
    assert (last.in_progress, last.gave_up) == (0, 1)
    state, message, attempts = task_row(store, "J-1")
    assert (state, attempts) == (PostingState.GAVE_UP, 3)
    assert message is not None and "after 3 polls" in message
    with UnitOfWork("acme", store) as uow:
        [problem] = uow.ledger.problems()
        assert (problem.kind, problem.reason_code) == ("stuck", "job_posting_unconfirmed")
    calls = task_calls(sandbox)
    assert poll(store, linkedin).polled == 0 and task_calls(sandbox) == calls


def test_polling_gives_up_on_a_task_older_than_the_most_age(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_JOB_TASK_MAX_AGE_S", "0.001")
    reset_settings()
    sandbox.control("PUT", "/settings", json={"job_task_delay_s": 86_400})
    post(store, linkedin, ats.job("J-1"))
    assert poll(store, linkedin).gave_up == 1
    assert task_row(store, "J-1")[0] == PostingState.GAVE_UP


def test_the_backoff_doubles_up_to_its_longest_interval(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_JOB_TASK_POLL_FIRST_S", "10")
    monkeypatch.setenv("RSC_JOB_TASK_POLL_MAX_INTERVAL_S", "30")
    reset_settings()
    sandbox.control("PUT", "/settings", json={"job_task_delay_s": 86_400})
    post(store, linkedin, ats.job("J-1"))
    assert poll(store, linkedin).polled == 0  # the first poll is 10 s after the posting
    gaps = []
    for _ in range(3):
        with UnitOfWork("acme", store) as uow:
            row = uow.job_postings.get("J-1")
            assert row is not None and row.next_poll_at is not None
            row.next_poll_at = row.next_poll_at.replace(year=2000)
            uow.commit()
        assert poll(store, linkedin).in_progress == 1
        with UnitOfWork("acme", store) as uow:
            row = uow.job_postings.get("J-1")
            assert row is not None and row.next_poll_at is not None and row.checked_at is not None
            gaps.append(round((row.next_poll_at - row.checked_at).total_seconds()))
    assert gaps == [20, 30, 30]


def test_a_newer_posting_replaces_the_task_of_an_older_one(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    sandbox.control("PUT", "/settings", json={"job_task_failure_rate": 1.0})
    post(store, linkedin, ats.job("J-1"))
    with UnitOfWork("acme", store) as uow:
        first = uow.job_postings.get("J-1")
        assert first is not None
        old_task, old_version = first.task_id, first.version
    sandbox.control("PUT", "/settings", json={"job_task_failure_rate": 0.0})
    post(store, linkedin, ats.job("J-1", modified=10, title="Engineer II"))
    with UnitOfWork("acme", store) as uow:
        # An older posting settled late does not replace the newer one's task.
        uow.job_postings.submitted({"J-1": (old_task, old_version)}, first_poll_in=timedelta(0))
        uow.commit()
    sandbox.control("PUT", "/clock", json={"advance_s": 5})
    assert poll(store, linkedin).succeeded == 1
    assert task_row(store, "J-1")[0] == PostingState.SUCCEEDED


def test_the_scheduler_asks_for_one_task_poll_per_tenant_while_one_is_requested(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    sandbox.control("PUT", "/settings", json={"job_task_delay_s": 86_400})
    post(store, linkedin, ats.job("J-1"), ats.job("J-2"))
    time.sleep(0.01)
    with store.session(None) as session:
        first = job_task_poll_messages(session)
    with store.session(None) as session:
        again = job_task_poll_messages(session)
    assert len(first) == 1 and '"poll_job_tasks"' in first[0].body.decode()
    assert again == []
    # The poll runs, and the tasks still in progress are due for a poll of their own later.
    poll(store, linkedin)
    time.sleep(0.01)
    with store.session(None) as session:
        assert len(job_task_poll_messages(session)) == 1


def test_a_task_status_the_reader_does_not_know_stays_unsettled_and_is_logged(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linkedin.restli import BatchResult
    from workers.status_push import job_tasks

    lines: list[dict[str, object]] = []

    class Recorder:
        # Stands in for the module's logger: structlog's own capture misses a logger cached by an
        # earlier test of the same process.
        def warning(self, event: str, **fields: object) -> None:
            lines.append({"event": event, "log_level": "warning", **fields})

        def info(self, event: str, **fields: object) -> None:
            lines.append({"event": event, "log_level": "info", **fields})

    monkeypatch.setattr(job_tasks, "log", Recorder())

    sandbox.control("PUT", "/settings", json={"job_task_delay_s": 60})
    post(store, linkedin, ats.job("J-1"))
    with UnitOfWork("acme", store) as uow:
        row = uow.job_postings.get("J-1")
        assert row is not None
        task_id = row.task_id
    monkeypatch.setattr(
        linkedin.jobs, "tasks", lambda ids: BatchResult(ok={task_id: {"id": task_id, "status": "ARCHIVED"}})
    )
    report = poll(store, linkedin)
    assert (report.in_progress, report.succeeded, report.failed) == (1, 0, 0)
    assert task_row(store, "J-1") == (PostingState.PENDING, None, 1)
    unknown = [line for line in lines if line["event"] == "job posting task status unknown"]
    assert unknown == [
        {
            "event": "job posting task status unknown",
            "log_level": "warning",
            "record_id": "J-1",
            "status": "ARCHIVED",
        }
    ]
