"""Parking: polled LinkedIn items the readers could not read are kept, never dropped.

A poll parks what ``workers.prospect_polling.pages`` could not read in the transaction that counts the
window's calls, before the window's events are published and its watermark moves, so an item is
kept before its window is left behind; parking the same item again (a window read twice) updates
its row. Each parked item is counted (``rsc_polled_items_parked_total``), listed by
``rsc parked list`` and read again by ``rsc parked replay``
(``workers.prospect_polling.parked_replay``). The log line names the kind and the reason code, never the item.
"""

from __future__ import annotations

from collections.abc import Iterable

from rsc.logs import get_logger
from rsc.metrics import POLLED_ITEMS_PARKED
from store.uow import UnitOfWork
from workers.prospect_polling.items import item_id, member_of
from workers.prospect_polling.pages import Unread

log = get_logger(__name__)


def park(uow: UnitOfWork, unread: Iterable[Unread]) -> int:
    """Keep every unread item (inside ``uow``; the caller commits). Returns how many."""
    parked = 0
    for entry in unread:
        uow.parked_items.park(
            kind=entry.kind.value,
            item=entry.item,
            asked=entry.asked.as_json(),
            reason_code=entry.problem.value,
            reason=entry.reason,
            item_id=item_id(entry.item),
            member_urn=member_of(entry.item),
        )
        POLLED_ITEMS_PARKED.labels(kind=entry.kind.value, reason=entry.problem.value).inc()
        log.warning(
            "polled item parked", tenant=uow.tenant, kind=entry.kind.value, reason=entry.problem.value
        )
        parked += 1
    return parked
