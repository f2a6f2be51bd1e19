"""Where the prospect polls stand, on both stores: a seat's watermarks only move forward, one poll at a
time holds a cursor, a seat catches up until the contract's polls cover it, and the day's calls add up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from store.db import Store
from store.prospect_polls import SeatCursor
from store.uow import UnitOfWork

SEAT = "urn:li:seat:501"
CONTRACT = "urn:li:contract:10"
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_a_seats_watermarks_only_move_forward_and_it_catches_up_until_shared(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        cursor = uow.poll_cursors.start_seat(SEAT, CONTRACT, 1_000)
        assert uow.poll_cursors.start_seat(SEAT, CONTRACT, 9_999) is cursor  # started once
        uow.poll_cursors.advance_seat(SEAT, inmail_watermark_ms=5_000, backfill_watermark_ms=2_000)
        uow.poll_cursors.advance_seat(SEAT, inmail_watermark_ms=4_000)
        uow.poll_cursors.include_in_contract([SEAT], from_ms=3_000)
        uow.poll_cursors.include_in_contract([SEAT], from_ms=7_000)  # the first contract poll counts
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        seat = uow.poll_cursors.seat(SEAT)
        assert seat is not None
        assert (seat.inmail_watermark_ms, seat.backfill_watermark_ms, seat.shared_from_ms) == (
            5_000,
            2_000,
            3_000,
        )
        assert seat.catching_up
        uow.poll_cursors.advance_seat(SEAT, backfill_watermark_ms=3_000)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        seat = uow.poll_cursors.seat(SEAT)
        assert seat is not None and not seat.catching_up


def test_a_seat_catches_up_until_its_own_backfill_reaches_the_contracts_start() -> None:
    def seat(backfill_ms: int, shared_from_ms: int | None) -> SeatCursor:
        return SeatCursor(seat=SEAT, backfill_watermark_ms=backfill_ms, shared_from_ms=shared_from_ms)

    assert seat(9_000, None).catching_up  # no contract poll included it yet
    assert seat(2_999, 3_000).catching_up
    assert not seat(3_000, 3_000).catching_up


def test_one_poll_at_a_time_holds_a_cursor_until_it_finishes(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.poll_cursors.start_seat(SEAT, CONTRACT, 0)
        uow.poll_cursors.start_contract(CONTRACT, 0)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.poll_cursors.lease_seat(SEAT, timedelta(minutes=1)) is not None
        assert uow.poll_cursors.lease_seat(SEAT, timedelta(minutes=1)) is None
        assert uow.poll_cursors.lease_contract(CONTRACT, timedelta(minutes=1)) is not None
        assert uow.poll_cursors.lease_contract(CONTRACT, timedelta(minutes=1)) is None
        uow.poll_cursors.finish_seat(SEAT, polled_at=T0, items=0, weight=0.5)
        uow.poll_cursors.finish_seat(SEAT, polled_at=T0 + timedelta(hours=1), items=10, weight=0.5)
        uow.poll_cursors.finish_contract(CONTRACT, polled_at=T0)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        seat = uow.poll_cursors.seat(SEAT)
        assert seat is not None
        assert (seat.polls, seat.activity_per_h, seat.lease_until) == (2, 5.0, None)
        assert uow.poll_cursors.lease_seat(SEAT, timedelta(minutes=1)) is not None
        assert uow.poll_cursors.lease_contract(CONTRACT, timedelta(minutes=1)) is not None
        assert uow.poll_cursors.lease_seat("urn:li:seat:999", timedelta(minutes=1)) is None


def test_the_scheduler_marks_polls_queued_and_a_stopped_cursor_is_gone(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.poll_cursors.start_seat(SEAT, CONTRACT, 0)
        uow.poll_cursors.start_contract(CONTRACT, 0)
        uow.poll_cursors.mark_queued(seats=[SEAT], contracts=[CONTRACT], until=T0)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert [c.queued_until for c in uow.poll_cursors.seats()] == [T0]
        assert [c.queued_until for c in uow.poll_cursors.contracts()] == [T0]
        uow.poll_cursors.stop_seat(SEAT)
        uow.poll_cursors.stop_contract(CONTRACT)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert (uow.poll_cursors.seats(), uow.poll_cursors.contracts()) == ([], [])


def test_the_calls_of_a_day_add_up_per_tenant(store: Store) -> None:
    day = date(2026, 5, 1)
    with UnitOfWork("acme", store) as uow:
        uow.poll_cursors.count_calls(3, day)
        uow.poll_cursors.count_calls(4, day)
        uow.poll_cursors.count_calls(0, day)
        uow.poll_cursors.count_calls(5, day + timedelta(days=1))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.poll_cursors.calls_on(day) == 7
    with UnitOfWork("other", store) as uow:
        assert uow.poll_cursors.calls_on(day) == 0
