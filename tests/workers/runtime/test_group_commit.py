"""Group commit: the items worker threads submit together run in one group, each gets its own outcome."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Sequence

import pytest

from workers.runtime.group_commit import GroupCommit, Submitted

WHO: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")


class Recorder:
    """Doubles each item, fails the item -1, and records the groups it ran."""

    def __init__(self, pause_s: float = 0.0) -> None:
        self.groups: list[list[int]] = []
        self.pause_s = pause_s
        self.seen_as: dict[int, str] = {}

    def __call__(self, group: Sequence[Submitted[int]]) -> list[int | BaseException]:
        self.groups.append([s.item for s in group])
        time.sleep(self.pause_s)
        outcomes: list[int | BaseException] = []
        for submitted in group:
            self.seen_as[submitted.item] = submitted.run(WHO.get)
            item = submitted.item
            outcomes.append(ValueError(f"item {item}") if item < 0 else item * 2)
        return outcomes


def submit_from_threads(commit: GroupCommit[int, int], items: list[int]) -> dict[int, int | BaseException]:
    results: dict[int, int | BaseException] = {}
    start = threading.Barrier(len(items))

    def worker(item: int) -> None:
        WHO.set(f"thread of {item}")
        start.wait()
        try:
            results[item] = commit.submit(item)
        except ValueError as exc:
            results[item] = exc

    threads = [threading.Thread(target=worker, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return results


def test_a_lone_item_runs_at_once_in_a_group_of_its_own() -> None:
    run = Recorder()
    assert GroupCommit(run).submit(21) == 42
    assert run.groups == [[21]]


def test_items_submitted_together_share_groups_and_each_gets_its_own_outcome() -> None:
    run = Recorder(pause_s=0.05)  # while one group runs, the others arrive and wait together
    items = [*range(1, 16), -1]
    results = submit_from_threads(GroupCommit(run, max_batch=8), items)
    assert {item: results[item] for item in range(1, 16)} == {item: item * 2 for item in range(1, 16)}
    assert isinstance(results[-1], ValueError) and str(results[-1]) == "item -1"
    assert sorted(item for group in run.groups for item in group) == sorted(items)  # each ran once
    assert len(run.groups) < len(items)  # some shared a group
    assert max(len(group) for group in run.groups) <= 8
    # Each item ran in the context of the thread that submitted it, whichever thread ran the group.
    assert run.seen_as == {item: f"thread of {item}" for item in items}


def test_a_group_that_fails_as_a_whole_fails_each_of_its_items_and_the_next_group_runs() -> None:
    calls: list[list[int]] = []

    def fails_once(group: Sequence[Submitted[int]]) -> list[int | BaseException]:
        calls.append([s.item for s in group])
        if len(calls) == 1:
            raise RuntimeError("the group's transaction failed")
        return [s.item * 2 for s in group]

    commit: GroupCommit[int, int] = GroupCommit(fails_once)
    with pytest.raises(RuntimeError, match="the group's transaction failed"):
        commit.submit(1)
    assert commit.submit(2) == 4  # nothing was left holding the turn
    assert calls == [[1], [2]]


def test_a_run_that_loses_an_outcome_fails_the_group_instead_of_leaving_a_thread_waiting() -> None:
    def short(group: Sequence[Submitted[int]]) -> Sequence[int | BaseException]:
        return [s.item for s in group][1:]

    with pytest.raises(RuntimeError, match="returned 0 outcomes"):
        GroupCommit(short).submit(1)


def test_a_group_s_then_runs_once_the_next_group_may_start_and_gives_the_outcomes() -> None:
    in_then, second_ran = threading.Event(), threading.Event()

    def run(group: Sequence[Submitted[int]]) -> list[int | BaseException]:
        if any(s.item == 2 for s in group):
            second_ran.set()
        return [s.item * 2 for s in group]

    def then(
        group: Sequence[Submitted[int]], outcomes: Sequence[int | BaseException]
    ) -> list[int | BaseException]:
        if any(s.item == 1 for s in group):
            in_then.set()
            # The next group runs meanwhile (a group's sends do not hold up the next commit).
            assert second_ran.wait(timeout=5)
        return [outcome + 1 for outcome in outcomes if isinstance(outcome, int)]

    commit: GroupCommit[int, int] = GroupCommit(run, then=then)
    results: dict[int, int] = {}
    first = threading.Thread(target=lambda: results.__setitem__(1, commit.submit(1)))
    first.start()
    assert in_then.wait(timeout=5)
    assert commit.submit(2) == 5
    first.join(timeout=10)
    assert results == {1: 3}


def test_a_then_that_fails_fails_each_item_of_its_group() -> None:
    def then(
        group: Sequence[Submitted[int]], outcomes: Sequence[int | BaseException]
    ) -> Sequence[int | BaseException]:
        if any(s.item == 1 for s in group):
            raise ValueError("the group's sends failed")
        return outcomes

    commit: GroupCommit[int, int] = GroupCommit(Recorder(), then=then)
    with pytest.raises(ValueError, match="sends failed"):
        commit.submit(1)
    assert commit.submit(2) == 4  # the next group runs
