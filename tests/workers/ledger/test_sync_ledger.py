"""The sync ledger: every record's fate is visible. Events received and stored or ignored, pushes with
LinkedIn's answer, refusals with their reason (in `rsc sync show`, `rsc sync problems`, a warning line),
waits that become problems after RSC_DEPENDENCY_WAIT_S and still end in a push. Both stores, the
in-process sandbox."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from cli.main import app
from linkedin.client import LinkedInClient
from rsc.settings import get_settings
from schemas.ats import ApplicationCreated, CandidateCreated, CandidateUpdated
from schemas.envelope import Event
from store.base import utcnow
from store.db import Store
from store.erasure import erase_candidate
from store.sync_ledger import RecordType, SyncProblem
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.helpers import ORG
from tests.sandbox_harness import SandboxHarness
from workers.deletion_cascade.handlers import push_window
from workers.ledger.metrics import SYNC_PROBLEMS, refresh_sync_metrics
from workers.ledger.report import problems, timeline
from workers.shared.outbox_sweep import sweep_outbox
from workers.status_push.ats_records import handle_application_event, handle_candidate_event, handle_job_event

runner = CliRunner()


def apply(store: Store, *events: Event) -> None:
    for event in events:
        uow = UnitOfWork("acme", store)
        if isinstance(event, CandidateCreated | CandidateUpdated):
            handle_candidate_event(event, uow)
        elif isinstance(event, ApplicationCreated):
            handle_application_event(event, uow)
        else:
            handle_job_event(event, uow)  # type: ignore[arg-type]


def sweep(store: Store, linkedin: LinkedInClient) -> None:
    sweep_outbox(UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings())


def steps(store: Store, record_type: RecordType, record_id: str) -> list[tuple[str, str | None]]:
    with UnitOfWork("acme", store) as uow:
        return [(e.step, e.detail) for e in timeline(uow, record_type, record_id).entries]


class LogLines:
    """Stands in for the ledger module's logger: the lines it writes, as (level, event, fields)."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.lines.append({"event": event, "log_level": "warning", **fields})

    def info(self, event: str, **fields: Any) -> None:
        self.lines.append({"event": event, "log_level": "info", **fields})


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> LogLines:
    from workers.ledger import hooks as sync_ledger

    lines = LogLines()
    monkeypatch.setattr(sync_ledger, "log", lines)
    return lines


def show(*args: str) -> Any:
    return runner.invoke(app, ["sync", "show", *args, "--tenant", "acme"])


def test_a_job_without_a_description_is_refused_with_its_reason_a_problem_and_one_warning(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, log_lines: LogLines
) -> None:
    apply(store, ats.job("J-1", description=None), ats.job("J-1", description=None))  # the repeat is no entry
    sweep(store, linkedin)
    lines = log_lines.lines
    assert steps(store, RecordType.JOB, "J-1") == [
        ("stored", "ats.job.published.v1 stored"),
        ("refused", "job 'J-1' has no description and LinkedIn requires one: add it in the ATS"),
    ]
    refused = [line for line in lines if line["event"] == "record refused"]
    assert refused == [
        {
            "event": "record refused",
            "log_level": "warning",
            "record_type": "job",
            "record_id": "J-1",
            "resource": "job",
            "reason_code": "missing_description",
        }
    ]
    with UnitOfWork("acme", store) as uow:
        groups = problems(uow, settings=get_settings())
    assert [(g.kind, g.reason_code, [r["id"] for r in g.records]) for g in groups] == [
        ("refused", "missing_description", ["J-1"])
    ]
    assert "add the job's description in the ATS" in groups[0].fix
    refresh_sync_metrics(store, get_settings())
    assert SYNC_PROBLEMS.labels("acme", "refused", "missing_description")._value.get() == 1

    # Fixed in the ATS: pushed, and the problem is gone (from the gauge too).
    apply(store, ats.job("J-1", modified=5))
    sweep(store, linkedin)
    assert [step for step, _ in steps(store, RecordType.JOB, "J-1")] == [
        "stored",
        "refused",
        "stored",
        "pushed",
    ]
    with UnitOfWork("acme", store) as uow:
        assert problems(uow, settings=get_settings()) == []
    refresh_sync_metrics(store, get_settings())
    assert SYNC_PROBLEMS.labels("acme", "refused", "missing_description")._value.get() == 0


