"""Bulk lanes: which lane an event takes, and what a worker group consumes."""

from __future__ import annotations

from events.lanes import BurstBudget
from events.messages import to_messages
from events.routes import EVENT_ROUTES
from events.topology import (
    BULK_LANES,
    LANED_QUEUES,
    Queue,
    bulk_lane,
    feature_queue,
    is_bulk_lane,
    lane_queues,
    queue_label,
)
from rsc.settings import WorkerLanes
from schemas.catalog import parse_event
from tests.schemas.test_schemas import job_event


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_tenant_within_its_budget_keeps_the_normal_lane_and_the_rest_of_a_burst_spills() -> None:
    budget = BurstBudget(3, 2.0, clock=Clock())
    assert [budget.take("acme") for _ in range(5)] == [True, True, True, False, False]


def test_the_budget_refills_at_its_rate_and_never_above_its_size() -> None:
    clock = Clock()
    budget = BurstBudget(3, 2.0, clock=clock)
    assert all(budget.take("acme") for _ in range(3))
    assert not budget.take("acme")
    clock.now += 1.0  # two events' worth
    assert [budget.take("acme") for _ in range(3)] == [True, True, False]
    clock.now += 3600
    assert budget.available("acme") == 3


def test_each_tenant_has_its_own_budget() -> None:
    budget = BurstBudget(2, 1.0, clock=Clock())
    assert [budget.take("flooder") for _ in range(4)] == [True, True, False, False]
    assert [budget.take("quiet") for _ in range(2)] == [True, True]
    assert budget.available("quiet") == 0 and budget.available("newcomer") == 2


def test_a_bulk_message_names_its_lane_in_the_body_and_keeps_the_event_s_message_id() -> None:
    event = parse_event(job_event())
    ((normal,), (bulk,)) = to_messages(event), to_messages(event, bulk=True)
    assert normal.queue == "status_push" and bulk.queue == "status_push.bulk"
    assert b'"queue_name":"status_push.bulk"' in bulk.body
    assert bulk.message_id == normal.message_id


def test_every_queue_an_event_is_routed_to_has_a_bulk_lane() -> None:
    assert {route.queue for route in EVENT_ROUTES} == set(LANED_QUEUES)
    assert tuple(f"{q.value}.bulk" for q in LANED_QUEUES) == BULK_LANES


def test_a_lane_its_delay_and_dead_letter_queues_belong_to_their_feature_queue() -> None:
    lane = bulk_lane("status_push")
    assert is_bulk_lane(lane) and is_bulk_lane(f"{lane}.DQ") and not is_bulk_lane("status_push")
    assert (
        feature_queue(f"{lane}.DQ") == feature_queue(lane) == feature_queue("status_push.DQ") == "status_push"
    )
    assert queue_label(f"{lane}.DQ") == "status_push.bulk"
    assert queue_label("nonsense.bulk") == "unknown"


def test_a_worker_group_consumes_the_bulk_lanes_of_its_laned_queues_only() -> None:
    assert lane_queues(["status_push", "prospect_poll"]) == [
        "status_push",
        "prospect_poll",
        "status_push.bulk",
    ]
    assert Queue.PROSPECT_POLL not in LANED_QUEUES


def test_a_bulk_lane_leaves_its_free_threads_to_the_normal_lane_and_never_gets_less_than_one() -> None:
    from rsc.settings import Settings
    from workers.runtime.broker import bulk_lane_prefetch

    # Dramatiq prefetches twice the worker's threads for a queue.
    assert bulk_lane_prefetch(16, Settings()) == 7
    assert bulk_lane_prefetch(16, Settings(bulk_lane_free_threads=3)) == 5
    assert bulk_lane_prefetch(2, Settings(bulk_lane_free_threads=1)) == 1
    assert bulk_lane_prefetch(16, Settings(bulk_lane_free_threads=0)) == 8
    assert bulk_lane_prefetch(16, Settings(bulk_lane_free_threads=9)) == 1


def test_a_group_of_bulk_lanes_only_takes_them_at_dramatiqs_prefetch() -> None:
    from rsc.settings import Settings
    from workers.runtime.broker import bulk_lane_prefetch

    assert bulk_lane_prefetch(16, Settings(worker_lanes=WorkerLanes.BULK)) == 16


def test_a_queue_s_lanes_can_be_consumed_by_two_groups() -> None:
    queues = ["status_push", "prospect_poll"]
    assert lane_queues(queues, WorkerLanes.NORMAL) == ["status_push", "prospect_poll"]
    assert lane_queues(queues, WorkerLanes.BULK) == ["status_push.bulk"]
    both = set(lane_queues(queues, WorkerLanes.NORMAL)) | set(lane_queues(queues, WorkerLanes.BULK))
    assert both == set(lane_queues(queues))
