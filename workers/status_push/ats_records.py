"""ATS records arriving as events: stored in order, and marked for LinkedIn when they changed.

Create and update events carry the record's full current state. A snapshot is stored only when it
is newer than the stored one (by the ATS's modification time, then its revision), so a late or
repeated event changes nothing. A status transition is history, not state: it is recorded once
whenever it arrives, even late, so LinkedIn's stage history ends up complete and in order.

Nothing is pushed here. The outbox records what LinkedIn must learn and the outbox sweep pushes it
once the record has been quiet for a moment, so a burst of changes costs one call with the latest
state, batched with other records up to 100 a call.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from events import routes
from events.messages import OutgoingMessage, follow_up_messages
from events.publisher import EventPublisher
from rsc.errors import TransientError
from rsc.logs import get_logger
from schemas.ats import (
    ApplicationCreated,
    ApplicationStatusChanged,
    ApplicationUpdated,
    CandidateCreated,
    CandidateUpdated,
    JobClosed,
    JobCreated,
    JobPublished,
    JobUpdated,
)
from store.applications import ApplicationChange
from store.candidate_changes import CandidateChange, apply_candidate_snapshots
from store.db import Store
from store.linkedin_sync import Resource
from store.sync_ledger import RecordType
from store.tombstones import Guard, Subject
from store.uow import UnitOfWork
from workers.ledger import hooks as ledger
from workers.runtime.group_commit import GroupSteps, Submitted, in_tenant_transactions
from workers.runtime.lanes import in_bulk_lane
from workers.shared.job_acl_push import mark_stale_job_acls

log = get_logger(__name__)

CONSUMER = "status_push"

JobEvent = JobCreated | JobUpdated | JobPublished | JobClosed
CandidateEvent = CandidateCreated | CandidateUpdated
ApplicationEvent = ApplicationCreated | ApplicationUpdated | ApplicationStatusChanged


def handle_job_event(event: JobEvent, uow: UnitOfWork) -> bool:
    """Store the job snapshot unless the store holds a newer one. True when the job changed."""
    with uow:
        if not uow.inbox.record(CONSUMER, event.source, event.id):
            return False
        before = uow.jobs.get(event.data.job_id)
        old_title = before.title if before is not None else None
        changed = uow.jobs.apply(event.data)
        if changed:
            uow.outbox.mark_changed(Resource.JOB, event.data.job_id)
            mark_stale_job_acls(uow, [event.data.job_id])
            if old_title is not None and old_title != event.data.title:
                # LinkedIn's applications carry the job's title.
                for application_id in uow.applications.for_job(event.data.job_id):
                    uow.outbox.mark_changed(Resource.APPLICATION, application_id)
        ledger.event_applied(uow, RecordType.JOB, event.data.job_id, event, changed)
        uow.commit()
    log.info(
        "job stored" if changed else "older job snapshot ignored",
        job_id=event.data.job_id,
        state=event.data.state.value,
    )
    return changed


class CandidateOutcome(StrEnum):
    """What a candidate event did."""

    STORED = "stored"
    #: The store holds this snapshot or a newer one.
    OLDER = "older"
    #: The candidate was deleted after this snapshot was taken: it stays erased.
    ERASED = "erased"
    #: Processed before: a redelivery or a replay.
    REPEATED = "repeated"


class MatchNotSent(TransientError):
    """The candidate is stored but RabbitMQ did not confirm its match: the event is retried, and
    its repeat sends the match again."""

    reason_code = "match_not_sent"


def handle_candidate_event(event: CandidateEvent, uow: UnitOfWork) -> bool:
    """Store the candidate snapshot unless the store holds a newer one. True when it changed."""
    return store_candidate_event(event, uow) is CandidateOutcome.STORED


def store_candidate_event(event: CandidateEvent, uow: UnitOfWork) -> CandidateOutcome:
    """``handle_candidate_event`` in a transaction of its own; what the event did."""
    with uow:
        outcome = _store_candidate_event(event, uow)
        uow.commit()
    return _candidate_outcome(event, outcome)


def store_candidate_events(
    group: Sequence[Submitted[CandidateEvent]], store: Store
) -> list[CandidateOutcome | BaseException]:
    """``store_candidate_event`` for several events, one transaction per tenant (group commit, as
    ``store_application_events``), in candidate order; each event's outcome, or the exception its
    message fails with."""
    return in_tenant_transactions(group, store=store, steps=_CANDIDATE_STEPS)


def send_to_match(
    group: Sequence[Submitted[CandidateEvent]],
    outcomes: Sequence[CandidateOutcome | BaseException],
    publisher: EventPublisher,
) -> list[CandidateOutcome | BaseException]:
    """Once ``store_candidate_events`` committed ``group`` (with ``outcomes``), every committed event
    sent on to its candidate's match (``Route.after``: the profile match starts once its candidate
    is in the store) in one publish, with one wait for RabbitMQ's confirms; the outcomes the events
    end with.

    Every committed event is sent on, a repeat too: its first delivery may have committed and
    stopped before its match was sent, and the match's inbox makes a second one change nothing.
    An older snapshot's match reads the newest; an erased candidate's finds only its tombstone. An
    event that came through a bulk lane (the submitting thread's current message) sends its match
    to the match's bulk lane. When RabbitMQ does not confirm the publish, every committed event of
    the group fails with ``MatchNotSent`` and is retried: its repeat sends its match again.
    """
    ended = list(outcomes)
    committed = [n for n, outcome in enumerate(ended) if not isinstance(outcome, BaseException)]
    messages = [message for n in committed for message in group[n].run(_match_messages, group[n].item)]
    try:
        publisher.publish_messages(messages)
    except Exception as exc:
        for n in committed:
            failed = MatchNotSent(
                f"candidate event {group[n].item.id!r}: its match was not confirmed; retried"
            )
            failed.__cause__ = exc
            ended[n] = failed
    return ended


def _match_messages(event: CandidateEvent) -> list[OutgoingMessage]:
    return follow_up_messages(event, routes.ATS_CANDIDATE, bulk=in_bulk_lane())


def _candidate_guards(event: CandidateEvent, uow: UnitOfWork) -> list[Guard]:
    return [uow.tombstones.guard(Subject.CANDIDATE, event.data.candidate_id)]


def _store_candidate_event(event: CandidateEvent, uow: UnitOfWork) -> CandidateOutcome:
    """The event's claim and writes inside ``uow``'s transaction."""
    guards = _candidate_guards(event, uow)
    if not uow.inbox.record(CONSUMER, event.source, event.id, guards=guards):
        return CandidateOutcome.REPEATED
    return _write_candidate_event(event, uow, guards)


def _write_candidate_event(event: CandidateEvent, uow: UnitOfWork, guards: list[Guard]) -> CandidateOutcome:
    """The writes of an event claimed in ``uow``'s transaction (``guards``: its tombstone guards,
    their locks held)."""
    return _candidate_applied(event, uow, apply_candidate_snapshots(uow, [(event.data, guards[0])])[0])


def _write_candidate_events(
    group: Sequence[Submitted[CandidateEvent]], uow: UnitOfWork, guards: Sequence[list[Guard]]
) -> list[CandidateOutcome]:
    """``_write_candidate_event`` for a group's claimed events, their candidates stored together."""
    snapshots = [(submitted.item.data, held[0]) for submitted, held in zip(group, guards, strict=True)]
    changes = apply_candidate_snapshots(uow, snapshots)
    return [
        submitted.run(_candidate_applied, submitted.item, uow, change)
        for submitted, change in zip(group, changes, strict=True)
    ]


