"""The batch-turn benchmark's claim, checked small on both stores: with turns, two processes' batches
to one app and family never overlap at LinkedIn; without them they do."""

from __future__ import annotations

from bench.batch_turns import contended, uncontended
from store.db import Store


def test_with_turns_no_two_batches_overlap_and_without_them_some_do(store: Store) -> None:
    taking_turns = contended(store, calls=16, latency_s=0.02, turns=True)
    assert (taking_turns["calls"], taking_turns["overlapping"]) == (16, 0)
    all_at_once = contended(store, calls=16, latency_s=0.02, turns=False)
    assert all_at_once["calls"] == 16 and all_at_once["overlapping"] > 0


def test_an_uncontended_call_costs_a_positive_time(store: Store) -> None:
    assert uncontended(store, 5, turns=True) > 0
