"""``rsc backfill dry-run``: what a run would send, counted from the store without calling LinkedIn."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from rsc.settings import get_settings
from store.backfill import BackfillKind
from store.linkedin_sync import Resource
from store.uow import UnitOfWork
from workers.historical_backfill.runner import BATCH
from workers.shared.backfill_runs import PHASES
from workers.shared.linkedin_push import BUILDERS


@dataclass
class DryRunCount:
    resource: str
    records: int = 0
    #: Records a sync would send, refuse (the reason names the field) or leave waiting.
    send: int = 0
    refuse: int = 0
    wait: int = 0
    skip: int = 0
    #: Stage records sent with the applications.
    stages: int = 0
    #: Calls the sends take (batches of 100, one stage call per application with stages, one notes
    #: call per parent and batch).
    calls: int = 0


@dataclass
class DryRun:
    counts: list[DryRunCount]
    #: Records LinkedIn counts (stages included) and the time the bulk budget needs for them.
    linkedin_records: int
    minutes_for_records: float
    #: Days the busiest endpoint family's daily call budget needs (its bulk share).
    days_for_calls: float

    @property
    def estimated_s(self) -> float:
        return max(self.minutes_for_records * 60, self.days_for_calls * 86_400)


def dry_run(uow_factory: Callable[[], UnitOfWork]) -> DryRun:
    """Count what a sync would send, batch by batch as it would, changing nothing."""
    counts: list[DryRunCount] = []
    for resource in PHASES[BackfillKind.SYNC]:
        count = DryRunCount(resource.value)
        after: str | None = None
        while True:
            uow = uow_factory()
            with uow:  # never committed: builders may touch the outbox, which is rolled back
                ids = uow.backfills.page(resource, after=after, limit=BATCH)
                if not ids:
                    break
                _dry_batch(uow, resource, ids, count)
            after = ids[-1]
        counts.append(count)
    settings = get_settings()
    records = sum(c.send + c.stages for c in counts)
    per_minute = settings.linkedin_records_per_minute * settings.linkedin_bulk_share
    per_day = settings.linkedin_calls_per_day * settings.linkedin_bulk_share
    by_family = {c.resource: c.calls for c in counts}
    stage_calls = next(
        (c.calls - math.ceil(c.send / BATCH) for c in counts if c.resource == "application"), 0
    )
    busiest = max([*by_family.values(), stage_calls, 0])
    return DryRun(
        counts=counts,
        linkedin_records=records,
        minutes_for_records=records / per_minute if per_minute else math.inf,
        days_for_calls=busiest / per_day if per_day else math.inf,
    )


def _dry_batch(uow: UnitOfWork, resource: Resource, ids: list[str], count: DryRunCount) -> None:
    count.records += len(ids)
    if resource is Resource.APPLICATION:
        _dry_applications(uow, ids, count)
        return
    bodies, invalid, later = BUILDERS[resource](uow, dict.fromkeys(ids, 0))
    count.send += len(bodies)
    count.refuse += len(invalid)
    if resource is Resource.NOTE:
        # Notes wait for their parent only because it is not on LinkedIn yet: a sync sends it first.
        stored = uow.ats_notes.many(sorted(later))
        parents = {b.parent for b in bodies.values()}
        for note_id in later:
            note = stored.get(note_id)
            parent_known = note is not None and (
                uow.applications.get(note.application_id)
                if note.application_id
                else uow.candidates.get(note.candidate_id)
            )
            if parent_known and note is not None:
                count.send += 1
                parents.add(
                    (Resource.APPLICATION, note.application_id)
                    if note.application_id
                    else (Resource.CANDIDATE, note.candidate_id)
                )
            else:
                count.wait += 1
        count.calls += len(parents)
    else:
        count.wait += len(later)
        count.calls += math.ceil(len(bodies) / BATCH)
    count.skip += len(ids) - len(bodies) - len(invalid) - len(later)


def _dry_applications(uow: UnitOfWork, ids: list[str], count: DryRunCount) -> None:
    sent = 0
    for application_id in ids:
        application = uow.applications.get(application_id)
        if application is None:
            count.skip += 1
            continue
        job = uow.jobs.get(application.job_id)
        candidate = uow.candidates.get(application.candidate_id)
        if job is None or candidate is None:
            count.wait += 1
        elif not candidate.first_name:
            count.refuse += 1
        else:
            sent += 1
            stages = len(uow.applications.unsynced_stages(application_id))
            count.stages += stages
            count.calls += 1 if stages else 0
    count.send += sent
    count.calls += math.ceil(sent / BATCH)