def _candidate_applied(event: CandidateEvent, uow: UnitOfWork, change: CandidateChange) -> CandidateOutcome:
    """What storing the event's snapshot did, in the sync ledger."""
    if change.erased:
        return CandidateOutcome.ERASED  # deleted after this snapshot was taken
    candidate_id = event.data.candidate_id
    about = {"candidate_id": candidate_id}
    ledger.event_applied(uow, RecordType.CANDIDATE, candidate_id, event, change.changed, about=about)
    return CandidateOutcome.STORED if change.changed else CandidateOutcome.OLDER


def _candidate_outcome(event: CandidateEvent, outcome: CandidateOutcome) -> CandidateOutcome:
    """What a committed candidate event did, logged."""
    candidate_id = event.data.candidate_id
    if outcome is CandidateOutcome.ERASED:
        log.info("snapshot older than the deletion ignored", candidate_id=candidate_id)
    elif outcome is not CandidateOutcome.REPEATED:
        # DEBUG, as an application's: a bulk import's busiest line; the message metrics count
        # them and the sync ledger holds each.
        stored = outcome is CandidateOutcome.STORED
        message = "candidate stored" if stored else "older candidate snapshot ignored"
        log.debug(message, candidate_id=candidate_id)
    return outcome


def handle_application_event(event: ApplicationEvent, uow: UnitOfWork) -> bool:
    """Store the application snapshot if newer and its transition if new. True when either changed."""
    with uow:
        change = _store_application_event(event, uow)
        uow.commit()
    return _application_outcome(event, change)


