"""What the status push keeps in the store, on both stores: when a record is due, holds on records
waiting for another one, one sweep per tenant, and which stages LinkedIn has."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from schemas.ats import StageTransition
from store.base import utcnow
from store.db import Store
from store.linkedin_sync import Resource, SyncState, tenants_with_due_records
from store.sweep_leases import SweepLease, SweepLeases
from store.uow import UnitOfWork
from tests.helpers import CLAIM_LEASE


def _age(store: Store, *, changed_s: float, dirty_s: float) -> None:
    """Pretend the record last changed ``changed_s`` ago and has been dirty for ``dirty_s``."""
    now = utcnow()
    with UnitOfWork("acme", store) as uow:
        uow.session.execute(
            update(SyncState).values(
                changed_at=now - timedelta(seconds=changed_s), dirty_since=now - timedelta(seconds=dirty_s)
            )
        )
        uow.commit()


def test_a_record_that_keeps_changing_is_due_after_the_max_wait(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.outbox.mark_changed(Resource.APPLICATION, "A-1")
        uow.commit()
    _age(store, changed_s=0.1, dirty_s=50)
    # Windows far longer than a loaded machine can stall between the ageing and the checks.
    quiet, max_wait = timedelta(seconds=60), timedelta(seconds=100)
    with store.session(None) as session:
        assert (
            tenants_with_due_records(session, [Resource.APPLICATION], quiet_for=quiet, max_wait=max_wait)
            == []
        )
    with UnitOfWork("acme", store) as uow:
        assert (
            uow.outbox.claim(Resource.APPLICATION, lease=CLAIM_LEASE, quiet_for=quiet, max_wait=max_wait)
            == {}
        )
        uow.commit()
    _age(store, changed_s=0.1, dirty_s=101)
    with store.session(None) as session:
        assert tenants_with_due_records(
            session, [Resource.APPLICATION], quiet_for=quiet, max_wait=max_wait
        ) == ["acme"]
    with UnitOfWork("acme", store) as uow:
        assert uow.outbox.claim(
            Resource.APPLICATION, lease=CLAIM_LEASE, quiet_for=quiet, max_wait=max_wait
        ) == {"A-1": 1}
        uow.commit()


def test_a_record_released_to_wait_for_another_is_held_that_long(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.outbox.mark_changed(Resource.APPLICATION, "A-1")
        assert uow.outbox.claim(Resource.APPLICATION, lease=CLAIM_LEASE) == {"A-1": 1}
        uow.outbox.release(Resource.APPLICATION, ["A-1"], "waiting", retry_in=timedelta(seconds=30))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.outbox.claim(Resource.APPLICATION, lease=CLAIM_LEASE) == {}
        state = uow.outbox.state(Resource.APPLICATION, "A-1")
        assert state is not None and state.last_error == "waiting"
        uow.outbox.release(Resource.APPLICATION, ["A-1"], "LinkedIn unavailable")
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.outbox.claim(Resource.APPLICATION, lease=CLAIM_LEASE) == {"A-1": 1}


def test_one_sweep_per_tenant_holds_the_lease_until_it_ends_or_expires(store: Store) -> None:
    minute = timedelta(seconds=60)
    with UnitOfWork("acme", store) as uow:
        leases = SweepLeases(uow.session, "acme")
        assert leases.acquire("first", minute)
        assert not leases.acquire("second", minute)
        assert leases.acquire("first", minute)  # renewing
        uow.commit()
    with UnitOfWork("globex", store) as uow:
        assert SweepLeases(uow.session, "globex").acquire("second", minute)  # another tenant
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        SweepLeases(uow.session, "acme").release("second")  # not its lease: nothing happens
        assert not SweepLeases(uow.session, "acme").acquire("second", minute)
        uow.session.execute(update(SweepLease).values(lease_until=datetime(2020, 1, 1, tzinfo=UTC)))
        assert SweepLeases(uow.session, "acme").acquire("second", minute)  # the first one died
        SweepLeases(uow.session, "acme").release("second")
        assert SweepLeases(uow.session, "acme").acquire("third", minute)
        uow.commit()


def test_stages_linkedin_confirmed_are_not_sent_again(store: Store) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with UnitOfWork("acme", store) as uow:
        for i, status in enumerate(["New", "Screen", "Offer"]):
            uow.applications.add_stage(
                "A-1",
                StageTransition(transition_id=f"T{i}", status=status, changed_at=t0 + timedelta(hours=i)),
            )
        uow.applications.add_stage("A-2", StageTransition(transition_id="T0", status="New", changed_at=t0))
        uow.applications.mark_stages_synced("A-1", ["T0", "T2"])
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert [s.transition_id for s in uow.applications.unsynced_stages("A-1")] == ["T1"]
        assert [s.transition_id for s in uow.applications.unsynced_stages("A-2")] == ["T0"]
        assert [s.status for s in uow.applications.stages("A-1")] == ["New", "Screen", "Offer"]
