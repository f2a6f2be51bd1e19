"""Batch calls as LinkedIn wants them: chunks of at most 100 sent one after another, then only the keys
that failed transiently sent again, a bounded number of rounds with a growing pause."""

from __future__ import annotations

from linkedin.batching import KEY_RETRIES, KEY_RETRY_BACKOFF_S, parse_simple_batch_response, retry_failed_keys
from linkedin.restli import BatchResult


class FlakyLinkedIn:
    """Answers each key ok, except those that fail transiently for their first ``failing`` sends."""

    def __init__(self, failing: dict[str, int]) -> None:
        self.failing = dict(failing)
        self.calls: list[list[str]] = []

    def send(self, ids: list[str]) -> BatchResult:
        self.calls.append(list(ids))
        result = BatchResult()
        for key in ids:
            if self.failing.get(key, 0) > 0:
                self.failing[key] -= 1
                result.failed[key] = (503, "try again")
            else:
                result.ok[key] = {"status": 200}
        return result


def test_ids_go_in_sequential_chunks_of_at_most_100() -> None:
    linkedin = FlakyLinkedIn({})
    ids = [f"C-{i:03}" for i in range(250)]
    result = retry_failed_keys(ids, linkedin.send, sleep=lambda _: None)
    assert [len(call) for call in linkedin.calls] == [100, 100, 50]
    assert sorted(result.ok) == ids and not result.failed


def test_only_failed_keys_are_sent_again_after_a_growing_pause() -> None:
    linkedin = FlakyLinkedIn({"C-2": 1, "C-3": 2})
    pauses: list[float] = []
    result = retry_failed_keys(["C-1", "C-2", "C-3"], linkedin.send, sleep=pauses.append)
    assert linkedin.calls == [["C-1", "C-2", "C-3"], ["C-2", "C-3"], ["C-3"]]
    assert pauses == [KEY_RETRY_BACKOFF_S, KEY_RETRY_BACKOFF_S * 2]
    assert set(result.ok) == {"C-1", "C-2", "C-3"} and not result.failed


def test_a_key_that_keeps_failing_is_given_up_after_the_last_round() -> None:
    linkedin = FlakyLinkedIn({"C-1": 10})
    result = retry_failed_keys(["C-1"], linkedin.send, sleep=lambda _: None)
    assert len(linkedin.calls) == 1 + KEY_RETRIES
    assert result.failed == {"C-1": (503, "try again")}


def test_plain_ids_are_their_own_entity_keys() -> None:
    body = {"results": {"S1": {"status": 204}}, "errors": {"S2": {"status": 422, "message": "bad stage"}}}
    result = parse_simple_batch_response(body, ["S1", "S2"])
    assert set(result.ok) == {"S1"}
    assert result.rejected["S2"][0] == 422
