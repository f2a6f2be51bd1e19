"""How ``pytest -n N`` (pytest-xdist) hands the tests to its workers: the longest first.

A handful of tests run for minutes (whole pipelines of processes, the chaos suite, a property test
over PostgreSQL) and the other ~680 for well under a second. pytest-xdist's ``load`` scheduling
hands out tests in collection order, in chunks: the long tests end up queued behind each other on
one worker, or started last, and the run waits minutes for the one worker still busy. This
scheduler keeps xdist's protocol (each worker holds the test it runs and one more, so it knows its
next test) and chooses which test goes where:

- a worker with no long test in hand gets the longest test left;
- a worker already holding a long test gets the shortest one left, which waits behind it.

So the long tests start as early as there are workers for them, each on a worker of its own, and
the short tests fill the gaps (longest processing time first). Durations are estimates, from
``LONGEST`` and from the directory of a test; they only order the tests and never change which run.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadScheduling
from xdist.workermanage import WorkerController

#: Seconds the longest tests took on the 2-core machine, run one at a time (``--durations``,
#: setup and teardown included). A test not listed here gets its directory's estimate.
LONGEST: dict[str, float] = {
    "tests/e2e/test_status_sync.py::"
    "test_with_a_fifth_of_answers_failing_and_the_real_limit_nothing_is_lost_and_the_limit_holds": 254,
    "tests/chaos/test_chaos.py::test_chaos_the_store_and_linkedin_equal_the_oracle": 171,
    "tests/e2e/test_backfill_kills.py::test_five_sigkills_during_a_backfill_leave_every_record_once": 150,
    "tests/e2e/test_status_sync.py::test_linkedin_ends_with_the_ats_final_state_and_every_stage_history": 87,
    "tests/privacy/test_erasure_property.py::"
    "test_deleted_people_leave_nothing_behind_and_late_events_do_not_bring_them_back[postgresql]": 76,
    "tests/e2e/test_crash_recovery.py::"
    "test_sigkill_in_the_middle_of_500_exports_loses_and_duplicates_nothing": 69,
    "tests/e2e/test_privacy_flow.py::"
    "test_deleted_people_vanish_everywhere_and_no_log_line_holds_personal_data": 37,
    "tests/privacy/test_erasure_property.py::"
    "test_deleted_people_leave_nothing_behind_and_late_events_do_not_bring_them_back[sqlite]": 32,
    "tests/e2e/test_metrics.py::test_every_family_is_scraped_with_labels_that_carry_no_personal_data": 30,
    "tests/test_bench_report.py::test_quick_report_on_sqlite": 29,
}

#: Estimates of the tests not in ``LONGEST``, by the start of their id: processes to start and stop.
BY_PREFIX: tuple[tuple[str, float], ...] = (
    ("tests/e2e/", 10.0),
    ("tests/chaos/test_chaos.py", 10.0),
    ("tests/lifecycle/test_backfill.py", 5.0),
    ("tests/sandbox/test_process.py", 2.0),
    ("tests/dlq/", 1.0),
)

#: The estimate of every other test.
DEFAULT_S = 0.2

#: A worker holding a test estimated at this many seconds or more gets a short one as its next.
LONG_S = 5.0


def estimate(nodeid: str) -> float:
    """Seconds ``nodeid`` is expected to take."""
    if nodeid in LONGEST:
        return LONGEST[nodeid]
    for prefix, seconds in BY_PREFIX:
        if nodeid.startswith(prefix):
            return seconds
    return DEFAULT_S


class LongestFirst(LoadScheduling):
    """xdist's ``load`` scheduling, one test at a time, the long tests first (module docstring)."""

    def __init__(self, config: pytest.Config, log: Producer | None = None) -> None:
        super().__init__(config, log)
        # One test at a time: a worker is never given a test it would queue behind a long one.
        self.maxschedchunk = 1
        self._estimates: list[float] = []

    def _send_tests(self, node: WorkerController, num: int) -> None:
        assert self.collection is not None
        if len(self._estimates) != len(self.collection):
            self._estimates = [estimate(nodeid) for nodeid in self.collection]
        held = self.node2pending[node]
        chosen: list[int] = []
        for _ in range(num):
            if not self.pending:
                break
            behind_a_long_test = any(self._estimates[i] >= LONG_S for i in (*held, *chosen))
            position = self._pick(self.pending, shortest=behind_a_long_test)
            chosen.append(self.pending.pop(position))
        if chosen:
            held.extend(chosen)
            node.send_runtest_some(chosen)

    def _pick(self, pending: Sequence[int], *, shortest: bool) -> int:
        """The position in ``pending`` of its shortest (or longest) test; the earliest of equals."""
        best = 0
        for position, index in enumerate(pending):
            here, there = self._estimates[index], self._estimates[pending[best]]
            if (here < there) if shortest else (here > there):
                best = position
        return best
