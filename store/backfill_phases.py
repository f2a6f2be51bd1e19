"""The phases of a historical sync: which records each one sends, useful ones first.

A sync sends what recruiters look at first before the rest: the open jobs, then the jobs, candidates
and applications (with their stages) active in the last ``RECENT`` days, then everything else, notes
last. Each phase is one resource's records that match its predicate (``members``), read in id order
with keyset pagination.

**Nothing twice.** A phase leaves out the records the run has covered already
(``covered_since``): those whose outbox row is in sync and whose last change was marked after the run
started, which LinkedIn therefore holds as they are now (an earlier phase sent them, or the live
sweep did). A record that changed again since is dirty, so the phase sends its current state.

**What the live sweep may push while a sync runs** (``reach``): a record the sync has reached, that
is, a member of a phase that is finished, or of the phase in progress up to its cursor. The others
are the sync's to send when it gets there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select
from sqlalchemy.orm import Session

from store.applications import Application, ApplicationStage
from store.ats_notes import AtsNote
from store.candidates import Candidate
from store.jobs import Job
from store.linkedin_sync import Resource, SyncState

#: Applications changed (or moved to a stage) within this long before a run started are recent.
RECENT = timedelta(days=90)


class Phase(StrEnum):
    #: Published jobs.
    OPEN_JOB = "open_job"
    #: The other jobs with a recent application (LinkedIn takes an application only after its job).
    RECENT_JOB = "recent_job"
    #: The candidates of recent applications.
    RECENT_CANDIDATE = "recent_candidate"
    #: Applications active in the last ``RECENT`` days, with their stages.
    RECENT_APPLICATION = "recent_application"
    JOB = "job"
    CANDIDATE = "candidate"
    APPLICATION = "application"
    NOTE = "note"


#: The resource each phase sends.
RESOURCES: dict[str, Resource] = {
    Phase.OPEN_JOB: Resource.JOB,
    Phase.RECENT_JOB: Resource.JOB,
    Phase.RECENT_CANDIDATE: Resource.CANDIDATE,
    Phase.RECENT_APPLICATION: Resource.APPLICATION,
    Phase.JOB: Resource.JOB,
    Phase.CANDIDATE: Resource.CANDIDATE,
    Phase.APPLICATION: Resource.APPLICATION,
    Phase.NOTE: Resource.NOTE,
}

#: A sync's phases in order: useful first.
SYNC_PHASES: tuple[Phase, ...] = tuple(Phase)

#: Where each resource's records live: (id column, tenant column).
SOURCES: dict[Resource, tuple[Any, Any]] = {
    Resource.JOB: (Job.id, Job.tenant_id),
    Resource.CANDIDATE: (Candidate.id, Candidate.tenant_id),
    Resource.APPLICATION: (Application.id, Application.tenant_id),
    Resource.NOTE: (AtsNote.id, AtsNote.tenant_id),
}


def resource_of(phase: str) -> Resource:
    return RESOURCES[phase]


def recent_since(started: datetime) -> datetime:
    """The cutoff of a run's recent records: ``RECENT`` before it started (fixed for the whole run)."""
    return started - RECENT


def _recent_applications(tenant: str, since: datetime) -> ColumnElement[bool]:
    stage_moved = exists().where(
        ApplicationStage.tenant_id == tenant,
        ApplicationStage.application_id == Application.id,
        ApplicationStage.changed_at >= since,
    )
    return and_(Application.tenant_id == tenant, or_(Application.modified_at >= since, stage_moved))


def members(phase: str, tenant: str, since: datetime) -> ColumnElement[bool] | None:
    """The predicate (on the phase's source table) of its records; None: every record."""
    if phase == Phase.OPEN_JOB:
        return Job.state == "published"
    if phase == Phase.RECENT_JOB:
        return Job.id.in_(select(Application.job_id).where(_recent_applications(tenant, since)))
    if phase == Phase.RECENT_CANDIDATE:
        return Candidate.id.in_(select(Application.candidate_id).where(_recent_applications(tenant, since)))
    if phase == Phase.RECENT_APPLICATION:
        return _recent_applications(tenant, since)
    return None


def covered(resource: Resource, tenant: str, column: Any, since: datetime) -> ColumnElement[bool]:
    """Records whose outbox row is in sync with a change marked at or after ``since``."""
    return exists().where(
        SyncState.tenant_id == tenant,
        SyncState.resource == resource.value,
        SyncState.entity_id == column,
        SyncState.version == SyncState.synced_version,
        SyncState.changed_at >= since,
    )


def phase_select(
    phase: str,
    tenant: str,
    *,
    since: datetime,
    after: str | None = None,
    through: str | None = None,
    covered_since: datetime | None = None,
    excluding: Sequence[str] = (),
) -> Any:
    """``SELECT id`` of the phase's records after ``after`` (up to ``through``), in no order yet.

    ``covered_since`` leaves out what the run has covered; ``excluding`` the members of other phases
    (an estimate of what a phase not yet started will leave to this one).
    """
    resource = resource_of(phase)
    column, tenant_column = SOURCES[resource]
    stmt = select(column).where(tenant_column == tenant)
    predicate = members(phase, tenant, since)
    if predicate is not None:
        stmt = stmt.where(predicate)
    for other in excluding:
        other_predicate = members(other, tenant, since)
        stmt = stmt.where(not_(other_predicate) if other_predicate is not None else false())
    if after is not None:
        stmt = stmt.where(column > after)
    if through is not None:
        stmt = stmt.where(column <= through)
    if covered_since is not None:
        stmt = stmt.where(not_(covered(resource, tenant, column, covered_since)))
    return stmt


def count_of(stmt: Any) -> Any:
    return select(func.count()).select_from(stmt.subquery())


def reach(
    phases: Sequence[tuple[str, str | None, bool]], resource: Resource, tenant: str, since: datetime
) -> ColumnElement[bool] | bool:
    """What of ``resource`` the live sweep may push (a predicate on the outbox's entity id), given the
    run's phases as (phase, cursor's last done id, finished): True when all of it, False none of it."""
    own = [(p, after, done) for p, after, done in phases if resource_of(p) is resource]
    if all(done for _, _, done in own):
        return True
    reached: list[ColumnElement[bool]] = []
    for phase, after, done in own:
        if not done and after is None:
            continue
        predicate = members(phase, tenant, since)
        if predicate is None:
            if done:
                return True
            reached.append(SyncState.entity_id <= after)
            continue
        ids = phase_select(phase, tenant, since=since, through=None if done else after)
        reached.append(SyncState.entity_id.in_(ids))
    return or_(*reached) if reached else False


def stage_load(session: Session, tenant: str, applications: Any) -> tuple[int, int]:
    """(stages LinkedIn does not hold yet, applications having any) of the ``SELECT id`` of
    ``applications``: what their stage calls will carry."""
    row = session.execute(
        select(func.count(), func.count(ApplicationStage.application_id.distinct())).where(
            ApplicationStage.tenant_id == tenant,
            ApplicationStage.synced_at.is_(None),
            ApplicationStage.application_id.in_(applications),
        )
    ).one()
    return int(row[0]), int(row[1])
