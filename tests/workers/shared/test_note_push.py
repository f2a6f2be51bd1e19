"""ATS notes as LinkedIn takes them, under the candidate or the application they are about, and only
once LinkedIn holds that parent; on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

from rsc.settings import get_settings
from store.ats_notes import AtsNote
from store.base import to_ms
from store.db import Store
from store.linkedin_sync import Resource
from store.uow import UnitOfWork
from tests import ats_events as ats
from workers.shared.note_push import build_notes, note_body, parent_of
from workers.status_push.ats_notes import handle_note_event

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def ats_note(**fields: object) -> AtsNote:
    values: dict[str, object] = {
        "id": "N-1",
        "candidate_id": "C-1",
        "text": "Strong systems background",
        **fields,
    }
    return AtsNote(tenant_id="acme", created_at=T0, modified_at=T1, source_modified_ms=0, **values)


def test_a_note_body_carries_its_times_text_and_an_author_with_both_names() -> None:
    assert note_body(ats_note(author_first_name="Rita", author_last_name="Recruiter")) == {
        "atsCreatedAt": to_ms(T0),
        "atsLastModifiedAt": to_ms(T1),
        "note": "Strong systems background",
        "author": {"firstName": "Rita", "lastName": "Recruiter"},
    }
    assert "author" not in note_body(ats_note(author_first_name="Rita"))
    assert "note" not in note_body(ats_note(text=None))


def test_a_note_lives_under_its_application_if_it_has_one_else_under_its_candidate() -> None:
    assert parent_of(ats_note()) == (Resource.CANDIDATE, "C-1")
    assert parent_of(ats_note(application_id="A-1")) == (Resource.APPLICATION, "A-1")


def test_a_note_waits_until_linkedin_holds_its_parent(store: Store) -> None:
    handle_note_event(ats.note("N-1"), UnitOfWork("acme", store))  # type: ignore[arg-type]
    handle_note_event(ats.note("N-2", application_id="A-1"), UnitOfWork("acme", store))  # type: ignore[arg-type]
    with UnitOfWork("acme", store) as uow:
        bodies, invalid, waiting = build_notes(uow, {"N-1": 1, "N-2": 1, "N-9": 1}, get_settings())
    assert bodies == {}
    assert invalid == {"N-9": "the note no longer exists in the store"}
    assert {note_id: (w.code, w.what) for note_id, w in waiting.items()} == {
        "N-1": ("waiting_for_parent_push", "its candidate 'C-1' to reach LinkedIn"),
        "N-2": ("waiting_for_parent_push", "its application 'A-1' to reach LinkedIn"),
    }
