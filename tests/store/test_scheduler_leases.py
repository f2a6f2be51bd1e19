"""The scheduler lease on SQLite and PostgreSQL alike: one holder at a time, renewed, run out, given up."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import update

from store.base import utcnow
from store.db import Store
from store.scheduler_leases import SchedulerLease, acquire, holder_of, release
from workers.scheduler import Leadership

LEASE = timedelta(seconds=5)


def take(store: Store, holder: str) -> bool:
    with store.session(None) as session:
        held = acquire(session, holder, LEASE)
        session.commit()
    return held


def run_out(store: Store) -> None:
    with store.session(None) as session:
        session.execute(update(SchedulerLease).values(lease_until=utcnow() - timedelta(seconds=1)))
        session.commit()


def test_one_scheduler_holds_the_lease_until_it_runs_out_and_then_another_takes_it(store: Store) -> None:
    assert take(store, "a")
    assert not take(store, "b")  # a holds it
    assert take(store, "a")  # a renews it
    run_out(store)  # a died: it was not renewed
    assert take(store, "b")
    assert not take(store, "a")  # a woke up: it stands by now
    with store.session(None) as session:
        held = holder_of(session)
    assert held is not None and held[0] == "b"


def test_a_released_lease_is_taken_at_once_by_the_next_scheduler(store: Store) -> None:
    assert take(store, "a")
    with store.session(None) as session:
        release(session, "b")  # not b's to give up: nothing happens
        session.commit()
    assert not take(store, "b")
    with store.session(None) as session:
        release(session, "a")
        session.commit()
        assert holder_of(session) is None
    assert take(store, "b")


def test_of_many_schedulers_contending_at_once_exactly_one_leads(store: Store) -> None:
    leads: list[bool] = []
    start = threading.Barrier(6)

    def contend(name: str) -> None:
        start.wait()
        try:
            leads.append(take(store, name))
        except Exception:  # a lost race on SQLite's write lock is a standby too
            leads.append(False)

    threads = [threading.Thread(target=contend, args=(f"s{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert leads.count(True) == 1


def test_leadership_leads_stands_by_and_gives_the_lead_up_when_it_stops(store: Store) -> None:
    first, second = Leadership(store, LEASE), Leadership(store, LEASE)
    assert first.hold() and first.leading
    assert not second.hold() and not second.leading
    first.release()
    assert second.hold()
    assert not first.hold()  # the first stands by now


def test_leadership_stands_by_while_the_database_cannot_be_reached(store: Store) -> None:
    lead = Leadership(store, LEASE)
    assert lead.hold()
    store.engine.dispose()
    broken = Store.__new__(Store)
    broken.__dict__.update(store.__dict__)

    def unreachable(_tenant: str | None) -> object:
        raise ConnectionError("database restarting")

    broken.session = unreachable  # type: ignore[method-assign, assignment]
    lead.store = broken
    assert not lead.hold() and not lead.leading
    lead.store = store  # back: the lease is still its own (or run out), so it leads again
    assert lead.hold()