def store_application_events(
    group: Sequence[Submitted[ApplicationEvent]], store: Store
) -> list[bool | BaseException]:
    """``handle_application_event`` for several events, one transaction per tenant (group commit,
    ``workers.runtime.group_commit``), in application order; each event's outcome, or the exception its
    message fails with."""
    return in_tenant_transactions(group, store=store, steps=_APPLICATION_STEPS)


def _application_guards(event: ApplicationEvent, uow: UnitOfWork) -> list[Guard]:
    return [
        uow.tombstones.guard(Subject.APPLICATION, event.data.application_id),
        uow.tombstones.guard(Subject.CANDIDATE, event.data.candidate_id),
    ]


def _store_application_event(event: ApplicationEvent, uow: UnitOfWork) -> ApplicationChange | None:
    """The event's claim and writes inside ``uow``'s transaction; None when it was processed already."""
    guards = _application_guards(event, uow)
    if not uow.inbox.record(CONSUMER, event.source, event.id, guards=guards):
        return None
    return _write_application_event(event, uow, guards)


def _write_application_event(
    event: ApplicationEvent, uow: UnitOfWork, guards: list[Guard]
) -> ApplicationChange:
    """The writes of an event claimed in ``uow``'s transaction (``guards``: its tombstone guards,
    their locks held)."""
    change = uow.applications.apply_change(event.data, guards)
    ledger.application_event(uow, event, change)
    return change


def _application_outcome(event: ApplicationEvent, change: ApplicationChange | None) -> bool:
    """What a committed application event did, logged. True when the snapshot or a stage changed."""
    if change is None:
        return False
    data = event.data
    if change.erased:  # the application or its candidate was deleted after this snapshot
        log.info("snapshot older than the deletion ignored", application_id=data.application_id)
        return False
    # DEBUG: the busiest event there is (one line cost about 10 % of its CPU); the message
    # metrics count them, and what was ignored for a deletion is logged above.
    log.debug(
        "application stored" if change.changed else "older application snapshot ignored",
        application_id=data.application_id,
        new_stage=change.new_stage,
    )
    return change.changed or change.new_stage


#: Candidate events in a group: in candidate order, each guarded by its candidate's tombstone.
_CANDIDATE_STEPS: GroupSteps[CandidateEvent, CandidateOutcome, CandidateOutcome] = GroupSteps(
    consumer=CONSUMER,
    order=lambda event: event.data.candidate_id,
    guards=_candidate_guards,
    step=_write_candidate_event,
    repeated=lambda event: CandidateOutcome.REPEATED,
    settle=_candidate_outcome,
    alone=store_candidate_event,
    step_all=_write_candidate_events,
)

#: Application events in a group: in application order, guarded by the application's tombstone
#: and its candidate's.
_APPLICATION_STEPS: GroupSteps[ApplicationEvent, ApplicationChange | None, bool] = GroupSteps(
    consumer=CONSUMER,
    order=lambda event: event.data.application_id,
    guards=_application_guards,
    step=_write_application_event,
    repeated=lambda event: None,
    settle=_application_outcome,
    alone=handle_application_event,
)
