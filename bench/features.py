"""The features as the report measures them: events through the real workers, effects in the store.

Every event-driven feature runs in one worker group (``rsc worker`` for its queue, the processes and
threads of the ceilings) against the LinkedIn sandbox with its limits lifted. Its rate is taken at
saturation, its latencies at an offered load (``bench.measurement.run_phases``); the effect time of
an event is its inbox row's ``processed_at``, written in the transaction that commits the effect.

- **profile export**: ``linkedin.export.requested`` for exports waiting in the sandbox: the export is
  fetched from LinkedIn and the candidate, application and export record written;
- **status push**: ``ats.application.status_changed`` for 50 applications, stored in order and marked
  for LinkedIn in the outbox (the push itself is the outbox sweep's, batched by design);
- **profile matching**: ``ats.candidate.created``, stored by ``status_push`` and matched by
  ``profile_match`` against the tenant's members (the latency ends at the match);
- **deletion cascade**: ``ats.candidate.deleted`` for candidates with two applications synced to
  LinkedIn; the latency ends at the erasure's commit, LinkedIn's deletes follow in the same message;
- **historical backfill**: a sync run of the tenant's whole store by a ``historical_backfill``
  worker of one process and thread, with the client's budget lifted: records a second and the worker
  process's peak resident set;
- **rsc match run**: the bulk matcher on a store of its own against the same data matched in memory.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.export_throughput import prepare_exports
from bench.measurement import LIFTED_BUDGETS, Measurement, inbox_times, run_phases, wait_for
from events.messages import OutgoingMessage, to_messages
from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.catalog import parse_event
from schemas.envelope import Event
from store.db import get_store
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from tests.e2e.pipeline import Pipeline

TENANT = "bench"  # the tenant ``bench.export_throughput.prepare_exports`` creates
FEATURE_QUEUES = ("profile_export", "status_push", "profile_match", "deletion_cascade")
T0 = datetime(2026, 5, 1, tzinfo=UTC)
APPLICATIONS = 50


@dataclass(frozen=True)
class Sizes:
    """How many events each measurement publishes."""

    #: Published at once for the rate.
    burst: int
    #: Published at the offered load for the latencies.
    paced: int
    #: Events a second offered for the latencies (lowered to half a measurement's rate if above it).
    offered: float
    deletions: int
    #: Members in the store the matched candidates are compared with.
    members: int
    #: The history the backfill sends (``bench.backfill``).
    backfill_records: int
    #: Candidates x members of the bulk matching run.
    bulk_matching: int
    raw_messages: int
    publisher_messages: int
    #: The paced phase stops after this many seconds (a slow feature gets fewer latency samples).
    paced_seconds: float = 20.0
    #: Tenant A's unmarked flood in ``bench.isolation`` (PostgreSQL only).
    flood: int = 20_000
    #: Seconds tenant B is measured alone there: B's p99 alone is the denominator of its ratio, so it
    #: needs about as many events as B publishes during a 20,000 flood (600 at 150 s).
    b_alone_seconds: float = 150.0
    processes: int = 2
    threads: int = 8
    timeout: float = 600


def _keyed(events: list[Event], queue: str | None) -> list[tuple[str, list[OutgoingMessage]]]:
    """(event id, its messages) per event; only the message for ``queue`` when given."""
    return [
        (event.id, [m for m in to_messages(event) if queue is None or m.queue == queue]) for event in events
    ]


def _phases(
    label: str,
    publisher: Publisher,
    consumer: str,
    events: list[Event],
    sizes: Sizes,
    *,
    warmup: list[Event],
    queue: str | None = None,
) -> Measurement:
    def send(chunks: list[list[OutgoingMessage]]) -> None:
        publisher.publish_messages([message for chunk in chunks for message in chunk])

    keys = {event.id for event in warmup + events}
    assert len(keys) == len(warmup) + len(events), "event ids must be unique"
    return run_phases(
        label,
        send,
        warmup=_keyed(warmup, queue),
        burst=_keyed(events[: sizes.burst], queue),
        paced=_keyed(events[sizes.burst :], queue),
        offered=sizes.offered,
        done=lambda: inbox_times(TENANT, consumer),
        timeout=sizes.timeout,
        paced_seconds=sizes.paced_seconds,
    )


# -- the data -----------------------------------------------------------------------------------------


def _event(kind: str, event_id: str, data: dict[str, object]) -> Event:
    stamp = {"created_at": T0.isoformat(), "modified_at": T0.isoformat()}
    return parse_event(
        {
            "type": f"ats.{kind}.v1",
            "id": event_id,
            "source": "ats://bench",
            "tenant": TENANT,
            "data": {**stamp, **data},
        }
    )


def _candidate(candidate_id: str, n: int) -> dict[str, object]:
    return {
        "candidate_id": candidate_id,
        "first_name": f"Ada{n}",
        "last_name": f"Lovelace{n}",
        "emails": [f"ada{n}@example.org"],
        "current_company": "Acme",
        "current_title": "Engineer",
    }


def _application_event(application: str, step: int) -> Event:
    at = (T0 + timedelta(milliseconds=step)).isoformat()
    status = f"Status {step}"
    return _event(
        "application.created" if step == 0 else "application.status_changed",
        f"{application}:{step}",
        {
            "application_id": application,
            "candidate_id": "C-1",
            "job_id": "J-1",
            "status": status,
            "modified_at": at,
            "revision": step,
            "transition": {"transition_id": f"{application}-{step}", "status": status, "changed_at": at},
        },
    )


def _observe_members(count: int) -> None:
    with UnitOfWork(TENANT, get_store()) as uow:
        for n in range(count):
            uow.members.observe(
                MemberObservation(
                    f"urn:li:person:m{n}", MemberSource.EXPORT, T0, first_name=f"Ada{n}",
                    last_name=f"Lovelace{n}", emails=[f"ada{n}@example.org"], companies=["Acme"],
                    title="Engineer", location="Berlin",
                )
            )  # fmt: skip
        uow.commit()


# -- the measurements ---------------------------------------------------------------------------------


def _synced_candidates(count: int) -> list[str]:
    """``count`` candidates with two applications each, pushed to LinkedIn (the sandbox)."""
    from linkedin.client import LinkedInClients
    from schemas.ats import CandidateSnapshot, StageTransition
    from store.base import to_ms, utcnow
    from store.linkedin_sync import Resource
    from workers.runtime.wiring import linkedin_for, use_linkedin_clients
    from workers.shared.outbox_sweep import sweep_outbox

    # This pipeline's sandbox and store, not an earlier one's.
    use_linkedin_clients(LinkedInClients(get_settings(), get_store))
    now = utcnow()
    ids = [f"D-{n}" for n in range(count)]
    with UnitOfWork(TENANT, get_store()) as uow:
        changed: list[tuple[Resource, str]] = [(Resource.JOB, "J-1")]
        for n, candidate_id in enumerate(ids):
            uow.candidates.apply(
                CandidateSnapshot.model_validate(
                    {**_candidate(candidate_id, n), "created_at": now, "modified_at": now}
                )
            )
            changed.append((Resource.CANDIDATE, candidate_id))
            for a in range(2):
                application_id = f"{candidate_id}-{a}"
                uow.applications.create(
                    id=application_id, candidate_id=candidate_id, job_id="J-1", status="Applied",
                    source="Career site", created_at=now, modified_at=now, source_modified_ms=to_ms(now),
                    source_revision=1,
                )  # fmt: skip
                uow.applications.add_stage(
                    application_id,
                    StageTransition(transition_id=f"{application_id}-0", status="Applied", changed_at=now),
                )
                changed.append((Resource.APPLICATION, application_id))
        uow.outbox.mark_all_changed(changed)
        uow.commit()
    linkedin = linkedin_for(TENANT)
    while True:
        uow, settings = UnitOfWork(TENANT, get_store()), get_settings()
        report = sweep_outbox(uow, linkedin, grace=timedelta(0), max_wait=timedelta(0), settings=settings)
        if report.interrupted:
            raise RuntimeError("pushing the candidates to be deleted to the sandbox was interrupted")
        if not sum(report.sent.values()):
            return ids


def prepare(pipeline: Pipeline, sizes: Sizes) -> tuple[list[Event], list[str]]:
    """The tenant, its exports waiting in the sandbox, members, and candidates synced to LinkedIn."""
    warm = sizes.processes * sizes.threads
    exports: list[Event] = list(prepare_exports(pipeline, warm + sizes.burst + sizes.paced))
    _observe_members(sizes.members)
    return exports, _synced_candidates(warm + 2 * sizes.deletions)


def measure_features(
    pipeline: Pipeline, sizes: Sizes, exports: list[Event], deleted: list[str]
) -> list[Measurement]:
    from bench.deletion_cascade import deletion

    warm = sizes.processes * sizes.threads
    pipeline.start_workers(
        "features", *FEATURE_QUEUES, processes=sizes.processes, threads=sizes.threads, env=LIFTED_BUDGETS
    )
    publisher = Publisher(settings=get_settings())
    try:
        results = [
            _phases(
                "profile export", publisher, "profile_export", exports[warm:], sizes, warmup=exports[:warm]
            )
        ]
        candidate = _event("candidate.created", "C-1", _candidate("C-1", 0))
        steps = [_application_event(f"A-{n}", 0) for n in range(APPLICATIONS)]
        changes = [
            _application_event(f"A-{n % APPLICATIONS}", 1 + n // APPLICATIONS)
            for n in range(sizes.burst + sizes.paced)
        ]
        results.append(
            _phases("status push", publisher, "status_push", changes, sizes, warmup=[candidate, *steps])
        )
        candidates = [
            _event("candidate.created", f"M-{n}", _candidate(f"M-{n}", n % max(sizes.members, 1)))
            for n in range(warm + sizes.burst + sizes.paced)
        ]
        results.append(
            _phases(
                "profile matching (per candidate event)",
                publisher,
                "profile_match",
                candidates[warm:],
                sizes,
                warmup=candidates[:warm],
            )
        )
        deletions: list[Event] = [deletion(candidate_id) for candidate_id in deleted]
        deletion_sizes = replace(sizes, burst=sizes.deletions)  # as many again paced
        results.append(
            _phases(
                "deletion cascade",
                publisher,
                "deletion_cascade",
                deletions[warm:],
                deletion_sizes,
                warmup=deletions[:warm],
            )
        )
        return results
    finally:
        publisher.close()
        pipeline.kill("features")


def measure_dedicated_backfill(database: str, records: int) -> Measurement | None:
    """``bench.backfill`` on a history of ``records`` records with the limits lifted; None without it."""
    try:
        from bench.backfill import measure_backfill as dedicated
    except ImportError:
        return None
    result = dedicated(records, database, "lifted")
    return Measurement(
        "historical backfill (bench.backfill)",
        int(result["done"]),
        float(result["seconds"]),
        unit="records",
        note=f"{int(result['records']):,} records seeded; peak RSS {float(result['peak_rss_mib']):.0f} MiB",
    )


def measure_backfill(pipeline: Pipeline, sizes: Sizes) -> Measurement:
    """A sync run of everything in the tenant's store by one worker process with one thread (what the
    report measures when ``bench.backfill`` is not there)."""
    from sqlalchemy import select

    from store.backfill import BackfillKind, BackfillRun, BackfillState
    from workers.shared.backfill_runs import request_runner, start_run

    with UnitOfWork(TENANT, get_store()) as uow:
        run = start_run(uow, BackfillKind.SYNC, "benchmark").run
        uow.commit()
    pipeline.start_workers("backfill", "historical_backfill", processes=1, threads=1, env=LIFTED_BUDGETS)
    worker = pipeline.processes["backfill"].pid
    publisher = Publisher(settings=get_settings())
    try:
        request_runner(UnitOfWork(TENANT, get_store()), run, publisher)

        def finished() -> int:
            with UnitOfWork(TENANT, get_store()) as uow:
                state = uow.session.scalar(select(BackfillRun.state).where(BackfillRun.run == run))
                if state not in (BackfillState.RUNNING, BackfillState.DONE):
                    raise RuntimeError(f"the backfill run is {state}, not running")
                return int(state == BackfillState.DONE)

        wait_for(finished, 1, timeout=sizes.timeout, interval=0.1, what="the backfill run")
        peak = peak_rss_mib(worker)
        with UnitOfWork(TENANT, get_store()) as uow:
            row = uow.backfills.get(run)
            assert row is not None and row.running_since is not None and row.finished_at is not None
            records = uow.backfills.done_records(row)
            seconds = (row.finished_at - row.running_since).total_seconds()
    finally:
        publisher.close()
        pipeline.kill("backfill")
    return Measurement(
        "historical backfill (sync run)",
        records,
        seconds,
        unit="records",
        note=f"peak RSS {peak:.0f} MiB",
    )


def peak_rss_mib(root: int) -> float:
    """The largest peak resident set (VmHWM) among ``root`` and its descendants, in MiB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    peak, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return peak


