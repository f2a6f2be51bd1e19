"""On-call, end to end: 50 events dead-lettered for three reasons, listed by reason, one cause fixed,
that reason replayed through the real workers, and a second replay that changes nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.linkedin import ExportRequest, ExportRequested
from store.db import get_store
from store.dead_letters import DeadLetter
from store.exports import ExportRecord
from store.uow import OpsUnitOfWork, UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import counts, export, onboard, publish_job, publish_raw
from tests.helpers import ORG
from tests.waiting import eventually

#: A reason's table title in `rsc dlq list`: "job_not_published (20)".
GROUP = re.compile(r"^(\w+) \((\d+)\)\s*$", re.MULTILINE)

#: A table row whose first cell is a message id (a rich table at a terminal, plain columns elsewhere).
ROW = re.compile(r"^\W*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b")

DRAFT_EXPORTS = 20
UNKNOWN_TENANT_EXPORTS = 20
SCHEMA_VIOLATIONS = 10


def test_fifty_dead_letters_three_reasons_one_fixed_and_replayed_twice(
    pipeline: Pipeline, rabbit: str
) -> None:
    client_id, _ = onboard(pipeline, "acme", org=ORG)
    pipeline.env["COLUMNS"] = "250"  # `rsc dlq list` tables on one line each, as on a wide terminal
    pipeline.start_workers("worker", "profile_export", "status_push", processes=1, threads=4)
    publish_job(rabbit, "acme", "J-draft", state="draft")
    eventually(lambda: _job_state("J-draft") == "draft", what="the draft job")

    # 1. Exports to a job that is still a draft: job_not_published.
    draft_requests = {
        export(pipeline, client_id, "J-draft", i)["requestId"] for i in range(1, DRAFT_EXPORTS + 1)
    }
    # 2. Exports for a tenant nobody created yet: unknown_tenant.
    now = datetime.now(UTC)
    Publisher(rabbit, settings=get_settings()).publish_many(
        ExportRequested(
            type="linkedin.export.requested.v1",
            id=f"initech-push-{i}",
            source="linkedin://e2e",
            tenant="initech",
            time=now,
            data=ExportRequest(request_id=f"initech-req-{i}", push_id=f"initech-push-{i}", notified_at=now),
        )
        for i in range(UNKNOWN_TENANT_EXPORTS)
    )
    # 3. Messages whose event breaks the schema: schema_violation.
    for i in range(SCHEMA_VIOLATIONS):
        publish_raw(
            rabbit,
            "profile_export",
            "export_profile",
            {"type": "linkedin.export.requested.v1", "id": f"bad-{i}", "source": "x", "tenant": "acme"},
            f"m-schema-{i}",
        )

    expected = {"job_not_published": 20, "unknown_tenant": 20, "schema_violation": 10}
    # A bound for a machine shared with other tests: under a load average of 20 the 50 dead letters
    # took longer than 90 s.
    eventually(lambda: _recorded() == expected, timeout=300, what=f"dead letters {expected}")

    listed = pipeline.rsc("dlq", "list", "--limit", "100")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "50 dead letters" in listed.stdout
    groups = [(m[1], int(m[2])) for m in GROUP.finditer(listed.stdout)]
    assert sorted(groups) == sorted(expected.items())
    assert _listed_ids(listed.stdout, "job_not_published") == _dead_message_ids("job_not_published")
    assert counts("acme")["exports"] == 0

    # The cause of one reason is fixed: the job is published. Only that reason is replayed.
    publish_job(rabbit, "acme", "J-draft", second=30)
    eventually(lambda: _job_state("J-draft") == "published", what="J-draft published")
    replay = pipeline.rsc("dlq", "replay", "--reason", "job_not_published")
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert f"Replayed: {DRAFT_EXPORTS}" in replay.stdout

    eventually(lambda: counts("acme")["exports"] == DRAFT_EXPORTS, timeout=60, what="the replayed exports")
    assert _imported_requests() == draft_requests
    eventually(
        lambda: _in_dead_letter_queue(pipeline) == {"unknown_tenant": 20, "schema_violation": 10},
        what="the other 30 dead letters to stay",
    )

    # Replaying again changes nothing: nothing is republished, nothing more is imported.
    again = pipeline.rsc("dlq", "replay", "--reason", "job_not_published")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing to replay" in again.stdout
    assert _in_dead_letter_queue(pipeline) == {"unknown_tenant": 20, "schema_violation": 10}
    assert counts("acme") == {"candidates": 20, "applications": 20, "exports": 20}
    assert _replays("job_not_published") == {1}
    assert _replays("unknown_tenant") == _replays("schema_violation") == {0}


def _job_state(job_id: str) -> str | None:
    with UnitOfWork("acme", get_store()) as uow:
        job = uow.jobs.get(job_id)
        return None if job is None else str(job.state)


def _recorded() -> dict[str, int]:
    with OpsUnitOfWork(get_store()) as ops:
        out: dict[str, int] = {}
        for row in ops.session.scalars(select(DeadLetter)):
            out[row.reason_code] = out.get(row.reason_code, 0) + 1
        return out


def _dead_message_ids(reason: str) -> set[str]:
    with OpsUnitOfWork(get_store()) as ops:
        return set(ops.session.scalars(select(DeadLetter.message_id).where(DeadLetter.reason_code == reason)))


def _replays(reason: str) -> set[int]:
    with OpsUnitOfWork(get_store()) as ops:
        return {
            int(r)
            for r in ops.session.scalars(select(DeadLetter.replays).where(DeadLetter.reason_code == reason))
        }


def _listed_ids(output: str, reason: str) -> set[str]:
    """The message ids (first column) in one reason's table of `rsc dlq list`."""
    ids: set[str] = set()
    inside = False
    for line in output.splitlines():
        title = GROUP.match(line)
        if title:
            inside = title[1] == reason
        elif inside and (row := ROW.match(line)):
            ids.add(row[1])
    return ids


def _imported_requests() -> set[str]:
    with UnitOfWork("acme", get_store()) as uow:
        return set(uow.session.scalars(select(ExportRecord.request_id)))


def _in_dead_letter_queue(pipeline: Pipeline) -> dict[str, int]:
    listed = pipeline.rsc("dlq", "list", "--limit", "100")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    return {m[1]: int(m[2]) for m in GROUP.finditer(listed.stdout)}
