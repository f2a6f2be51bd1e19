"""The deletion cascade's cost: the erasure in the store, LinkedIn calls, throughput, log masking.

    python -m bench.deletion_cascade [--database postgresql|sqlite] [--throughput 200]

Against a fresh database and the LinkedIn sandbox in-process (its HTTP app behind a test client, rate
limits lifted), so the numbers are the pipeline's own work:

1. **One person, growing**: a candidate with N applications (5 stages each, all synced to LinkedIn),
   200 InMails, 20 prospect notes, 2 InMail stubs, a member record and match rows is deleted; the
   erasure transaction, the LinkedIn deletes and the whole handler are timed, LinkedIn's DELETE calls
   counted, and the erasure's peak Python memory measured.
2. **Throughput**: ``--throughput`` candidates with 5 synced applications each, deleted one after
   another by one thread.
3. **Log masking**: lines a second through the configured structlog pipeline, without and with the
   personal values of an event being masked.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from linkedin.client import LinkedInClient
from rsc.settings import get_settings, reset_settings
from schemas.ats import CandidateDeleted, CandidateDeletion, CandidateSnapshot, JobSnapshot, StageTransition
from schemas.linkedin import InMailMessage, NoteVisibility, ProspectNote
from store.base import to_ms, utcnow
from store.db import Store, get_store, reset_stores
from store.erasure import erase_candidate
from store.linkedin_sync import Resource
from store.mail_stubs import MailStubRecord
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from tests.sandbox_harness import SandboxHarness, running_sandbox
from workers.deletion_cascade.handlers import handle_candidate_deleted, push_window
from workers.profile_matching.matching import match_candidate
from workers.shared.outbox_sweep import sweep_outbox

TENANT = "bench"
ORG = "urn:li:organization:903"
CLIENT, SECRET = "bench-client", "bench-secret"
STAGES = 5


@contextlib.contextmanager
def environment(kind: str) -> Iterator[tuple[Store, SandboxHarness, LinkedInClient]]:
    with TemporaryDirectory(prefix="rsc-bench-") as tmp, contextlib.ExitStack() as stack:
        if kind == "sqlite":
            url = f"sqlite:///{tmp}/bench.db"
        else:
            from tests.infra import fresh_database, postgres_server

            url = stack.enter_context(fresh_database(stack.enter_context(postgres_server())))
        os.environ.update(
            RSC_DATABASE_URL=url,
            RSC_LINKEDIN_API_URL="http://testserver",
            RSC_SECRET_KEY=os.environ.get("RSC_SECRET_KEY") or "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMDA=",
            RSC_LOG_LEVEL="WARNING",
            # The sandbox's limits are lifted too: the set-up pushes far more than a minute's budget.
            RSC_LINKEDIN_RECORDS_PER_MINUTE="100000000",
            RSC_LINKEDIN_CALLS_PER_DAY="100000000",
        )
        reset_settings()
        reset_stores()
        get_store(url).create_all()
        sandbox = stack.enter_context(running_sandbox(Path(tmp), records_per_minute=None, calls_per_day=None))
        sandbox.create_app(CLIENT, SECRET, ORG)
        from tests.helpers import create_tenant

        create_tenant(TENANT, org=ORG, client_id=CLIENT, client_secret=SECRET)
        from rsc.logs import configure_logging

        configure_logging(
            get_settings(), process="bench"
        )  # warnings only: the handlers' info lines are not measured
        store = get_store(url)
        try:
            yield store, sandbox, sandbox.linkedin(CLIENT, SECRET, ORG)
        finally:
            reset_stores()


def person(store: Store, linkedin: LinkedInClient, key: str, applications: int, *, rich: bool) -> str:
    """A candidate with its applications synced to LinkedIn; with ``rich``, LinkedIn data too."""
    now = utcnow()
    candidate_id = f"C-{key}"
    urn = f"urn:li:person:{key}"
    with UnitOfWork(TENANT, store) as uow:
        if uow.jobs.get("J-1") is None:
            uow.jobs.apply(
                JobSnapshot(
                    job_id="J-1", title="Engineer", description="Builds", state="published",
                    location={"city": "Berlin", "country_code": "DE"}, created_at=now, modified_at=now,
                )
            )  # fmt: skip
            uow.outbox.mark_changed(Resource.JOB, "J-1")
        uow.candidates.apply(
            CandidateSnapshot(
                candidate_id=candidate_id, first_name=f"First{key}", last_name=f"Last{key}",
                emails=[f"{key}@example.org"], phones=[{"number": "+49 30 1234567"}],
                addresses=[{"city": "Berlin"}], current_company="Acme", created_at=now, modified_at=now,
            )
        )  # fmt: skip
        candidate = uow.candidates.get(candidate_id)
        assert candidate is not None
        candidate.person_urn = urn if rich else None
        changed: list[tuple[Resource, str]] = [(Resource.CANDIDATE, candidate_id)]
        for a in range(applications):
            application_id = f"A-{key}-{a}"
            uow.applications.create(
                id=application_id, candidate_id=candidate_id, job_id="J-1", status="Applied",
                source="Career site", created_at=now, modified_at=now, source_modified_ms=to_ms(now),
                source_revision=STAGES,
            )  # fmt: skip
            for s in range(STAGES):
                at = now - timedelta(minutes=STAGES - s)
                stage = StageTransition(transition_id=f"{application_id}-{s}", status=f"S{s}", changed_at=at)
                uow.applications.add_stage(application_id, stage)
            changed.append((Resource.APPLICATION, application_id))
        uow.outbox.mark_all_changed(changed)
        if rich:
            _linkedin_side(uow, key, urn, now)
        uow.commit()
    if rich:
        with UnitOfWork(TENANT, store) as uow:
            match_candidate(uow, candidate_id)
            uow.commit()
    report = sweep_outbox(
        UnitOfWork(TENANT, store),
        linkedin,
        grace=timedelta(0),
        max_wait=timedelta(0),
        settings=get_settings(),
    )
    assert not report.interrupted
    return candidate_id


def _linkedin_side(uow: UnitOfWork, key: str, urn: str, now: datetime) -> None:
    base = to_ms(now) - 3_600_000
    for i in range(200):
        uow.inmails.add(
            InMailMessage(
                event_id=f"E-{key}-{i}", thread=f"urn:li:messagingThread:{key}-{i % 5}",
                viewer="urn:li:seat:1", author="urn:li:seat:1", member=urn, created_ms=base + i,
                subject="Hello", body=f"Message {i}",
            )
        )  # fmt: skip
    for i in range(20):
        uow.prospect_notes.apply(
            ProspectNote(
                note_id=f"P-{key}-{i}", contract="urn:li:contract:1", owner="urn:li:seat:1", member=urn,
                text=f"Note {i}", visibility=NoteVisibility.ORGANIZATION, active=True,
                created_ms=base + i, last_modified_ms=base + i,
            )
        )  # fmt: skip
    for i in range(2):
        uow.mail_stubs.add(
            MailStubRecord(
                id=f"M-{key}-{i}", member_urn=urn, contract="urn:li:contract:1", owners=["urn:li:seat:1"],
                first_name=f"First{key}", last_name=f"Last{key}", email=f"{key}.{i}@example.org",
                phone="+49 151 1234567", consented_at=now, created_ms=base, last_modified_ms=base,
                candidate_id=f"C-{key}",
            )
        )  # fmt: skip
    uow.members.observe(
        MemberObservation(
            urn, MemberSource.EXPORT, now, first_name=f"First{key}", last_name=f"Last{key}",
            companies=["Acme"], location="Berlin",
        )
    )  # fmt: skip


def deletes(sandbox: SandboxHarness) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in sandbox.counters()["calls"]:
        if row["method"] == "DELETE":
            counts[row["resource"]] = counts.get(row["resource"], 0) + row["calls"]
    return counts


def deletion(candidate_id: str) -> CandidateDeleted:
    return CandidateDeleted(
        type="ats.candidate.deleted.v1",
        id=uuid.uuid4().hex,
        source="ats://bench",
        tenant=TENANT,
        data=CandidateDeletion(candidate_id=candidate_id, deleted_at=datetime.now(UTC)),
    )


def one_person(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, applications: int
) -> dict[str, Any]:
    key = f"p{applications}"
    candidate_id = person(store, linkedin, key, applications, rich=True)
    sandbox.control("POST", "/reset", json={"parts": ["counters"]})

    # The erasure alone, rolled back each time so the handler below still finds everything.
    def erase() -> Any:
        with UnitOfWork(TENANT, store) as uow:
            erasure = erase_candidate(
                uow,
                candidate_id,
                deleted_at=utcnow(),
                receipt_id="bench",
                push_window=push_window(settings=get_settings()),
            )
            uow.session.flush()
            return erasure

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        erasure = erase()
        timings.append(time.perf_counter() - started)
    erase_s = statistics.median(timings)
    tracemalloc.start()
    erase()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    outcome = handle_candidate_deleted(
        deletion(candidate_id), UnitOfWork(TENANT, store), linkedin, settings=get_settings()
    )
    total_s = time.perf_counter() - started
    assert outcome.state.value == "confirmed", outcome
    return {
        "applications": applications,
        "rows": sum(erasure.rows.values()),
        "erase_ms": erase_s * 1000,
        "handler_ms": total_s * 1000,
        "linkedin_ms": (total_s - erase_s) * 1000,
        "deletes": deletes(sandbox),
        "peak_mib": peak / 2**20,
    }


def throughput(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient, count: int
) -> dict[str, float]:
    ids = [person(store, linkedin, f"t{i}", 5, rich=False) for i in range(count)]
    sandbox.control("POST", "/reset", json={"parts": ["counters"]})
    times = []
    started = time.perf_counter()
    for candidate_id in ids:
        one = time.perf_counter()
        handle_candidate_deleted(
            deletion(candidate_id), UnitOfWork(TENANT, store), linkedin, settings=get_settings()
        )
        times.append(time.perf_counter() - one)
    elapsed = time.perf_counter() - started
    calls = deletes(sandbox)
    return {
        "per_second": count / elapsed,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": sorted(times)[int(len(times) * 0.95)] * 1000,
        "calls_per_deletion": sum(calls.values()) / count,
    }


def log_lines_per_second(lines: int = 20_000) -> tuple[float, float]:
    import structlog

    from rsc.logs import configure_logging, get_logger, masking, personal_values

    os.environ["RSC_LOG_LEVEL"] = "INFO"
    reset_settings()
    configure_logging(get_settings(), process="bench")
    with open(os.devnull, "w") as devnull:
        logging.getLogger().handlers[0].setStream(devnull)  # type: ignore[attr-defined]
        log = get_logger("bench")

        def run() -> float:
            started = time.perf_counter()
            for i in range(lines):
                log.info("candidate stored", candidate_id=f"C-{i}", reason="older snapshot ignored", count=i)
            return lines / (time.perf_counter() - started)

        plain = run()
        data = {
            "first_name": "Ottilie", "last_name": "Wunderlich", "emails": ["o.w@example.org"],
            "phones": [{"number": "+49 30 5550 1717"}],
            "addresses": [{"line1": "Kastanienallee 19", "city": "Berlin"}],
            "current_company": "Zeppelinwerft", "current_title": "Restorer", "body": "A long message " * 20,
        }  # fmt: skip
        with masking(personal_values(data)):
            masked = run()
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()
    return plain, masked


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--throughput", type=int, default=200)
    parser.add_argument("--sizes", default="50,150,1000")
    args = parser.parse_args()
    with environment(args.database) as (store, sandbox, linkedin):
        print(f"database: {args.database}")
        print("| applications | rows erased | erasure | LinkedIn | handler | DELETE calls | peak memory |")
        print("|---|---|---|---|---|---|---|")
        for size in (int(s) for s in args.sizes.split(",")):
            r = one_person(store, sandbox, linkedin, size)
            calls = ", ".join(f"{k} {v}" for k, v in sorted(r["deletes"].items()))
            print(
                f"| {size} | {r['rows']} | {r['erase_ms']:.0f} ms | {r['linkedin_ms']:.0f} ms | "
                f"{r['handler_ms']:.0f} ms | {calls} | {r['peak_mib']:.1f} MiB |"
            )
        t = throughput(store, sandbox, linkedin, args.throughput)
        print(
            f"throughput: {args.throughput} candidates x 5 applications: {t['per_second']:.1f} deletions/s, "
            f"median {t['median_ms']:.1f} ms, p95 {t['p95_ms']:.1f} ms, "
            f"{t['calls_per_deletion']:.2f} DELETE calls each"
        )
    plain, masked = log_lines_per_second()
    print(f"log lines/s: {plain:,.0f} plain, {masked:,.0f} with an event's personal values masked")


if __name__ == "__main__":
    main()
