"""Queue names and the arguments every client must declare them with.

Dramatiq gives each queue ``Q`` a delay queue ``Q.DQ`` and a dead-letter queue ``Q.XQ`` on the default
exchange. RabbitMQ refuses to redeclare a queue with different arguments (406 PRECONDITION_FAILED),
so the workers' broker, the publisher and the operator tools all take them from here.
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Any

from dramatiq.common import dq_name, q_name, xq_name

from rsc.metrics import UNKNOWN
from rsc.settings import QueueType, Settings, WorkerLanes


class Queue(StrEnum):
    """One queue per feature; ops scale each with its own worker group."""

    PROFILE_EXPORT = "profile_export"
    STATUS_PUSH = "status_push"
    INMAIL_SYNC = "inmail_sync"
    NOTE_SYNC = "note_sync"
    #: Polls of LinkedIn's prospect interactions (and seat refreshes), apart from the sync handlers.
    PROSPECT_POLL = "prospect_poll"
    #: Candidate-to-member matching (candidate changes, member changes, manual links).
    PROFILE_MATCH = "profile_match"
    #: Deletions the ATS asked for: erasure in the store, deletes sent to LinkedIn, purge notices.
    DELETION_CASCADE = "deletion_cascade"
    #: Setup: INTEGRATION_STATUS_CHANGE pushes verified with LinkedIn, enabling and disabling tenants.
    INTEGRATION_LIFECYCLE = "integration_lifecycle"
    #: The one-time historical sync of a tenant (and the purge of what LinkedIn holds), in slices.
    HISTORICAL_BACKFILL = "historical_backfill"


#: The feature queues that receive events, each with a bulk lane ``<queue>.bulk`` beside it: bursts
#: and bulk imports go there, consumed by the same worker group (all its threads but one) or a group
#: of its own (docs/architecture.md, "Fair sharing"). The other queues only receive the pipeline's
#: own commands.
LANED_QUEUES: tuple[Queue, ...] = (
    Queue.PROFILE_EXPORT,
    Queue.STATUS_PUSH,
    Queue.INMAIL_SYNC,
    Queue.NOTE_SYNC,
    Queue.PROFILE_MATCH,
    Queue.DELETION_CASCADE,
    Queue.INTEGRATION_LIFECYCLE,
)

BULK_LANE_SUFFIX = ".bulk"


def bulk_lane(queue: str) -> str:
    """The bulk lane of a feature queue: ``status_push`` -> ``status_push.bulk``."""
    return f"{q_name(queue)}{BULK_LANE_SUFFIX}"


#: Every bulk lane.
BULK_LANES: tuple[str, ...] = tuple(bulk_lane(q.value) for q in LANED_QUEUES)


def is_bulk_lane(name: str) -> bool:
    """True for a bulk lane and its delay queue (``status_push.bulk``, ``status_push.bulk.DQ``)."""
    return q_name(name) in BULK_LANES


def feature_queue(name: str) -> str:
    """The feature queue a queue belongs to: itself, or the queue whose lane, delay or dead-letter
    queue it is (``status_push.bulk.DQ`` -> ``status_push``)."""
    return q_name(name).removesuffix(BULK_LANE_SUFFIX) if is_bulk_lane(name) else q_name(name)


def lane_queues(queues: list[str], lanes: WorkerLanes = WorkerLanes.ALL) -> list[str]:
    """The queues a worker group consumes for the feature queues ``queues``: each queue (its normal
    lane), the bulk lane of each laned one among them, or both (``lanes``). A queue without a bulk
    lane is consumed whole by a group of any lanes but ``bulk``."""
    laned = {q.value for q in LANED_QUEUES}
    normal = [] if lanes is WorkerLanes.BULK else list(queues)
    bulk = [] if lanes is WorkerLanes.NORMAL else [bulk_lane(q) for q in queues if q in laned]
    return [*normal, *bulk]


_QUEUES = frozenset(q.value for q in Queue) | frozenset(BULK_LANES)


def queue_label(name: str | None) -> str:
    """A queue's name as a metric label (a delay queue counts as its queue, a bulk lane is its own);
    else ``unknown``."""
    base = (name or "").removesuffix(".DQ").removesuffix(".XQ")
    return base if base in _QUEUES else UNKNOWN


#: Dead letters are kept this long (ms) for inspection and replay. Dramatiq reads the same
#: environment variable; it is fixed at the first declaration (changing it means recreating queues).
DEAD_MESSAGE_TTL_MS = int(os.getenv("dramatiq_dead_message_ttl", str(86_400_000 * 7)))  # noqa: SIM112


def work_queue_arguments(queue_name: str, settings: Settings) -> dict[str, Any]:
    """Arguments of ``Q`` and ``Q.DQ``: both dead-letter into ``Q.XQ``. A bulk lane and its delay queue
    dead-letter into their feature queue's ``Q.XQ``: one dead-letter queue per feature, which
    ``rsc dlq`` reads."""
    arguments: dict[str, Any] = {
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": xq_name(feature_queue(queue_name)),
    }
    if settings.queue_type is QueueType.QUORUM:
        arguments["x-queue-type"] = "quorum"
        # A message that crashes its worker every time ends in Q.XQ after this many deliveries.
        arguments["x-delivery-limit"] = settings.delivery_limit
    return arguments


#: Delivery limit of a quorum ``Q.XQ``. Dead letters are only ever *browsed* there (``rsc dlq`` takes
#: them and gives them back, which a quorum queue counts as a delivery), and ``Q.XQ`` dead-letters
#: nowhere, so reaching a limit would delete a dead letter. RabbitMQ 4 sets a limit of 20 on quorum
#: queues that declare none, and RabbitMQ 3.x refuses -1 (4.x's "no limit"); a limit no operator can
#: browse up to within the dead-letter TTL works on both (docs/operations.md).
DEAD_LETTER_DELIVERY_LIMIT = 1_000_000


def dead_letter_queue_arguments(settings: Settings) -> dict[str, Any]:
    arguments: dict[str, Any] = {"x-message-ttl": DEAD_MESSAGE_TTL_MS}
    if settings.queue_type is QueueType.QUORUM:
        arguments["x-queue-type"] = "quorum"
        arguments["x-delivery-limit"] = DEAD_LETTER_DELIVERY_LIMIT
    return arguments


def declarations(queue_name: str, settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """(name, arguments) of the queues behind one feature queue: ``Q``, ``Q.DQ`` and ``Q.XQ``, and for a
    laned queue its bulk lane and the lane's delay queue. A lane's name gives its feature queue's."""
    base = feature_queue(queue_name)
    names = [base, dq_name(base)]
    if base in {q.value for q in LANED_QUEUES}:
        names += [bulk_lane(base), dq_name(bulk_lane(base))]
    # The dead-letter queue first: the work queues dead-letter into it from their first message on.
    return [(xq_name(base), dead_letter_queue_arguments(settings))] + [
        (name, work_queue_arguments(name, settings)) for name in names
    ]
