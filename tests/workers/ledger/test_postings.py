"""A job posting's outcome in the sync ledger: a failed or unconfirmed posting is the job's problem,
with LinkedIn's reason, until a confirmed posting clears it; on both stores."""

from __future__ import annotations

from rsc.settings import get_settings
from store.db import Store
from store.sync_ledger import RecordType
from store.uow import UnitOfWork
from workers.ledger.postings import (
    FAILED_CODE,
    UNCONFIRMED_CODE,
    posting_confirmed,
    posting_failed,
    posting_unconfirmed,
)
from workers.ledger.report import problems, timeline


def job_problems(store: Store) -> list[tuple[str, str, str | None]]:
    with UnitOfWork("acme", store) as uow:
        return [
            (group.reason_code, record["id"], record["detail"])
            for group in problems(uow, settings=get_settings())
            for record in group.records
        ]


def test_a_failed_posting_is_the_jobs_problem_until_a_posting_is_confirmed(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        posting_failed(uow, "J-1", "task-1", "the description is too short")
        uow.commit()
    assert job_problems(store) == [
        (FAILED_CODE, "J-1", "LinkedIn failed the posting (task task-1): the description is too short")
    ]
    with UnitOfWork("acme", store) as uow:
        posting_confirmed(uow, "J-1", "task-2")
        uow.commit()
    assert job_problems(store) == []
    with UnitOfWork("acme", store) as uow:
        details = [e.detail for e in timeline(uow, RecordType.JOB, "J-1").entries]
    assert details[-1] == "LinkedIn applied the posting (task task-2)"


def test_a_posting_without_a_reason_or_never_finished_says_so(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        posting_failed(uow, "J-1", "task-1", None)
        posting_unconfirmed(uow, "J-2", "task-2", "still IN_PROGRESS after 2 days")
        uow.commit()
    assert sorted(job_problems(store)) == [
        (FAILED_CODE, "J-1", "LinkedIn failed the posting (task task-1): no reason given"),
        (
            UNCONFIRMED_CODE,
            "J-2",
            "LinkedIn never finished the posting (task task-2): still IN_PROGRESS after 2 days",
        ),
    ]
