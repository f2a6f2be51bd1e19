"""The dialect-aware INSERT ... ON CONFLICT statements every idempotent write is built on, on both
stores: insert-or-ignore, and insert-or-update-only-when-newer (ordered by modified time, then revision)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from store.base import utcnow
from store.db import Store
from store.job_acls import JobAcl
from store.uow import UnitOfWork
from store.upsert import insert_ignore, json_row, upsert_newer
from store.users import AtsUser

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
KEY = ("tenant_id", "id")
ORDER = ("source_modified_ms", "source_revision")


def user(first_name: str, modified_ms: int, revision: int = 0) -> dict[str, object]:
    return {
        "tenant_id": "acme", "id": "u-1", "first_name": first_name, "active": True,
        "notify_collaboration_email": True, "source_modified_ms": modified_ms, "source_revision": revision,
        "stored_at": utcnow(),
    }  # fmt: skip


def test_insert_ignore_inserts_a_key_once(store: Store) -> None:
    row = {"tenant_id": "acme", "job_id": "J-1", "assignees": ["urn:li:person:a"]}
    with UnitOfWork("acme", store) as uow:
        assert insert_ignore(uow.session, JobAcl.__table__, row, key=("tenant_id", "job_id"))
        assert not insert_ignore(
            uow.session, JobAcl.__table__, {**row, "assignees": []}, key=("tenant_id", "job_id")
        )
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.job_acls.held(["J-1"]) == {"J-1": ["urn:li:person:a"]}


def test_only_a_newer_row_updates_by_time_then_revision(store: Store) -> None:
    table = AtsUser.__table__
    with UnitOfWork("acme", store) as uow:
        assert upsert_newer(uow.session, table, user("Rita", 100), key=KEY, order=ORDER)
        assert not upsert_newer(uow.session, table, user("Same", 100), key=KEY, order=ORDER)
        assert not upsert_newer(uow.session, table, user("Older", 99, revision=5), key=KEY, order=ORDER)
        assert upsert_newer(uow.session, table, user("Revised", 100, revision=1), key=KEY, order=ORDER)
        assert upsert_newer(
            uow.session, table, user("Other column", 200, 7), key=KEY, order=ORDER, update=["source_revision"]
        )
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        stored = uow.session.execute(
            select(AtsUser.first_name, AtsUser.source_modified_ms, AtsUser.source_revision)
        ).one()
    # The last write was newer and updated only the column it named.
    assert tuple(stored) == ("Revised", 100, 7)


def test_a_json_row_fills_defaults_and_writes_times_as_iso_8601() -> None:
    row = json_row(JobAcl.__table__, {"tenant_id": "acme", "job_id": "J-1", "assignees": []})
    assert set(row) == {c.name for c in JobAcl.__table__.c}
    stamped = json_row(AtsUser.__table__, {"tenant_id": "acme", "id": "u-1", "stored_at": T0})
    assert stamped["stored_at"] == "2026-05-01T09:00:00+00:00"
    assert stamped["notify_collaboration_email"] is True
