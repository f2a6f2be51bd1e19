"""An actor's door: one keyword argument ``event`` holding an event of its route's types, under the
size limit; anything else is an invalid event, refused for good before a handler runs."""

from __future__ import annotations

import pytest

from rsc.errors import is_transient
from rsc.settings import reset_settings
from schemas.ats import CandidateCreated, JobPublished
from schemas.catalog import InvalidEvent
from tests import ats_events as ats
from workers.runtime.declare import decode
from workers.status_push.actors import apply_job_event

JOB = ats.job("J-1").model_dump(mode="json")


def test_decode_returns_the_typed_event_its_actor_accepts() -> None:
    event = decode((), {"event": JOB}, (JobPublished,))
    assert isinstance(event, JobPublished)
    assert event.data.job_id == "J-1"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("x",), {"event": JOB}, "expected exactly one keyword argument 'event'"),
        ((), {"event": JOB, "extra": 1}, "expected exactly one keyword argument 'event'"),
        ((), {"body": JOB}, "expected exactly one keyword argument 'event'"),
        ((), {"event": JOB}, "unknown event type 'ats.job.published.v1' for this actor"),
    ],
)
def test_decode_refuses_a_malformed_message_or_a_foreign_event(
    args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidEvent, match=message) as refused:
        decode(args, kwargs, (CandidateCreated,))
    assert not is_transient(refused.value)


def test_an_event_over_the_size_limit_is_refused_by_the_declared_actor(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_MAX_EVENT_BYTES", "200")
    reset_settings()
    with pytest.raises(InvalidEvent, match="the message's event"):
        apply_job_event.fn(event=JOB)
