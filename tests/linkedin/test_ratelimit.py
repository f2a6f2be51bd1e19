"""The rate limiter's budgets live in the store: every process and host spends from the same one."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from linkedin.client import LinkedInClients
from linkedin.ratelimit import (
    RateLimited,
    RateLimiter,
    RateLimits,
    Traffic,
    budget_family,
    is_batch,
    records_of,
)
from linkedin.versions import Family
from rsc.settings import get_settings
from store.db import Store, get_store
from store.linkedin_quota import QuotaDay, QuotaSpend


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(store: Store, clock: FakeClock, **limits: float) -> RateLimiter:
    values: dict[str, float] = {"records_per_minute": 1000, "calls_per_day": 100_000, "margin": 0.0}
    values.update(limits)
    return RateLimiter(
        RateLimits(**values),  # type: ignore[arg-type]
        lambda: store,
        clock=clock,
        sleep=clock.sleep,
    )


def test_records_a_minute_are_capped_on_a_sliding_window(store: Store) -> None:
    clock = FakeClock()
    rates = limiter(store, clock)
    for _ in range(10):
        assert rates.try_acquire("acme", "atsCandidates", 100, Traffic.LIVE) is None
        clock.now += 1
    # 1,000 records in the last 60 s: the next 100 fit once the first call is a minute old.
    assert rates.try_acquire("acme", "atsCandidates", 100, Traffic.LIVE) == pytest.approx(50.0)
    clock.now += 50
    assert rates.try_acquire("acme", "atsCandidates", 100, Traffic.LIVE) is None
    # Another app has its own budget.
    assert rates.try_acquire("globex", "atsCandidates", 100, Traffic.LIVE) is None


def test_records_are_counted_across_endpoint_families(store: Store) -> None:
    clock = FakeClock()
    rates = limiter(store, clock)
    assert rates.try_acquire("acme", "atsCandidates", 600, Traffic.LIVE) is None
    assert rates.try_acquire("acme", "atsApplications", 400, Traffic.LIVE) is None
    assert rates.try_acquire("acme", "atsApplicationStages", 1, Traffic.LIVE) is not None


def test_calls_a_day_are_capped_per_endpoint_family_until_midnight_utc(store: Store) -> None:
    clock = FakeClock(now=86_400.0 * 20_000 + 86_000)  # 400 s before midnight UTC
    rates = limiter(store, clock, calls_per_day=3)
    for _ in range(3):
        assert rates.try_acquire("acme", "atsApplications", 1, Traffic.LIVE) is None
    assert rates.try_acquire("acme", "atsApplications", 1, Traffic.LIVE) == pytest.approx(400.0)
    assert rates.try_acquire("acme", "atsCandidates", 1, Traffic.LIVE) is None
    clock.now += 400
    assert rates.try_acquire("acme", "atsApplications", 1, Traffic.LIVE) is None


def test_bulk_traffic_leaves_headroom_for_live_changes(store: Store) -> None:
    clock = FakeClock()
    rates = limiter(store, clock, bulk_share=0.7)
    for _ in range(7):
        assert rates.try_acquire("acme", "atsCandidates", 100, Traffic.BULK) is None
    assert rates.try_acquire("acme", "atsCandidates", 100, Traffic.BULK) is not None
    for _ in range(3):
        assert rates.try_acquire("acme", "atsCandidates", 100, Traffic.LIVE) is None
    assert rates.try_acquire("acme", "atsCandidates", 1, Traffic.LIVE) is not None


def test_acquire_waits_for_room_or_hands_the_call_back(store: Store) -> None:
    clock = FakeClock()
    rates = limiter(store, clock)
    rates.acquire("acme", "atsCandidates", 1000, Traffic.LIVE, max_wait_s=0)
    clock.now += 30
    rates.acquire("acme", "atsCandidates", 100, Traffic.LIVE, max_wait_s=60)
    assert clock.slept == [pytest.approx(30.0)]
    with pytest.raises(RateLimited) as raised:
        rates.acquire("acme", "atsCandidates", 950, Traffic.LIVE, max_wait_s=5)
    assert raised.value.retry_after_s == pytest.approx(60.0)


def test_a_scaled_clock_shortens_the_windows(store: Store) -> None:
    clock = FakeClock()
    rates = limiter(store, clock, clock_scale=60)
    assert rates.try_acquire("acme", "atsCandidates", 1000, Traffic.LIVE) is None
    assert rates.try_acquire("acme", "atsCandidates", 1, Traffic.LIVE) == pytest.approx(1.0)


def spend_from_two_hosts(
    store: Store, limits: RateLimits, records: int
) -> tuple[list[tuple[float, int]], list[RateLimiter]]:
    """Two limiters on two engines (as two hosts would have), eight threads each asking for
    ``records`` at a time for 2 s of real time; each admission dated when its process decided it."""
    other_host = Store(store.url, keyring=store.keyring)
    decided = threading.local()

    def clock() -> float:
        # The last time a thread's admission read is when its call was admitted.
        decided.at = time.time()
        return float(decided.at)

    hosts = [
        RateLimiter(limits, lambda: store, clock=clock),
        RateLimiter(limits, lambda: other_host, clock=clock),
    ]
    admitted: list[tuple[float, int]] = []
    lock = threading.Lock()
    deadline = time.time() + 2.0

    def send(rates: RateLimiter) -> None:
        while time.time() < deadline:
            try:
                rates.acquire("acme", "atsCandidates", records, Traffic.LIVE, max_wait_s=1)
            except RateLimited:
                continue
            with lock:
                admitted.append((decided.at, records))

    threads = [threading.Thread(target=send, args=(hosts[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other_host.dispose()
    return admitted, hosts


def test_processes_on_two_hosts_never_overspend_together(store: Store) -> None:
    limits = RateLimits(records_per_minute=400, clock_scale=120, margin=0.0)  # a 0.5 s minute
    admitted, _ = spend_from_two_hosts(store, limits, 50)
    window = limits.window_s
    for start, _ in admitted:
        assert sum(n for at, n in admitted if start <= at < start + window - 0.001) <= 400
    # Saturated for 2 s at 400 records per 0.5 s: most of the budget was used.
    assert sum(n for _, n in admitted) >= 0.5 * 400 * 4


def spent_in_store(store: Store, app_id: str = "acme") -> tuple[int, int]:
    """(records in the log, calls of every day) the store holds as spent for the app."""
    with store.session(None) as session:
        records = session.scalar(
            select(func.coalesce(func.sum(QuotaSpend.records), 0)).where(QuotaSpend.app_id == app_id)
        )
        calls = session.scalar(
            select(func.coalesce(func.sum(QuotaDay.calls), 0)).where(QuotaDay.app_id == app_id)
        )
    return int(records or 0), int(calls or 0)


def test_a_lease_admits_many_calls_with_a_few_grants(store: Store) -> None:
    clock = FakeClock()
    rates = limiter(store, clock, margin=0.02)  # a lease lasts 0.6 s
    for _ in range(60):
        rates.acquire("acme", "atsCandidates", 1, Traffic.LIVE, max_wait_s=0)
        clock.now += 0.001
    # Leases of 4, 8, 16, 32 calls: 60 calls, 4 transactions instead of 60.
    assert rates.grants == 4
    # Everything granted is in the log at once: what was admitted, plus what the lease still holds.
    records, calls = spent_in_store(store)
    assert records >= 60
    assert calls >= 60


def test_a_lease_is_spent_only_while_it_lasts_and_gives_back_the_rest(store: Store) -> None:
    clock = FakeClock()
    rates = limiter(store, clock, margin=0.02)
    for _ in range(3):
        rates.acquire("acme", "atsCandidates", 10, Traffic.LIVE, max_wait_s=0)
    grants = rates.grants
    # A lease lasts half the margin (0.6 s of a minute counted 61.2 s long): a call it admits is
    # never made more than that after the time it was logged at, so LinkedIn's minute stays within
    # the budget. Past that, the next call needs a new lease.
    clock.now += 0.6
    rates.acquire("acme", "atsCandidates", 10, Traffic.LIVE, max_wait_s=0)
    assert rates.grants == grants + 1
    rates.release()
    # The unused records and calls went back: the store counts exactly what was admitted.
    assert spent_in_store(store) == (40, 4)


def test_leases_admit_the_whole_minute_and_not_one_record_more(store: Store) -> None:
    clock = FakeClock()
    rates = limiter(store, clock, margin=0.02)
    admitted = 0
    while rates.try_acquire("acme", "atsCandidates", 7, Traffic.LIVE) is None:
        admitted += 7
    assert admitted == 994  # 142 calls of 7 records; the 143rd would make 1,001
    # Another process (a limiter of its own) finds the budget spent, and learns when it has room.
    other = limiter(store, clock, margin=0.02)
    assert other.try_acquire("acme", "atsApplications", 7, Traffic.LIVE) == pytest.approx(61.2)


def test_a_lease_does_not_outlive_its_day(store: Store) -> None:
    clock = FakeClock(now=86_400.0 * 20_000 - 0.3)  # 0.3 s before midnight UTC
    rates = limiter(store, clock, margin=0.02, calls_per_day=1000)
    rates.acquire("acme", "atsApplications", 1, Traffic.LIVE, max_wait_s=0)
    grants = rates.grants
    clock.now += 0.4  # within the lease's 0.6 s, but a new day
    rates.acquire("acme", "atsApplications", 1, Traffic.LIVE, max_wait_s=0)
    assert rates.grants == grants + 1
    rates.release()
    with store.session(None) as session:
        days = dict(
            session.execute(select(QuotaDay.day, QuotaDay.calls).where(QuotaDay.app_id == "acme")).all()
        )
    assert days == {19_999: 1, 20_000: 1}


def test_processes_holding_leases_never_overspend_together(store: Store) -> None:
    """As the two-host test, with leases: every call is dated when its process admitted it locally,
    and no LinkedIn minute (without the client's margin) holds more than the budget."""
    limits = RateLimits(records_per_minute=400, clock_scale=120, margin=0.2)  # a 0.5 s minute
    admitted, hosts = spend_from_two_hosts(store, limits, 5)
    minute = 60.0 / limits.clock_scale
    for start, _ in admitted:
        assert sum(n for at, n in admitted if start <= at < start + minute) <= 400
    # How much of the budget was used depends on the machine's load; that leases save transactions
    # is shown on a fake clock above.
    assert admitted and all(host.grants > 0 for host in hosts)


def test_families_and_records_are_counted_as_linkedin_counts_them() -> None:
    # A family keeps its budget whichever API shape it is called on.
    assert budget_family(Family.CANDIDATES) == "atsCandidates"
    assert budget_family(Family.CANDIDATE_NOTES) == "atsCandidateNotes"
    assert budget_family(Family.APPLICATION_STAGES) == "atsApplicationStages"
    assert budget_family(Family.INTERVIEW_FEEDBACK) == "atsInterviewFeedback"
    assert budget_family(Family.JOB_POSTING_TASKS) == "simpleJobPostings"
    assert budget_family(Family.MAIL_STUBS) == "prospectInteractions"
    assert records_of([("ids[0].a", "1"), ("ids[0].b", "2"), ("ids[1].a", "3")], None) == 2
    assert records_of([("ids", "S1"), ("ids", "S2")], {"entities": {"S1": {}, "S2": {}}}) == 2
    assert records_of(None, {"elements": [{}, {}, {}]}) == 3
    assert records_of({"q": "request"}, None) == 1


def test_batch_calls_are_told_from_finders() -> None:
    assert is_batch([("ids[0].a", "1")], None)
    assert is_batch([("ids", "S1")], None)
    assert is_batch(None, {"elements": [{}]})
    assert not is_batch([("q", "criteria"), ("start", "0")], None)
    assert not is_batch({"q": "request", "requestId": "r"}, None)


def test_closing_the_clients_gives_back_what_their_leases_did_not_spend(store: Store) -> None:
    clock = FakeClock()
    rates = limiter(store, clock, margin=0.02)
    clients = LinkedInClients(get_settings(), get_store, limiter=rates)
    for _ in range(3):
        rates.acquire("acme", "atsCandidates", 10, Traffic.LIVE, max_wait_s=0)
    assert spent_in_store(store) > (30, 3)  # the lease holds more than the process spent
    clients.close()
    # A worker process that stops leaves the store counting exactly what it admitted.
    assert spent_in_store(store) == (30, 3)
