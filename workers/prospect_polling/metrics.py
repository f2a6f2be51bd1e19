"""Metrics of InMail and note sync, exported by the scheduler (``RSC_METRICS_PORT``).

Freshness is measured from the store, so one process sees what every worker stored: for each item
stored since the last tick, the time from LinkedIn (an InMail's or stub's creation, a note's last
change) to the moment it was stored.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Gauge, Histogram
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.base import to_ms
from store.inmails import InMailRecord
from store.mail_stubs import MailStubRecord
from store.prospect_notes import ProspectNoteRecord

FRESHNESS = Histogram(
    "rsc_linkedin_freshness_seconds",
    "Seconds from an item's time on LinkedIn to it being in the store",
    ["kind"],
    buckets=(5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600, 21600, 86400),
)
UNMAPPED_SEATS = Gauge("rsc_unmapped_seats", "Active Recruiter seats connected to no ATS user", ["tenant"])
USERS_WITHOUT_SEAT = Gauge("rsc_users_without_seat", "Active ATS users connected to no seat", ["tenant"])
PROSPECT_CALLS_TODAY = Gauge(
    "rsc_prospect_calls_today", "Prospect-interaction calls spent today (UTC)", ["tenant"]
)
PARKED_ITEMS = Gauge(
    "rsc_parked_items", "Polled items waiting in parked_items for a replay (`rsc parked list`)", ["tenant"]
)
PROSPECT_CALL_RATE = Gauge(
    "rsc_prospect_call_rate", "Prospect-interaction calls a second the planner allows now", ["tenant"]
)


def freshness_since(session: Session, since: datetime) -> dict[str, list[float]]:
    """Freshness in seconds of every item stored after ``since``, by kind (operator session)."""
    out: dict[str, list[float]] = {"inmail": [], "mail_stub": [], "prospect_note": []}
    queries = (
        ("inmail", InMailRecord.created_ms, InMailRecord.stored_at),
        ("mail_stub", MailStubRecord.created_ms, MailStubRecord.stored_at),
        ("prospect_note", ProspectNoteRecord.last_modified_ms, ProspectNoteRecord.stored_at),
    )
    for kind, linkedin_ms, stored_at in queries:
        for item_ms, stored in session.execute(select(linkedin_ms, stored_at).where(stored_at > since)):
            out[kind].append(max(0.0, (to_ms(stored) - item_ms) / 1000))
    return out


def observe_freshness(session: Session, since: datetime) -> int:
    observed = 0
    for kind, values in freshness_since(session, since).items():
        for value in values:
            FRESHNESS.labels(kind=kind).observe(value)
        observed += len(values)
    return observed
