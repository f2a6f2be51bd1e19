"""Candidate events: stored against the bare ceiling, and matched after storage.

    python -m bench.candidate_flow [--events 2000] [--processes 2] [--threads 8] [--members 2000]
    python -m bench.candidate_flow --profile 300 [--profile-out candidates.pstats]

Measured in one run, with the same worker processes and threads: the ceiling (a bare Dramatiq actor
committing one one-row transaction per message, ``bench.export_throughput``); ``ats.candidate.created``
events for new candidates stored by the ``status_push`` workers, the queue filled before the workers
start, from the first commit to the last; their matches drained by the ``profile_match`` workers,
started after them (first match commit to last); then, with both running, more candidates published
one by one at half the rate of the slower of the two (the chain's maximum): each one's time from publish
to the commit of its storage and to the commit of its match (against ``members`` members the
tenant's exports taught, one in two candidates with a member to find), and the error and warning
lines the workers logged meanwhile. Beside the rates, the CPU time every process of the machine spent
per event from the first commit to the last of the ceiling and of the stored candidates, by kind
(``bench.process_cpu``): steadier than a rate when the machine's neighbours come and go.

``--profile N``: what one candidate event costs a single ``status_push`` worker thread in this
process (CPU, SQL statements and log lines per message), then a cProfile of N more.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select

from bench.harness import (
    Latency,
    Rate,
    WorkerProfile,
    bench_pipeline,
    inbox_times,
    profile_worker,
    publish_all,
)
from bench.measurement import LIFTED_BUDGETS, latencies, publish_paced, wait_counted
from bench.process_cpu import KINDS, CpuSampler
from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.catalog import parse_event
from schemas.envelope import Event
from store.db import get_store
from store.inbox import InboxEntry
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import onboard
from workers.profile_matching.matching import CONSUMER as MATCHED
from workers.status_push.ats_records import CONSUMER as STORED

TENANT = "bench-candidates"
ORG = "urn:li:organization:904"
T0 = datetime(2026, 5, 1, tzinfo=UTC)


def candidate_created(candidate_id: str, n: int) -> Event:
    """A new candidate; the ``n``-th shares its e-mail address with the ``n``-th member."""
    return parse_event(
        {
            "type": "ats.candidate.created.v1",
            "id": f"{candidate_id}:created",
            "source": "ats://bench",
            "tenant": TENANT,
            "data": {
                "candidate_id": candidate_id,
                "first_name": f"Ada{n}",
                "last_name": f"Lovelace{n}",
                "emails": [f"ada{n}@example.org"],
                "current_company": "Acme",
                "current_title": "Engineer",
                "created_at": T0.isoformat(),
                "modified_at": T0.isoformat(),
            },
        }
    )


def observe_members(count: int) -> None:
    """``count`` members, as the tenant's exports would have taught them."""
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


def _candidates(prefix: str, count: int, members: int) -> list[Event]:
    # One in two candidates has a member to find; the others match nobody.
    return [
        candidate_created(f"{prefix}-{n:06d}", n if n % 2 == 0 and n < members else members + n)
        for n in range(count)
    ]


def _stored_count() -> int:
    with UnitOfWork(TENANT, get_store()) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(InboxEntry).where(InboxEntry.consumer == STORED)
            )
            or 0
        )


def measure_candidates_stored(pipeline: Pipeline, events: int, processes: int, threads: int) -> Rate:
    """``events`` new candidates stored by the ``status_push`` workers: first commit to last."""
    candidates = _candidates("C", events, 0)
    publisher = Publisher(settings=get_settings())
    publisher.publish_many(candidates)
    publisher.close()
    ids = {event.id for event in candidates}
    pipeline.start_workers("status", "status_push", processes=processes, threads=threads, env=LIFTED_BUDGETS)
    # Counted while the workers run (one count a poll, as the ceiling's), read once at the end.
    wait_counted(TENANT, STORED, ids, timeout=600, interval=0.5, what="candidates stored")
    times = sorted(at for key, at in inbox_times(TENANT, STORED).items() if key in ids)
    seconds = max(times[-1] - times[0], 1e-9)
    return Rate("ats.candidate.created stored (status_push)", len(times) - 1, seconds, times[0])


def _problem_lines(pipeline: Pipeline, names: tuple[str, ...]) -> list[str]:
    """The warning and error lines the named processes logged (JSON lines)."""
    found = []
    for name in names:
        path = pipeline.logs / f"{name}.log"
        for line in path.read_text(errors="replace").splitlines() if path.exists() else ():
            try:
                level = str(json.loads(line).get("level", "")).lower()
            except (ValueError, AttributeError):
                level = "error" if "Traceback" in line else ""
            if level in ("warning", "error", "critical"):
                found.append(line)
    return found


def measure_matches_drained(pipeline: Pipeline, events: int, processes: int, threads: int) -> Rate:
    """The matches of the ``events`` candidates stored before (queued while no ``profile_match``
    worker ran) drained by the ``profile_match`` workers, started now: first match commit to last.
    Every one of those candidates has a member to find, so this is matching at its dearest."""
    pipeline.start_workers("match", "profile_match", processes=processes, threads=threads, env=LIFTED_BUDGETS)
    ids = {event.id for event in _candidates("C", events, 0)}
    wait_counted(TENANT, MATCHED, ids, timeout=600, interval=0.5, what="candidates matched")
    times = sorted(at for key, at in inbox_times(TENANT, MATCHED).items() if key in ids)
    return Rate("candidates matched (profile_match)", len(times) - 1, max(times[-1] - times[0], 1e-9))


