"""InMail and note freshness, measured from the store: for each item stored since a time, the seconds
from its time on LinkedIn to its storing, by kind; on both stores."""

from __future__ import annotations

from datetime import timedelta

from store.base import utcnow
from store.db import Store
from store.uow import UnitOfWork
from tests.workers.support import T0, TENANT, inmail, note
from workers.inmail_sync.handlers import handle_inmail
from workers.note_sync.handlers import handle_prospect_note
from workers.prospect_polling.metrics import FRESHNESS, freshness_since, observe_freshness

ADA = "urn:li:person:ada"


def observed(kind: str) -> float:
    FRESHNESS.labels(kind=kind)  # a kind never observed counts 0
    return next(
        sample.value
        for metric in FRESHNESS.collect()
        for sample in metric.samples
        if sample.name.endswith("_count") and sample.labels == {"kind": kind}
    )


def test_items_stored_since_a_time_are_measured_from_their_time_on_linkedin(store: Store) -> None:
    before = utcnow() - timedelta(seconds=1)
    handle_inmail(inmail("m-1", ADA, at=60_000), UnitOfWork(TENANT, store))
    handle_prospect_note(note("n-1", ADA), UnitOfWork(TENANT, store))
    age = (utcnow() - T0).total_seconds()
    with store.session(None) as session:
        fresh = freshness_since(session, before)
        later = freshness_since(session, utcnow() + timedelta(seconds=1))
    assert fresh["mail_stub"] == []
    [inmail_s] = fresh["inmail"]
    [note_s] = fresh["prospect_note"]
    assert age - 60 - 5 < inmail_s <= age - 60
    assert age - 5 < note_s <= age
    assert later == {"inmail": [], "mail_stub": [], "prospect_note": []}


def test_observing_freshness_feeds_the_histogram_per_kind(store: Store) -> None:
    before = utcnow() - timedelta(seconds=1)
    handle_inmail(inmail("m-1", ADA), UnitOfWork(TENANT, store))
    counted = observed("inmail")
    with store.session(None) as session:
        assert observe_freshness(session, before) == 1
    assert observed("inmail") == counted + 1
