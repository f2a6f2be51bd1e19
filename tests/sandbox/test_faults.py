"""Fault injection: dice decided per call on the faulted paths only, storms that throttle everything
for a while, and switches that are named and bounded."""

from __future__ import annotations

import pytest

from sandbox.config import FaultSettings
from sandbox.faults import Fault, Faults


def test_rates_of_one_always_fault_and_only_on_the_faulted_paths() -> None:
    faults = Faults(FaultSettings(error_rate=1.0, path_prefix="/v2/atsCandidates"), seed=1)
    assert faults.decide("/v2/atsCandidates") is Fault.ERROR
    assert faults.decide("/v2/simpleJobPostings") is None
    assert faults.error_status() in (500, 503)
    faults.update({"error_rate": 0, "drop_rate": 1})
    assert faults.decide("/v2/atsCandidates") is Fault.DROP


def test_no_faults_by_default_and_a_storm_throttles_until_it_ends() -> None:
    faults = Faults(FaultSettings(), seed=1)
    path = faults.settings.path_prefix + "atsCandidates"
    assert {faults.decide(path) for _ in range(100)} == {None}
    faults.update({"storm_s": 30})
    assert faults.decide(path) is Fault.THROTTLE
    assert 29 < faults.view()["storm_remaining_s"] <= 30
    faults.clear()
    assert faults.decide(path) is None and faults.view()["storm_remaining_s"] == 0


def test_the_same_seed_rolls_the_same_dice() -> None:
    rolls = [
        [
            Faults(FaultSettings(error_rate=0.5), seed=7).decide(FaultSettings().path_prefix + "x")
            for _ in range(1)
        ]
        for _ in range(2)
    ]
    assert rolls[0] == rolls[1]


def test_an_unknown_switch_or_a_rate_outside_zero_to_one_is_refused() -> None:
    faults = Faults(FaultSettings())
    with pytest.raises(KeyError, match="unknown fault switch 'eror_rate'; known: storm_s"):
        faults.update({"eror_rate": 0.1})
    with pytest.raises(ValueError, match="is a fraction between 0 and 1"):
        faults.update({"error_rate": 2})