def measure_match_latency(
    pipeline: Pipeline, events: int, per_second: float, processes: int, threads: int, members: int
) -> tuple[Latency, Latency, list[str]]:
    """New candidates published one by one at ``per_second`` to the running ``status_push`` and
    ``profile_match`` workers: publish to stored, publish to matched, and the problem lines logged."""
    warm = _candidates("W", processes * threads, members)
    publisher = Publisher(settings=get_settings())
    publisher.publish_many(warm)
    ids = {event.id for event in warm}
    wait_counted(TENANT, MATCHED, ids, timeout=600, interval=0.1, what="warm-up matched")
    before = len(_problem_lines(pipeline, ("status", "match")))
    candidates = _candidates("L", events, members)

    def send(chunk: list[Event]) -> None:
        for event in chunk:
            publisher.publish(event)

    published = publish_paced(send, [(e.id, e) for e in candidates], per_second)
    wait_counted(TENANT, MATCHED, set(published), timeout=600, interval=0.5, what="candidates matched")
    publisher.close()
    stored_at, matched_at = inbox_times(TENANT, STORED), inbox_times(TENANT, MATCHED)
    at = f"at {per_second:.0f}/s"
    return (
        Latency(f"candidate event to match {at}", per_second, latencies(published, matched_at)),
        Latency(f"candidate event to stored {at}", per_second, latencies(published, stored_at)),
        _problem_lines(pipeline, ("status", "match"))[before:],
    )


def _profile_candidates(pipeline: Pipeline, events: int, *, out: str | None = None) -> list[WorkerProfile]:
    """CPU, statements and log lines per candidate event, one ``status_push`` worker thread in this
    process (as ``bench.export_throughput --profile``), then a cProfile of ``events`` more."""
    from bench.export_throughput import use_pipeline_broker

    use_pipeline_broker()
    onboard(pipeline, TENANT, org=ORG)

    def batch(prefix: str, count: int) -> Callable[[], int]:
        return publish_all(_candidates(prefix, count, 0))

    profile_worker("warm-up", "status_push", batch("W", 20), _stored_count)
    measured = profile_worker("candidate created", "status_push", batch("P", events), _stored_count)
    profiled = profile_worker(
        "candidate created (profiled)", "status_push", batch("Q", events), _stored_count, profile=True
    )
    profiled.print_profile(lines=40, out=out)
    return [measured, profiled]


def throughput(events: int, processes: int, threads: int, members: int) -> None:
    from bench.export_throughput import measure_ceiling

    with bench_pipeline(RSC_LOG_LEVEL="INFO") as pipeline:
        onboard(pipeline, TENANT, org=ORG)
        observe_members(members)
        with CpuSampler() as cpu:
            floor = measure_ceiling(pipeline, events, processes, threads)
            stored = measure_candidates_stored(pipeline, events, processes, threads)
        floor_cpu, stored_cpu = cpu.spent(*floor.span), cpu.spent(*stored.span)
        drained = measure_matches_drained(pipeline, events, processes, threads)
        # The chain stores and matches no faster than its slower half.
        chain = min(stored.per_second, drained.per_second)
        matched, to_store, problems = measure_match_latency(
            pipeline, events // 2, chain / 2, processes, threads, members
        )
    print(f"## Candidate events, postgresql, {processes} processes x {threads} threads\n")
    print("| measurement | events | seconds | events/s | ratio |")
    print("|---|---:|---:|---:|---:|")
    print(f"| {floor.label} | {floor.events} | {floor.seconds:.2f} | {floor.per_second:.0f} | 1.00 |")
    print(
        f"| {stored.label} | {stored.events} | {stored.seconds:.2f} | {stored.per_second:.0f} | "
        f"{stored.ratio_to(floor):.2f} of the ceiling |"
    )
    print(
        f"| {drained.label} | {drained.events} | {drained.seconds:.2f} | {drained.per_second:.0f} | "
        f"{drained.ratio_to(floor):.2f} of the ceiling |"
    )
    print("\nCPU per event, first commit to last, every process of the machine by kind (ms):\n")
    print(f"| measurement | {' | '.join(KINDS)} | total |")
    print(f"|---|{'---:|' * (len(KINDS) + 1)}")
    for rate, spent in ((floor, floor_cpu), (stored, stored_cpu)):
        per_event = [spent[kind] * 1000 / rate.events for kind in KINDS]
        print(f"| {rate.label} | {' | '.join(f'{ms:.2f}' for ms in per_event)} | {sum(per_event):.2f} |")
    ratio = (sum(floor_cpu.values()) / floor.events) / (sum(stored_cpu.values()) / stored.events)
    print(f"\nThe ceiling's CPU per event over a stored candidate's: {ratio:.2f}")
    for latency in (to_store, matched):
        print(
            f"\n{latency.label} ({len(latency.seconds)} events, half the rate of the chain's slower half): "
            f"p50 {latency.p50_ms:.0f} ms, p99 {latency.p99_ms:.0f} ms"
        )
    print(f"\nWarning and error lines logged by the workers meanwhile: {len(problems)}")
    for line in problems[:10]:
        print(f"    {line[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--profile", type=int, metavar="N", help="profile N candidate events in one thread")
    parser.add_argument("--profile-out", help="where --profile keeps its raw cProfile stats")
    args = parser.parse_args()
    if args.profile:
        with bench_pipeline() as pipeline:
            profiles = _profile_candidates(pipeline, args.profile, out=args.profile_out)
        for profile in profiles:
            print(profile.summary())
        return
    throughput(args.events, args.processes, args.threads, args.members)


if __name__ == "__main__":
    main()
