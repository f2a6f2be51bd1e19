"""The pipeline's Prometheus metrics: every family and the label rules (``rsc.health`` serves them).

Every process serves ``/metrics``, ``/healthz`` and ``/readyz``: a worker group and the scheduler on
``RSC_METRICS_PORT`` (or ``--metrics-port``; the Procfile gives each process type its own), the
ingress on its own port. A worker group runs several processes
(``rsc worker --processes N``), so it counts in Prometheus's multiprocess mode: each process writes
its samples to files in a directory of that group's own, and one exporter process, forked by
Dramatiq's main process, reads them all for each scrape.

Label values are codes the code itself defines (queue, actor and endpoint names, outcomes, reason
codes, HTTP statuses), never text from an event or a person. A value that did not come from that
closed set (an actor name from a malformed message, a LinkedIn path with keys in it) is counted
under ``unknown``/``other``, so a bad input cannot add a series. Customer app ids label the rate-limit
headroom: they name a tenant's LinkedIn application (an organisation, not a person), and there are
as many as tenants.

Other features add their own counters here, next to these, so the runbook has one list.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import multiprocess as prometheus_multiprocess

#: Environment variable prometheus_client reads (at import) to count in multiprocess mode.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Label value for anything outside the closed set of a label.
UNKNOWN = "unknown"

MESSAGES = Counter(
    "rsc_messages_total",
    "Messages a worker finished, by queue, actor and outcome (processed, retried, dead_lettered, skipped)",
    ["queue", "actor", "outcome"],
)
MESSAGE_DURATION = Histogram(
    "rsc_message_duration_seconds",
    "Time a worker spent on one delivery of a message, whatever its outcome",
    ["queue", "actor"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
DEAD_LETTERS = Counter(
    "rsc_dead_letters_total",
    "Messages dead-lettered by a worker, by queue and reason code (`rsc dlq list --reason`)",
    ["queue", "reason"],
)
EXPORTS = Counter(
    "rsc_exports_total",
    "1-click exports handled, by outcome (created, linked, already_applied, duplicate)",
    ["outcome"],
)
MERGES = Counter(
    "rsc_merges_total",
    "Candidates merged into an existing candidate, by what caused the merge",
    ["cause"],
)
NOTES = Counter(
    "rsc_notes_total",
    "Prospect notes handled, by outcome (stored, removed, stale, reply_notified)",
    ["outcome"],
)
DELETIONS = Counter(
    "rsc_deletions_total",
    "Records deleted or erased, by kind of record",
    ["kind"],
)
LINKEDIN_CALLS = Counter(
    "rsc_linkedin_calls_total",
    "Calls sent to LinkedIn, by endpoint family and HTTP status (or transport_error)",
    ["endpoint", "status"],
)
LINKEDIN_HEADROOM = Gauge(
    "rsc_linkedin_rate_limit_headroom",
    "Share of a LinkedIn budget left after the last admitted call (1 = untouched, 0 = spent), "
    "by customer app, budget (records_per_minute, calls_per_day) and endpoint family",
    ["app", "budget", "endpoint"],
    multiprocess_mode="mostrecent",
)
LINKEDIN_TOKEN_MINTS = Counter(
    "rsc_linkedin_token_mints_total",
    "Access tokens minted, by customer app and cause (first, expiry, unauthorized, rotation); every process "
    "shares one token per app, so this grows by about one per app and token lifetime",
    ["app", "cause"],
)
INGRESS_PUSHES = Counter(
    "rsc_ingress_pushes_total",
    "Pushes LinkedIn sent to the ingress, by outcome (accepted, duplicate or the refusal's reason code)",
    ["outcome"],
)
BACKFILL_RECORDS = Counter(
    "rsc_backfill_records_total",
    "Records a historical backfill or purge finished, by kind (sync, purge), resource and outcome "
    "(sent, rejected, waiting, skipped)",
    ["kind", "resource", "outcome"],
)
INTEGRATION_TRANSITIONS = Counter(
    "rsc_integration_transitions_total",
    "Tenant integration status changes, by the status reached (enabled, disabled, pending) and cause "
    "(push, verify, operator, onboarding)",
    ["status", "cause"],
)
SKIPPED_MESSAGES = Counter(
    "rsc_skipped_messages_total",
    "Messages settled without running because the tenant's integration is not enabled, by queue and "
    "reason (integration_not_enabled, integration_disabled)",
    ["queue", "reason"],
)
POLLED_ITEMS_PARKED = Counter(
    "rsc_polled_items_parked_total",
    "Polled LinkedIn items (and seats) the readers could not read and kept for replay, by kind "
    "(conversationEvents, mailStubs, prospectNotes, seatsV2) and reason code (`rsc parked list`)",
    ["kind", "reason"],
)
NOTE_VISIBILITY_ASSUMED = Counter(
    "rsc_note_visibility_assumed_total",
    "Prospect notes read as Only me because LinkedIn sent no visibility (absent) or one the reader "
    "does not know (unknown)",
    ["reason"],
)
OWNER_REREADS = Counter(
    "rsc_prospect_owner_rereads_total",
    "Calls made to find the owner seats of stubs and notes that name none, by kind",
    ["kind"],
)
SEAT_REFRESH_FAILURES = Counter(
    "rsc_seat_refresh_failures_total",
    "Contracts whose seats could not be read, by error class (the contract is retried on its own)",
    ["error"],
)
DEAD_LETTER_QUEUE_MESSAGES = Gauge(
    "rsc_dead_letter_queue_messages",
    "Messages waiting in each feature queue's dead-letter queue (read by the scheduler)",
    ["queue"],
    multiprocess_mode="mostrecent",
)

SCHEDULER_LEADER = Gauge(
    "rsc_scheduler_leader",
    "1 while this scheduler leads (holds the lease and ticks), 0 while it stands by",
    multiprocess_mode="mostrecent",
)
DEAD_LETTERS_STALE = Gauge(
    "rsc_dead_letters_stale",
    "Dead letters neither replayed nor purged a day after they died, in Q.XQ or only in the archive "
    "(alert on > 0: `rsc dlq list --older-than 1d`)",
    ["queue"],
    multiprocess_mode="mostrecent",
)

JOB_POSTINGS_FAILED = Gauge(
    "rsc_job_postings_failed",
    "Jobs whose latest simpleJobPostings task failed or was never confirmed (rsc tenant status)",
    ["tenant"],
    multiprocess_mode="mostrecent",
)

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_ENDPOINT = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,63}(/[A-Za-z][A-Za-z0-9]{0,63})?$")


def actor_label(name: str | None, known: Iterable[str]) -> str:
    """The actor's name if this deployment declares it; a name read off a bad message is ``unknown``."""
    return name if name and name in known else UNKNOWN


def code_label(code: str | None) -> str:
    """A reason or outcome code (``snake_case``, as the code defines them); anything else is ``unknown``."""
    return code if code and _CODE.match(code) else UNKNOWN


def endpoint_label(family: str) -> str:
    """A LinkedIn endpoint family (``atsCandidates``); a path that still holds keys is ``other``."""
    return family if _ENDPOINT.match(family) else "other"


def worker_group_registry() -> CollectorRegistry:
    """A registry reading every process of this worker group (the multiprocess directory)."""
    if not os.environ.get(MULTIPROC_ENV):
        raise RuntimeError(f"{MULTIPROC_ENV} is not set; start workers with `rsc worker`, which sets it")
    registry = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry)
    return registry
