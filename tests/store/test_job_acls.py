"""Job ACLs as LinkedIn holds them, on both stores: replaced whole, sorted, forgotten per job."""

from __future__ import annotations

from store.db import Store
from store.uow import UnitOfWork


def test_an_acl_is_held_as_last_synced_and_forgotten_per_job(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.job_acls.synced("J-1", ["urn:li:person:b", "urn:li:person:a"])
        uow.job_acls.synced("J-2", ["urn:li:person:a"])
        uow.job_acls.synced("J-3", None)  # LinkedIn holds none: nothing to remember
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.job_acls.job_ids() == ["J-1", "J-2"]
        assert uow.job_acls.held(["J-1", "J-3"]) == {"J-1": ["urn:li:person:a", "urn:li:person:b"]}
        uow.job_acls.synced("J-1", ["urn:li:person:c"])
        uow.job_acls.synced("J-2", None)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.job_acls.held(["J-1", "J-2"]) == {"J-1": ["urn:li:person:c"]}
        uow.job_acls.forget(["J-1"])
        uow.job_acls.forget([])
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.job_acls.job_ids() == []


def test_a_tenant_sees_only_its_own_acls(store: Store) -> None:
    with UnitOfWork("other", store) as uow:
        uow.job_acls.synced("J-1", ["urn:li:person:a"])
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.job_acls.held(["J-1"]) == {}
