"""The deletion cascade: what the ATS deletes is erased here and deleted on LinkedIn, with a receipt.

``ats.application.deleted``: the application and its stage history are erased from the store, and
``DELETE atsApplications`` removes it on LinkedIn (with its stages, notes and interview feedback:
LinkedIn's own cascade, reference §3.6).

``ats.candidate.deleted``: the candidate and everything of the person are erased from the store
(``store.erasure``), then ``DELETE atsApplications`` for every application of the candidate, in
batches of at most 100, and only then ``DELETE atsCandidates`` (which takes the candidate's notes
with it). LinkedIn does not say whether a candidate delete removes its applications, so they are
deleted explicitly (reference §6.3). InMails and prospect notes made in LinkedIn stay there.

Both leave a deletion receipt (``store.deletion_receipts``). The erasure is one transaction; the
deletes are sent after it, at once when possible. What LinkedIn has not confirmed stays pending on
the receipt and the deletion sweep (asked for by the scheduler) sends it again with backoff, however
long LinkedIn is unavailable. A redelivered or replayed deletion finds its receipt and only resumes
what is pending.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from events.messages import OutgoingMessage, command_message
from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInAuthFailed, LinkedInRejected, LinkedInUnavailable
from linkedin.restli import BatchResult
from rsc.crypto import Keyring
from rsc.logs import get_logger
from rsc.metrics import DELETIONS
from rsc.settings import Settings
from schemas.ats import ApplicationDeleted, CandidateDeleted
from schemas.commands import DeletionSweep
from store.base import utcnow
from store.deletion_receipts import (
    DeletionKind,
    DeletionReceipt,
    LinkedInOutcome,
    ReceiptState,
    receipt_id,
    tenants_with_due_receipts,
)
from store.erasure import Erasure, erase_application, erase_candidate
from store.tombstones import Subject, subject_of
from store.uow import UnitOfWork

log = get_logger(__name__)

CONSUMER = "deletion_cascade"
#: The actor of the deletion sweep (``workers.actors``), asked for by the scheduler.
#: LinkedIn resources, in the order their deletes are sent.
APPLICATIONS = "atsApplications"
CANDIDATES = "atsCandidates"
#: Deletes LinkedIn has not confirmed are tried again after this, doubling, up to MAX_RETRY.
FIRST_RETRY = timedelta(seconds=5)
MAX_RETRY = timedelta(minutes=10)
#: Receipts one sweep message works through before it yields to other messages.
SWEEP_RECEIPTS = 50


def push_window(*, settings: Settings) -> timedelta:
    """How long a push claimed from the outbox can still be running (the message time limit)."""
    return timedelta(milliseconds=settings.time_limit_ms) + timedelta(seconds=settings.linkedin_timeout_s)


@dataclass(frozen=True)
class DeletionOutcome:
    receipt_id: str
    state: ReceiptState
    #: Keys LinkedIn has not confirmed yet (retried by the deletion sweep).
    pending: int = 0


def handle_candidate_deleted(
    event: CandidateDeleted, uow: UnitOfWork, linkedin: LinkedInClient, *, settings: Settings
) -> DeletionOutcome:
    """Erase the candidate and the person here, then delete its applications and it on LinkedIn."""
    data = event.data
    subject = subject_of(uow.keyring, event.tenant, Subject.CANDIDATE, data.candidate_id)
    rid = receipt_id(event.tenant, DeletionKind.CANDIDATE, subject, data.deleted_at)

    def erase() -> tuple[Erasure, str | None]:
        erasure = erase_candidate(
            uow,
            data.candidate_id,
            deleted_at=data.deleted_at,
            receipt_id=rid,
            push_window=push_window(settings=settings),
        )
        return erasure, subject

    return _handle(event, uow, linkedin, rid=rid, kind=DeletionKind.CANDIDATE, erase=erase, settings=settings)


def handle_application_deleted(
    event: ApplicationDeleted, uow: UnitOfWork, linkedin: LinkedInClient, *, settings: Settings
) -> DeletionOutcome:
    """Erase the application here, then delete it on LinkedIn (its stages, notes and feedback go too)."""
    data = event.data
    application_subject = subject_of(uow.keyring, event.tenant, Subject.APPLICATION, data.application_id)
    rid = receipt_id(event.tenant, DeletionKind.APPLICATION, application_subject, data.deleted_at)

    def erase() -> tuple[Erasure, str | None]:
        erasure, stored_candidate = erase_application(
            uow,
            data.application_id,
            deleted_at=data.deleted_at,
            receipt_id=rid,
            push_window=push_window(settings=settings),
        )
        # The LinkedIn delete is sent even when the store never had it: it may have been synced.
        erasure.application_ids = [data.application_id]
        candidate_id = data.candidate_id or stored_candidate
        subject = (
            subject_of(uow.keyring, event.tenant, Subject.CANDIDATE, candidate_id) if candidate_id else None
        )
        return erasure, subject

    return _handle(
        event,
        uow,
        linkedin,
        rid=rid,
        kind=DeletionKind.APPLICATION,
        erase=erase,
        application_subject=application_subject,
        settings=settings,
    )


def _handle(
    event: CandidateDeleted | ApplicationDeleted,
    uow: UnitOfWork,
    linkedin: LinkedInClient,
    *,
    rid: str,
    kind: DeletionKind,
    erase: Callable[[], tuple[Erasure, str | None]],
    application_subject: str | None = None,
    settings: Settings,
) -> DeletionOutcome:
    erased = False
    with uow:
        uow.inbox.record(CONSUMER, event.source, event.id)
        receipt = uow.deletion_receipts.get(rid)
        if receipt is None:
            erased = True
            erasure, subject = erase()
            receipt = uow.deletion_receipts.add(
                _receipt(
                    rid,
                    kind,
                    erasure,
                    subject=subject,
                    application_subject=application_subject,
                    requested_at=event.data.deleted_at,
                    keyring=uow.keyring,
                    settings=settings,
                )
            )
            log.info(
                "erased",
                kind=kind.value,
                receipt_id=rid,
                records=sum(erasure.rows.values()),
                count=len(erasure.application_ids),
                state=receipt.state,
            )
        state = ReceiptState(receipt.state)
        pending = sum(len(keys) for keys in receipt.pending(uow.keyring).values())
        uow.commit()
    if erased:
        DELETIONS.labels(kind=kind.value).inc()
    if state is not ReceiptState.PENDING:
        return DeletionOutcome(rid, state)
    outcomes = send_deletes(uow, linkedin, ids=[rid])
    if outcomes:
        return outcomes[0]
    # Held by another worker, or waiting for a push that may still be in flight: the sweep sends it.
    return DeletionOutcome(rid, ReceiptState.PENDING, pending=pending)


def _receipt(
    rid: str,
    kind: DeletionKind,
    erasure: Erasure,
    *,
    subject: str | None,
    application_subject: str | None,
    requested_at: datetime,
    keyring: Keyring,
    settings: Settings,
) -> DeletionReceipt:
    now = utcnow()
    receipt = DeletionReceipt(
        id=rid,
        kind=kind.value,
        subject=subject,
        application_subject=application_subject,
        requested_at=requested_at,
        received_at=now,
        erased_at=now,
        store_rows={table: n for table, n in sorted(erasure.rows.items()) if n},
        linkedin=[],
        state=ReceiptState.PENDING.value,
        not_before=now + push_window(settings=settings) if erasure.push_in_flight else now,
        attempts=0,
    )
    receipt.set_pending(keyring, erasure.linkedin_keys())
    return receipt


def send_deletes(
    uow: UnitOfWork, linkedin: LinkedInClient, *, ids: list[str] | None = None, limit: int = SWEEP_RECEIPTS
) -> list[DeletionOutcome]:
    """Send the pending deletes of the receipts due a try (or of ``ids``), one receipt at a time."""
    with uow:
        claimed = [
            (r.id, r.subject, r.pending(uow.keyring))
            for r in uow.deletion_receipts.claim_due(ids=ids, limit=limit)
        ]
        uow.commit()
    return [_send(uow, linkedin, rid, subject, pending) for rid, subject, pending in claimed]


def _send(
    uow: UnitOfWork, linkedin: LinkedInClient, rid: str, subject: str | None, pending: dict[str, list[str]]
) -> DeletionOutcome:
    entries: list[dict[str, Any]] = []
    remaining = {resource: list(keys) for resource, keys in pending.items()}
    error: str | None = None
    try:
        if remaining.get(APPLICATIONS):
            result = linkedin.applications.delete(remaining[APPLICATIONS])
            entries += _entries(APPLICATIONS, result, lambda key: {"key": key})
            remaining[APPLICATIONS] = sorted(result.failed)
        # The candidate goes only once LinkedIn confirmed every application (reference §6.3 order).
        if not remaining.get(APPLICATIONS) and remaining.get(CANDIDATES):

            def label(key: str) -> dict[str, Any]:
                hashed = subject_of(uow.keyring, uow.tenant, Subject.CANDIDATE, key)
                return {"role": "candidate" if hashed == subject else "merged_candidate", "key_hash": hashed}

            result = linkedin.candidates.delete(remaining[CANDIDATES])
            entries += _entries(CANDIDATES, result, label)
            remaining[CANDIDATES] = sorted(result.failed)
    except LinkedInUnavailable as exc:
        error = f"LinkedIn unavailable ({type(exc).__name__}); retried with backoff"
    except (LinkedInRejected, LinkedInAuthFailed) as exc:
        error = f"LinkedIn refused the call ({exc.reason_code}): {exc}; retried with backoff"
    with uow:
        receipt = uow.deletion_receipts.get(rid)
        if receipt is None:  # pragma: no cover - receipts are never deleted
            raise LookupError(f"deletion receipt {rid!r} disappeared")
        now = utcnow()
        receipt.linkedin = [*(receipt.linkedin or []), *entries]
        receipt.set_pending(uow.keyring, remaining)
        receipt.attempts += 1
        receipt.lease_until = None
        left = sum(len(keys) for keys in remaining.values())
        if left == 0:
            refused = any(e["outcome"] == LinkedInOutcome.REFUSED.value for e in receipt.linkedin)
            receipt.state = (ReceiptState.REFUSED if refused else ReceiptState.CONFIRMED).value
            receipt.confirmed_at = now
            receipt.next_attempt_at = None
            receipt.last_error = None
        else:
            receipt.next_attempt_at = now + min(MAX_RETRY, FIRST_RETRY * 2 ** (receipt.attempts - 1))
            receipt.last_error = error or f"LinkedIn failed {left} key(s) transiently; retried with backoff"
        state = ReceiptState(receipt.state)
        uow.commit()
    if left:
        log.warning("linkedin deletes pending", receipt_id=rid, count=left, attempts=receipt.attempts)
    else:
        log.info("linkedin deletes confirmed", receipt_id=rid, state=state.value, count=len(entries))
    return DeletionOutcome(rid, state, pending=left)


def _entries(
    resource: str, result: BatchResult, label: Callable[[str], dict[str, Any]]
) -> list[dict[str, Any]]:
    at = utcnow().isoformat()
    entries = []
    for key, answer in sorted(result.ok.items()):
        status = answer.get("status") if isinstance(answer, dict) else None
        outcome = LinkedInOutcome.NOT_HELD if status == 404 else LinkedInOutcome.DELETED
        entries.append(
            {"resource": resource, **label(key), "outcome": outcome.value, "status": status or 200, "at": at}
        )
    for key, (status, message) in sorted(result.rejected.items()):
        entries.append(
            {
                "resource": resource,
                **label(key),
                "outcome": LinkedInOutcome.REFUSED.value,
                "status": status,
                "reason": message,
                "at": at,
            }
        )
    return entries


def handle_deletion_sweep(
    command: DeletionSweep, uow: UnitOfWork, linkedin: LinkedInClient, *, settings: Settings
) -> int:
    """Send the tenant's pending deletes that are due; returns how many receipts were tried. No new
    receipts are taken after ``settings.sweep_budget_s``."""
    deadline = time.monotonic() + settings.sweep_budget_s
    tried = 0
    while True:  # the first batch always: a sweep moves on however short its budget
        outcomes = send_deletes(uow, linkedin, limit=SWEEP_RECEIPTS)
        tried += len(outcomes)
        if len(outcomes) < SWEEP_RECEIPTS or time.monotonic() >= deadline:
            return tried


def deletion_sweep_messages(session: Session) -> list[OutgoingMessage]:
    """One deletion sweep per tenant with deletes due a try (the scheduler's tick)."""
    return [command_message(DeletionSweep(tenant=tenant)) for tenant in tenants_with_due_receipts(session)]
