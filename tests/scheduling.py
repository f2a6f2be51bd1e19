"""How ``pytest -n N`` (pytest-xdist) hands the tests to its workers: the longest first.

A handful of tests run for minutes (whole pipelines of processes, the chaos suite, a property test
over PostgreSQL) and the other ~680 for well under a second. pytest-xdist's ``load`` scheduling
hands out tests in collection order, in chunks: the long tests end up queued behind each other on
one worker, or started last, and the run waits minutes for the one worker still busy. This
scheduler keeps xdist's protocol (each worker holds the test it runs and one more, so it knows its
next test) and chooses which test goes where:

- a worker with no long test in hand gets the longest test left;
- a worker already holding a long test gets the shortest one left, which waits behind it;
- no more than ``MAX_PIPELINES`` end-to-end tests are handed out at once while other tests are left
  (their connections to the shared PostgreSQL server); a worker is never left idle for it: once only
  end-to-end tests are left, the pipelines' own slots (``tests.e2e.pipeline.PipelineSlot``) make the
  surplus ones wait their turn.

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

from tests.e2e.pipeline import PIPELINE_SLOTS

#: Seconds the longest tests took under ``make test`` (4 workers on the 2-core machine, nothing else
#: running, measured 2026-12-07 with ``--durations``, a long setup included). Beside each other they
#: take up to four times what each takes alone (the erasure property over PostgreSQL 36 s alone and
#: 141 s there): the durations to order by. A test not listed gets its directory's estimate.
LONGEST: dict[str, float] = {
    "tests/e2e/test_backfill_kills.py::test_five_sigkills_during_a_backfill_leave_every_record_once": 183,
    "tests/e2e/test_status_sync.py::"
    "test_with_a_fifth_of_answers_failing_and_the_real_limit_nothing_is_lost_and_the_limit_holds": 152,
    "tests/chaos/test_chaos.py::test_chaos_the_store_and_linkedin_equal_the_oracle": 152,
    "tests/workers/deletion_cascade/test_erasure_property.py::"
    "test_deleted_people_leave_nothing_behind_and_late_events_do_not_bring_them_back[postgresql]": 142,
    "tests/e2e/test_status_sync.py::test_linkedin_ends_with_the_ats_final_state_and_every_stage_history": 45,
    "tests/e2e/test_crash_recovery.py::"
    "test_sigkill_in_the_middle_of_500_exports_loses_and_duplicates_nothing": 74,
    "tests/bench/test_isolation.py::test_a_small_isolation_run_measures_both_tenants_in_every_phase": 60,
    "tests/e2e/test_privacy_flow.py::"
    "test_deleted_people_vanish_everywhere_and_no_log_line_holds_personal_data": 41,
    "tests/e2e/test_bad_inputs.py::test_each_bad_input_has_a_visible_outcome": 31,
    "tests/e2e/test_demo.py::test_rsc_demo_shows_an_export_arrive_in_the_store_and_in_linkedin": 29,
    "tests/workers/deletion_cascade/test_erasure_property.py::"
    "test_deleted_people_leave_nothing_behind_and_late_events_do_not_bring_them_back[sqlite]": 23,
    "tests/e2e/test_metrics.py::test_every_family_is_scraped_with_labels_that_carry_no_personal_data": 23,
    "tests/events/dead_letters/test_archive.py::"
    "test_an_expired_dead_letter_is_listed_and_replayed_from_the_archive": 23,
    "tests/bench/test_report.py::test_quick_report_on_sqlite": 22,
}

#: Estimates of the tests not in ``LONGEST``, by the start of their id: processes to start and stop.
BY_PREFIX: tuple[tuple[str, float], ...] = (
    ("tests/e2e/", 30.0),
    ("tests/workers/historical_backfill/test_backfill.py", 20.0),
    ("tests/sandbox/test_process.py", 3.0),
    ("tests/events/dead_letters/", 2.0),
)

#: The estimate of every other test.
DEFAULT_S = 0.2

#: A worker holding a test estimated at this many seconds or more gets a short one as its next.
LONG_S = 5.0

#: Tests that run the pipeline's processes on the shared PostgreSQL server. One holds up to about 25
#: of its connections (every worker thread, the scheduler, the ingress, the CLI), and the server
#: allows 100 by default: three or four of them at once (with other sessions on the server) ran it
#: out of connections ("too many clients already").
PIPELINES = ("tests/e2e/",)

#: At most this many of them are handed out at once, while other tests are left to hand out.
MAX_PIPELINES = PIPELINE_SLOTS


def is_pipeline(nodeid: str) -> bool:
    return nodeid.startswith(PIPELINES)


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
        self._pipelines: list[bool] = []

    def _send_tests(self, node: WorkerController, num: int) -> None:
        assert self.collection is not None
        if len(self._estimates) != len(self.collection):
            self._estimates = [estimate(nodeid) for nodeid in self.collection]
            self._pipelines = [is_pipeline(nodeid) for nodeid in self.collection]
        held = self.node2pending[node]
        chosen: list[int] = []
        for _ in range(num):
            if not self.pending:
                break
            behind_a_long_test = any(self._estimates[i] >= LONG_S for i in (*held, *chosen))
            handed_out = [*(i for pending in self.node2pending.values() for i in pending), *chosen]
            pipelines_full = sum(self._pipelines[i] for i in handed_out) >= MAX_PIPELINES
            position = self._pick(self.pending, shortest=behind_a_long_test, pipelines=not pipelines_full)
            chosen.append(self.pending.pop(position))
        if chosen:
            held.extend(chosen)
            node.send_runtest_some(chosen)

    def _pick(self, pending: Sequence[int], *, shortest: bool, pipelines: bool) -> int:
        """The position in ``pending`` of its shortest (or longest) test, the earliest of equals; no
        pipeline test unless ``pipelines`` or nothing else is left (a worker never waits idle)."""
        candidates = [p for p, i in enumerate(pending) if pipelines or not self._pipelines[i]]
        best = candidates[0] if candidates else 0
        for position in candidates or range(len(pending)):
            here, there = self._estimates[pending[position]], self._estimates[pending[best]]
            if (here < there) if shortest else (here > there):
                best = position
        return best
