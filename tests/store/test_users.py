"""ATS users, on both stores: a newer snapshot wins, a deletion outranks any snapshot of its time, and
only present users are found by e-mail (case-folded) or member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.ats import UserSnapshot
from store.db import Store
from store.uow import UnitOfWork

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
RITA = "urn:li:person:rita"


def snapshot(user_id: str = "u-1", *, at: datetime = T0, **fields: object) -> UserSnapshot:
    values: dict[str, object] = {
        "first_name": "Rita",
        "email": "Rita@Example.com",
        "person_urn": RITA,
        **fields,
    }
    return UserSnapshot(user_id=user_id, created_at=T0, modified_at=at, **values)


def test_a_newer_snapshot_wins_and_an_older_one_changes_nothing(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        assert uow.users.apply(snapshot(at=T0 + timedelta(minutes=1), first_name="Rita"))
        assert not uow.users.apply(snapshot(at=T0, first_name="Old"))
        assert uow.users.apply(snapshot(at=T0 + timedelta(minutes=2), first_name="Margarita"))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        user = uow.users.get("u-1")
        assert user is not None and user.first_name == "Margarita" and user.is_present


def test_users_are_found_by_email_and_member_while_present(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.users.apply(snapshot("u-1"))
        uow.users.apply(snapshot("u-2", email="other@example.com", person_urn=None))
        uow.users.apply(snapshot("u-3", active=False))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert [u.id for u in uow.users.present()] == ["u-1", "u-2"]
        assert [u.id for u in uow.users.by_email("rita@example.COM")] == ["u-1"]
        assert [u.id for u in uow.users.by_person_urn(RITA)] == ["u-1"]


def test_a_deletion_outranks_a_snapshot_of_the_same_time(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.users.apply(snapshot(at=T0))
        assert uow.users.delete("u-1", T0)
        assert not uow.users.apply(snapshot(at=T0))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        user = uow.users.get("u-1")
        assert user is not None and not user.is_present
        assert uow.users.by_email("rita@example.com") == []
        assert uow.users.apply(snapshot(at=T0 + timedelta(seconds=1)))  # re-created later in the ATS
