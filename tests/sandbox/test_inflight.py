"""Batches in flight per app and endpoint family: a batch that starts while another of the same app and
family is served sees it; other apps and families do not count."""

from __future__ import annotations

from sandbox.inflight import InFlightBatches


def test_a_batch_sees_the_ones_still_in_flight_for_its_app_and_family() -> None:
    batches = InFlightBatches()
    assert batches.enter("acme", "atsCandidates") == 0
    assert batches.enter("acme", "atsCandidates") == 1  # sent before the first was answered
    assert batches.enter("acme", "atsJobApplications") == 0
    assert batches.enter("globex", "atsCandidates") == 0
    batches.leave("acme", "atsCandidates")
    batches.leave("acme", "atsCandidates")
    assert batches.enter("acme", "atsCandidates") == 0
    batches.leave("nobody", "atsCandidates")  # a leave without an enter is harmless
    assert batches.enter("nobody", "atsCandidates") == 0
