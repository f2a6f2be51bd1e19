"""Which failures are retried, and how often: the workers' retry policy."""

from __future__ import annotations

import psycopg.errors

from rsc.errors import WAIT_RETRIES, PermanentError, TransientError, is_transient, reason_of
from rsc.settings import Settings
from workers.profile_matching.matching import CandidateNotStoredYet
from workers.runtime.broker import make_retry_policy


def test_a_match_waiting_for_status_push_outlasts_the_retry_limit_of_failures() -> None:
    # A backlog on status_push kept profile_match's candidate events early for longer than
    # RSC_MAX_RETRIES retries: they were dead-lettered and the candidates never matched.
    retry_when = make_retry_policy(Settings(max_retries=8))
    early = CandidateNotStoredYet("candidate 'C-1' is not stored at this event's version yet")
    assert retry_when(8, early)
    assert retry_when(WAIT_RETRIES - 1, early)
    assert not retry_when(WAIT_RETRIES, early)


def test_other_failures_keep_their_limit_and_permanent_ones_are_never_retried() -> None:
    retry_when = make_retry_policy(Settings(max_retries=8))
    assert retry_when(7, TransientError("LinkedIn answered 503"))
    assert not retry_when(8, TransientError("LinkedIn answered 503"))
    assert not retry_when(0, PermanentError("job 'J-1' is not published"))


def test_a_deadlock_the_driver_raises_itself_is_retried_not_dead_lettered_as_a_defect() -> None:
    # The chaos suite found it: filing match keys with COPY on the driver's connection deadlocked with
    # a concurrent delete of the same candidate's keys, and the driver's own DeadlockDetected (which
    # SQLAlchemy never wrapped) dead-lettered the message at once as an unexpected error.
    deadlock = psycopg.errors.DeadlockDetected("deadlock detected")
    assert is_transient(deadlock)
    assert make_retry_policy(Settings(max_retries=8))(0, deadlock)
    assert is_transient(psycopg.errors.UniqueViolation("duplicate key value"))
    code, _ = reason_of(deadlock, attempts=9)
    assert code == "retries_exhausted"
    assert not is_transient(psycopg.errors.SyntaxError("a defect stays a defect"))