def measure_bulk_matching(database: str, count: int) -> tuple[Measurement, Measurement]:
    """``rsc match run`` on a fresh store of ``database`` and the same data matched in memory."""
    from bench.matching_data import SETTINGS, generate
    from bench.matching_store import TENANT as MATCH_TENANT
    from bench.matching_store import database as match_database
    from bench.matching_store import load
    from matching.matcher import Matcher
    from store.db import Store
    from store.migrate import upgrade
    from workers.profile_matching.bulk import match_tenant

    data = generate(SETTINGS["hard"], seed=7, candidates=count, members=count)
    started = time.perf_counter()
    results = list(Matcher(data.members).match_all(data.candidates))
    memory = Measurement(
        "matcher in memory (hard data)", len(results), time.perf_counter() - started, unit="candidates"
    )
    with match_database(database) as url:
        upgrade(get_store(url))
        store = Store(url, keyring=get_store(url).keyring)
        try:
            load(store, data)
            run = match_tenant(store, MATCH_TENANT)
        finally:
            store.dispose()
    stored = Measurement("rsc match run (bulk, store)", run.candidates, run.seconds, unit="candidates")
    return memory, stored


def lifted_budgets() -> dict[str, str | None]:
    """Lift the budgets of the bench process's own client; the previous values, to restore."""
    saved = {key: os.environ.get(key) for key in LIFTED_BUDGETS}
    os.environ.update(LIFTED_BUDGETS)
    return saved
