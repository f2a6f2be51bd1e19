"""What a worker refuses before any handler runs: an event for a tenant that does not exist, and an
event over ``RSC_MAX_EVENT_BYTES``. Both are permanent: dead-lettered at once with their own reason."""

from __future__ import annotations

from typing import Any

import pytest

from rsc.errors import is_transient, reason_of
from rsc.settings import reset_settings
from store.db import get_store
from store.uow import UnitOfWork
from tests.fakes import FakePublisher
from tests.helpers import create_tenant
from workers import actors


def candidate_event(tenant: str, **data: Any) -> dict[str, Any]:
    return {
        "type": "ats.candidate.created.v1",
        "id": "c-1",
        "source": "ats://t",
        "tenant": tenant,
        "data": {"candidate_id": "C-1", "first_name": "Ada", "created_at": "2026-01-01T00:00:00Z",
                 "modified_at": "2026-01-01T00:00:00Z", **data},
    }  # fmt: skip


def refusal(exc: BaseException) -> str:
    assert not is_transient(exc)
    code, _ = reason_of(exc, attempts=1)
    return code


def test_an_event_for_an_unknown_tenant_is_refused_and_nothing_is_stored(sqlite_url: str) -> None:
    with pytest.raises(Exception) as refused:
        actors.apply_candidate_event.fn(event=candidate_event("nobody"))
    assert refusal(refused.value) == "unknown_tenant"
    assert "rsc tenant create" in str(refused.value)
    with UnitOfWork("nobody", get_store()) as uow:
        assert uow.candidates.get("C-1") is None


def test_a_tenant_created_after_a_refusal_is_served_at_once(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = FakePublisher()  # the stored candidate's match is sent on through it
    monkeypatch.setattr("workers.runtime.wiring.get_publisher", lambda _settings: publisher)
    with pytest.raises(Exception):
        actors.apply_candidate_event.fn(event=candidate_event("late"))
    assert publisher.messages == []
    create_tenant("late")
    actors.apply_candidate_event.fn(event=candidate_event("late"))
    with UnitOfWork("late", get_store()) as uow:
        assert uow.candidates.get("C-1") is not None
    assert [body["actor_name"] for body in publisher.bodies()] == ["match_candidate"]


def test_an_event_over_the_size_limit_is_refused_before_it_is_parsed(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSC_MAX_EVENT_BYTES", "4096")
    reset_settings()
    create_tenant("acme")
    with pytest.raises(Exception) as refused:
        actors.apply_candidate_event.fn(event=candidate_event("acme", current_title="x" * 5_000_000))
    assert refusal(refused.value) == "event_too_large"
    assert "RSC_MAX_EVENT_BYTES" in str(refused.value)
    with UnitOfWork("acme", get_store()) as uow:
        assert uow.candidates.get("C-1") is None
