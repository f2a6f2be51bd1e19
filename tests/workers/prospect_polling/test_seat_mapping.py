"""Seat mapping under concurrency, on both stores: a user stored while a seat refresh stores the
user's seat is connected to it whichever transaction commits first."""

from __future__ import annotations

import threading

from rsc.settings import get_settings
from schemas.ats import UserSnapshot
from store.db import Store
from store.uow import UnitOfWork
from tests.helpers import add_contract, create_tenant
from tests.workers.support import CONTRACT, T0, TENANT
from workers.prospect_polling.items import SeatReading
from workers.prospect_polling.seat_mapping import reconcile, remember_seat

SEAT = "urn:li:seat:601"
#: How long the seat refresh is given to run into the user's open transaction.
OVERLAP_S = 1.0


def _seat_refresh(store: Store, done: threading.Event) -> None:
    """What ``refresh_seats`` does once seatsV2 answered: store the seat, commit, then reconcile."""
    settings = get_settings()
    uow = UnitOfWork(TENANT, store)
    with uow:
        remember_seat(
            uow,
            SeatReading(
                urn=SEAT,
                contract=CONTRACT,
                member=None,
                first_name="Uma",
                last_name="Recruiter",
                email="uma@acme.example",
                state="ACTIVE",
            ),
        )
        uow.commit()
    with uow:
        reconcile(uow, settings=settings)
        uow.commit()
    done.set()


def test_a_user_stored_while_its_seat_is_refreshed_is_connected_to_it(store: Store) -> None:
    """The user's transaction has stored the user and reconciled (no seat yet) but not committed when
    the seat refresh stores the seat and reconciles. Unserialised, each missed the other's row and
    the seat stayed unconnected, so it was never polled until the next refresh."""
    create_tenant(TENANT)
    add_contract(TENANT, CONTRACT, store=store)
    settings = get_settings()
    done = threading.Event()
    refresh = threading.Thread(target=_seat_refresh, args=(store, done))
    uow = UnitOfWork(TENANT, store)
    with uow:
        uow.users.apply(
            UserSnapshot(
                user_id="uma",
                first_name="Uma",
                last_name="Recruiter",
                email="uma@acme.example",
                created_at=T0,
                modified_at=T0,
            )
        )
        assert not reconcile(uow, settings=settings).connected
        refresh.start()
        # The refresh waits for this transaction (SQLite: its seat's write; PostgreSQL: the mapping's
        # lock) instead of reconciling without the user.
        assert not done.wait(OVERLAP_S)
        uow.commit()
    refresh.join(timeout=30)
    assert done.is_set()
    with UnitOfWork(TENANT, store) as check:
        seat = check.seats.get(SEAT)
        assert seat is not None
        assert seat.user_id == "uma"
        assert [s.urn for s in check.seats.mapped()] == [SEAT]
        assert check.poll_cursors.seat(SEAT) is not None