@pytest.mark.sandbox_violations("field.")
def test_a_record_linkedin_refuses_shows_linkedins_reason_in_rsc_sync_show(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(store, ats.job("J-7", apply_url="ftp://jobs.example.com/7"), ats.job("J-8"))
    sweep(store, linkedin)
    result = show("job", "J-7")
    assert result.exit_code == 0, result.output
    assert "refused" in result.output
    assert "LinkedIn refused the record (422): companyApplyUrl must be an http(s) URL" in result.output
    assert "simpleJobPostings batch upsert" in result.output
    assert "fix" in result.output and "linkedin_refused" in result.output
    as_json = json.loads(show("job", "J-7", "--json").output)
    assert as_json["problem"]["reason_code"] == "linkedin_refused"
    assert [e["step"] for e in as_json["entries"]] == ["stored", "refused"]
    assert as_json["entries"][0]["event_id"] == "J-7@0-published"
    # The other record of the batch went through, with LinkedIn's answer.
    pushed = json.loads(show("job", "J-8", "--json").output)["entries"][-1]
    assert (pushed["step"], pushed["call"]) == ("pushed", "simpleJobPostings batch upsert")
    assert pushed["detail"].startswith("LinkedIn accepted it (")


def test_an_older_snapshot_is_entered_as_ignored(store: Store, sandbox: SandboxHarness) -> None:
    apply(store, ats.candidate("C-1", modified=20), ats.candidate("C-1", modified=10))
    assert steps(store, RecordType.CANDIDATE, "C-1") == [
        ("stored", "ats.candidate.updated.v1 stored"),
        ("ignored", "ats.candidate.updated.v1 older than the stored state"),
    ]


def test_an_application_waiting_for_its_job_becomes_a_problem_after_the_wait_and_still_goes(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: LogLines,
) -> None:
    monkeypatch.setenv("RSC_DEPENDENCY_WAIT_S", "60")
    from rsc.settings import reset_settings

    reset_settings()
    apply(store, ats.candidate("C-1"), ats.application("A-1"))
    sweep(store, linkedin)
    _expire_holds(store)
    sweep(store, linkedin)  # a second wait for the same job writes nothing more
    assert steps(store, RecordType.APPLICATION, "A-1")[1:] == [("waiting", "waiting for job 'J-1'")]
    with UnitOfWork("acme", store) as uow:
        assert (
            problems(uow, settings=get_settings()) == []
        )  # waiting a moment is the ordinary race, not a problem
    _age_problems(store, timedelta(seconds=120))
    _expire_holds(store)
    sweep(store, linkedin)
    assert [
        line["reason_code"] for line in log_lines.lines if line["event"] == "record waiting too long"
    ] == ["waiting_for_job"]
    assert steps(store, RecordType.APPLICATION, "A-1")[-1][0] == "overdue"
    with UnitOfWork("acme", store) as uow:
        groups = problems(uow, settings=get_settings())
    assert [(g.kind, g.reason_code, [r["id"] for r in g.records]) for g in groups] == [
        ("waiting", "waiting_for_job", ["A-1"])
    ]
    refresh_sync_metrics(store, get_settings())
    assert SYNC_PROBLEMS.labels("acme", "waiting", "waiting_for_job")._value.get() == 1

    # The job arrives late: the application is still sent, and the problem is over.
    apply(store, ats.job("J-1"))
    _expire_holds(store)
    sweep(store, linkedin)
    assert sandbox.record(ORG, "applications", "A-1") is not None
    assert steps(store, RecordType.APPLICATION, "A-1")[-1][0] == "pushed"
    with UnitOfWork("acme", store) as uow:
        assert problems(uow, settings=get_settings()) == []
    result = runner.invoke(app, ["sync", "problems", "--tenant", "acme"])
    assert result.exit_code == 0 and "no sync problems" in result.output


def test_the_erasure_takes_the_candidates_ledger_and_problems_with_it(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    apply(store, ats.candidate("C-1", first_name=None), ats.application("A-1"))
    sweep(store, linkedin)
    with UnitOfWork("acme", store) as uow:
        assert uow.ledger.problems(waiting_too=True)
        erase_candidate(
            uow,
            "C-1",
            deleted_at=utcnow(),
            receipt_id="r-1",
            push_window=push_window(settings=get_settings()),
        )
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.ledger.timeline(RecordType.CANDIDATE, "C-1") == []
        assert uow.ledger.timeline(RecordType.APPLICATION, "A-1") == []
        assert uow.ledger.problems(waiting_too=True) == []
    result = show("candidate", "C-1")
    assert result.exit_code == 0, result.output
    assert "erased with its candidate" in result.output and "r-1" in result.output


def test_show_takes_a_unique_prefix_and_says_in_one_line_what_is_wrong(
    store: Store, sandbox: SandboxHarness
) -> None:
    apply(store, ats.job("JOB-alpha"), ats.job("JOB-beta"))
    assert "JOB-alpha" in show("job", "JOB-a").output
    ambiguous = show("job", "JOB-")
    assert ambiguous.exit_code == 1 and "2 jobs start with 'JOB-'" in ambiguous.output
    missing = show("job", "nothing")
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert missing.output.count("\n") == 1
    teapot = show("teapot", "J-1")
    assert teapot.exit_code == 1 and teapot.output.startswith(
        "error: no record type 'teapot'; give one of job,"
    )
    unknown = runner.invoke(app, ["sync", "problems", "--tenant", "nobody"])
    assert unknown.exit_code == 1 and "no tenant 'nobody'" in unknown.output


@pytest.mark.parametrize(
    ("events", "record", "code"),
    [
        ([ats.job("J-1", location={"city": "Berlin"})], (RecordType.JOB, "J-1"), "missing_location"),
        ([ats.job("J-1", title="T" * 201)], (RecordType.JOB, "J-1"), "title_too_long"),
        ([ats.candidate("C-1", first_name=None)], (RecordType.CANDIDATE, "C-1"), "missing_first_name"),
        (
            [ats.job("J-1"), ats.candidate("C-1", first_name=None), ats.application("A-1")],
            (RecordType.APPLICATION, "A-1"),
            "missing_first_name",
        ),
    ],
    ids=["job-without-location", "job-title-too-long", "candidate-without-first-name", "its-application"],
)
def test_a_field_the_catalogue_marks_optional_but_linkedin_requires_is_a_refused_problem(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    log_lines: LogLines,
    events: list[Event],
    record: tuple[RecordType, str],
    code: str,
) -> None:
    apply(store, *events)
    sweep(store, linkedin)
    record_type, record_id = record
    assert steps(store, record_type, record_id)[-1][0] == "refused"
    with UnitOfWork("acme", store) as uow:
        found = {
            (g.reason_code, r["type"], r["id"])
            for g in problems(uow, settings=get_settings())
            for r in g.records
        }
    assert (code, record_type.value, record_id) in found
    assert {"record_type": record_type.value, "record_id": record_id, "reason_code": code}.items() <= next(
        line for line in log_lines.lines if line.get("record_id") == record_id
    ).items()


def test_notes_and_inmails_have_their_timelines_too(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    from schemas.catalog import parse_event
    from workers.inmail_sync.handlers import handle_inmail
    from workers.status_push.ats_notes import handle_note_event

    handle_note_event(ats.note("N-1"), UnitOfWork("acme", store))  # type: ignore[arg-type]
    sweep(store, linkedin)  # its candidate is not on LinkedIn yet
    apply(store, ats.candidate("C-1"))
    sweep(store, linkedin)
    _expire_holds(store)
    sweep(store, linkedin)
    assert [step for step, _ in steps(store, RecordType.NOTE, "N-1")] == ["stored", "waiting", "pushed"]
    assert steps(store, RecordType.NOTE, "N-1")[1][1] == "waiting for its candidate 'C-1' to reach LinkedIn"
    data = {"event_id": "E-1", "thread": "t-1", "viewer": "urn:li:seat:501", "member": "urn:li:person:ada"}
    for event_id in ("inmail:E-1", "inmail:E-1", "inmail:E-1-again"):
        raw = {
            "type": "linkedin.inmail.received.v1",
            "id": event_id,
            "source": "linkedin://polls",
            "tenant": "acme",
        }
        handle_inmail(parse_event({**raw, "data": {**data, "created_ms": 1}}), UnitOfWork("acme", store))  # type: ignore[arg-type]
    # The redelivery (same event id) is no entry; another event of the same message is ignored.
    assert [step for step, _ in steps(store, RecordType.INMAIL, "E-1")] == ["stored", "ignored"]


def _expire_holds(store: Store) -> None:
    from store.linkedin_sync import SyncState

    with UnitOfWork("acme", store) as uow:
        uow.session.execute(update(SyncState).values(lease_until=None))
        uow.commit()


def _age_problems(store: Store, age: timedelta) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.session.execute(update(SyncProblem).values(since=utcnow() - age))
        uow.commit()
