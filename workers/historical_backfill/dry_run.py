"""``rsc backfill start --dry-run``: what a run would send, phase by phase, counted from the store
without calling LinkedIn, and how long each phase takes on LinkedIn's real budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rsc.settings import Settings
from store.backfill import BackfillKind
from store.backfill_phases import resource_of
from store.linkedin_sync import Resource
from store.uow import UnitOfWork
from workers.historical_backfill.budget import BATCH, batch_calls, phase_seconds
from workers.shared.backfill_runs import PHASES
from workers.shared.linkedin_push import BUILDERS


@dataclass
class DryRunCount:
    #: The phase (``store.backfill_phases.Phase``).
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
    #: Of those, the stage calls (their own endpoint family and daily budget).
    stage_calls: int = 0
    #: Seconds the phase needs on the bulk share of the real budget, and since the run's start.
    eta_s: float = 0.0
    done_after_s: float = 0.0


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
        phases = self.counts[-1].done_after_s if self.counts else 0.0
        return max(self.minutes_for_records * 60, self.days_for_calls * 86_400, phases)


def dry_run(uow_factory: Callable[[], UnitOfWork], *, settings: Settings) -> DryRun:
    """Count what a sync would send, phase by phase and batch by batch as it would, changing nothing.

    A record is counted in the first phase that would send it only."""
    counts: list[DryRunCount] = []
    phases = PHASES[BackfillKind.SYNC]
    elapsed = 0.0
    for index, phase in enumerate(phases):
        resource = resource_of(phase)
        earlier = [p for p in phases[:index] if resource_of(p) is resource]
        count = DryRunCount(phase)
        after: str | None = None
        while True:
            uow = uow_factory()
            with uow:  # never committed: builders may touch the outbox, which is rolled back
                ids = uow.backfills.page(phase, after=after, limit=BATCH, excluding=earlier)
                if not ids:
                    break
                _dry_batch(uow, resource, ids, count, settings)
            after = ids[-1]
        count.eta_s = phase_seconds(
            count.send + count.stages, [count.calls - count.stage_calls, count.stage_calls], settings
        )
        elapsed += count.eta_s
        count.done_after_s = elapsed
        counts.append(count)
    return _totals(counts, settings)


def _totals(counts: list[DryRunCount], settings: Settings) -> DryRun:
    records = sum(c.send + c.stages for c in counts)
    by_family: dict[Resource, int] = {}
    stage_calls = 0
    for c in counts:
        resource = resource_of(c.resource)
        by_family[resource] = by_family.get(resource, 0) + c.calls - c.stage_calls
        stage_calls += c.stage_calls
    busiest = max([*by_family.values(), stage_calls, 0])
    return DryRun(
        counts=counts,
        linkedin_records=records,
        minutes_for_records=phase_seconds(records, [], settings) / 60,
        days_for_calls=phase_seconds(0, [busiest], settings) / 86_400,
    )


def _dry_batch(
    uow: UnitOfWork, resource: Resource, ids: list[str], count: DryRunCount, settings: Settings
) -> None:
    count.records += len(ids)
    if resource is Resource.APPLICATION:
        _dry_applications(uow, ids, count)
        return
    bodies, invalid, later = BUILDERS[resource](uow, dict.fromkeys(ids, 0), settings)
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
        count.calls += batch_calls(len(bodies))
    count.skip += len(ids) - len(bodies) - len(invalid) - len(later)


def _dry_applications(uow: UnitOfWork, ids: list[str], count: DryRunCount) -> None:
    sent = stage_calls = 0
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
            stage_calls += 1 if stages else 0
    count.stage_calls += stage_calls
    count.calls += batch_calls(sent) + stage_calls
    count.send += sent
