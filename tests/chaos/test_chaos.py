"""The chaos suite: the whole pipeline under duplicates, SIGKILLs, a broker and a database restart
and a faulty LinkedIn, checked against an oracle computed from the event log.

What runs: a private PostgreSQL and RabbitMQ (``tests/chaos/services.py``; the shared ones are never
restarted), the sandbox (10% of LinkedIn calls answered 500/503), the ingress, the scheduler and
three worker groups as separate processes. The event log (``tests/chaos/scenario.py``) holds jobs,
ATS candidates, applications with status changes, candidate and application notes, job renames and
closures, candidate and application deletions, 1-click exports (signed pushes to the ingress),
InMails and prospect note versions; 10% of the events are sent twice and all are shuffled. While
they are published, worker groups are SIGKILLed at random moments (and started again), RabbitMQ
is stopped and started once, and PostgreSQL is crashed (immediate shutdown) and started once.

Once the ATS has seen the exported candidates in the store it deletes some of them and some of
their applications, while late InMails about the deleted members still arrive.

Afterwards the store (candidates, applications with their status and stage history, exports, ATS
notes, InMails, prospect notes, tombstones, deletion receipts, the inbox of every consumer) and
LinkedIn (the sandbox's jobs, candidates with their notes and member links, applications with
their stages and notes) must equal the oracle exactly; no message may be left in any queue, no
dead letter anywhere, nothing dirty in the outbox and no deletion pending.

Forms: the short form (default, run in CI) publishes about 1,000 events with 2 kills; the full
form (``RSC_CHAOS_FULL=1``) at least 10,000 unique ones with 8 kills. The seed is printed; ``RSC_TEST_SEED=N``
replays a run's log and fault schedule (the exact interleaving of processes is not reproducible).

    .venv/bin/pytest tests/chaos -m chaos -s                 # short form
    RSC_CHAOS_FULL=1 .venv/bin/pytest tests/chaos -m chaos -s
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from events.publisher import Publisher, PublishError
from ingress.signature import sign
from rsc.settings import get_settings
from store.applications import Application, ApplicationStage
from store.ats_notes import AtsNote
from store.candidates import Candidate
from store.db import get_store
from store.dead_letters import DeadLetter
from store.deletion_receipts import DeletionReceipt, ReceiptState
from store.exports import ExportRecord
from store.inbox import InboxEntry
from store.inmails import InMailRecord
from store.jobs import Job
from store.linkedin_sync import SyncState
from store.migrate import upgrade
from store.prospect_notes import ProspectNoteRecord
from store.tombstones import Subject, Tombstone, subject_of
from store.uow import OpsUnitOfWork, UnitOfWork
from tests.chaos.scenario import (
    CONTRACT,
    ORG,
    TENANT,
    ChaosLog,
    Expected,
    ExportPush,
    Item,
    build_log,
    expected_state,
    follow_ups,
)
from tests.chaos.services import PrivatePostgres, PrivateRabbitMQ, ServiceUnavailable, private_services
from tests.conftest import reset_process_state
from tests.e2e.pipeline import Pipeline
from tests.helpers import create_tenant
from tests.waiting import eventually

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

FULL = os.environ.get("RSC_CHAOS_FULL") == "1"
#: The worker groups: name -> (queues, processes, threads).
GROUPS: dict[str, tuple[tuple[str, ...], int, int]] = {
    "w-status": (("status_push",), 1, 6),
    "w-export": (("profile_export", "deletion_cascade"), 1, 4),
    "w-sync": (
        ("inmail_sync", "note_sync", "profile_match", "prospect_poll", "integration_lifecycle",
         "historical_backfill"),
        1,
        4,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Form:
    scale: int
    kills: int
    #: Seconds over which the shuffled events are published (faults happen meanwhile).
    publish_s: float
    #: Seconds allowed for everything to settle afterwards.
    settle_s: float


SHORT = Form(scale=1, kills=2, publish_s=30, settle_s=360)
#: Scale 11 makes about 10,900 unique events (12,000 with the duplicates), so at least 10,000.
FULL_FORM = Form(scale=11, kills=8, publish_s=180, settle_s=1800)


@pytest.fixture
def services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[PrivatePostgres, PrivateRabbitMQ]]:
    try:
        with private_services(tmp_path) as (postgres, rabbitmq):
            upgrade(get_store(postgres.url))
            monkeypatch.setenv("RSC_DATABASE_URL", postgres.url)
            monkeypatch.setenv("RSC_BROKER_URL", rabbitmq.url)
            reset_process_state()
            yield postgres, rabbitmq
            reset_process_state()
    except ServiceUnavailable as exc:
        pytest.skip(f"the chaos suite needs private PostgreSQL and RabbitMQ instances: {exc}")


class Chaos:
    """Runs the fault schedule in a thread: SIGKILLs of worker groups and the two restarts."""

    def __init__(
        self, pipeline: Pipeline, postgres: PrivatePostgres, rabbitmq: PrivateRabbitMQ, rng: random.Random
    ) -> None:
        self.pipeline, self.postgres, self.rabbitmq, self.rng = pipeline, postgres, rabbitmq, rng
        self.done: list[str] = []
        self.errors: list[BaseException] = []
        self._thread: threading.Thread | None = None

    def schedule(self, form: Form) -> list[tuple[float, str]]:
        window = form.publish_s + 15
        plan = [(self.rng.uniform(2, window), "kill") for _ in range(form.kills)]
        plan.append((self.rng.uniform(form.publish_s * 0.2, form.publish_s * 0.6), "rabbitmq"))
        plan.append((self.rng.uniform(form.publish_s * 0.5, form.publish_s * 0.9), "postgres"))
        return sorted(plan)

    def start(self, plan: list[tuple[float, str]]) -> None:
        self._thread = threading.Thread(target=self._run, args=(plan,), daemon=True)
        self._thread.start()

    def _run(self, plan: list[tuple[float, str]]) -> None:
        started = time.monotonic()
        try:
            for at, action in plan:
                time.sleep(max(0.0, started + at - time.monotonic()))
                when = time.monotonic() - started
                if action == "kill":
                    group = self.rng.choice(sorted(GROUPS))
                    self.pipeline.kill(group)
                    time.sleep(self.rng.uniform(0, 2))
                    start_group(self.pipeline, group)
                    self.done.append(f"{when:.0f}s SIGKILL {group}")
                elif action == "rabbitmq":
                    self.rabbitmq.restart(down_s=2)
                    self.done.append(
                        f"{when:.0f}s RabbitMQ restarted ({time.monotonic() - started - when:.0f}s)"
                    )
                else:
                    self.postgres.restart(down_s=2, mode="immediate")
                    self.done.append(
                        f"{when:.0f}s PostgreSQL restarted ({time.monotonic() - started - when:.0f}s)"
                    )
        except BaseException as exc:  # reported by join()
            self.errors.append(exc)

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=600)
        assert not self.errors, self.errors


def start_group(pipeline: Pipeline, group: str) -> None:
    queues, processes, threads = GROUPS[group]
    pipeline.start_workers(group, *queues, processes=processes, threads=threads)


class Upstream:
    """The ATS and LinkedIn sending their events: the publisher for events, signed pushes to the ingress."""

    def __init__(self, pipeline: Pipeline, broker_url: str, secret: str) -> None:
        self.pipeline = pipeline
        self.publisher = Publisher(broker_url, settings=get_settings())
        self.secret = secret
        self.exported_at: dict[str, int] = {}

    def send(self, items: Sequence[Item]) -> None:
        events = [i for i in items if not isinstance(i, ExportPush)]
        deadline = time.monotonic() + 300
        while events:
            try:
                self.publisher.publish_many(events)
                break
            except PublishError:
                # The broker is down: an upstream outbox tries again (duplicates are harmless).
                assert time.monotonic() < deadline, "the broker stayed unreachable for 5 minutes"
                time.sleep(1)
        for push in (i for i in items if isinstance(i, ExportPush)):
            self.push(push, deadline)

    def push(self, push: ExportPush, deadline: float) -> None:
        body = (
            f'{{"id":"{push.push_id}","type":"EXPORT_CANDIDATE_PROFILE","requestId":"{push.request_id}",'
            f'"integrationContext":"{ORG}","createdAt":{self.exported_at[push.request_id]}}}'
        ).encode()
        url = f"{self.pipeline.ingress_url}/webhooks/linkedin/{TENANT}"
        headers = {"Content-Type": "application/json", "X-LI-Signature": sign(self.secret, body)}
        while True:
            # LinkedIn retries a push until the callback answers 2xx.
            try:
                if self.pipeline.http.post(url, content=body, headers=headers, timeout=10).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"push {push.push_id} not accepted for 5 minutes"
            time.sleep(0.5)


def with_duplicates(items: list[Item], rng: random.Random, share: float = 0.1) -> list[Item]:
    sent = items + rng.sample(items, int(len(items) * share))
    rng.shuffle(sent)
    return sent


@pytest.mark.timeout(3600 if FULL else 900)
def test_chaos_the_store_and_linkedin_equal_the_oracle(
    tmp_path: Path, services: tuple[PrivatePostgres, PrivateRabbitMQ]
) -> None:
    postgres, rabbitmq = services
    form = FULL_FORM if FULL else SHORT
    seed = int(os.environ.get("RSC_TEST_SEED") or random.SystemRandom().randrange(1, 2**31))
    print(f"\nchaos: {'full' if FULL else 'short'} form, RSC_TEST_SEED={seed}")
    rng = random.Random(seed)
    log = build_log(seed, form.scale)
    started = time.monotonic()

    pipeline = Pipeline(
        tmp_path,
        postgres.url,
        rabbitmq.url,
        shared_server=False,  # a private PostgreSQL: none of the shared server's connections
        # Retries outlive a database restart and a backlog (0.5 s doubling up to 30 s).
        RSC_MIN_BACKOFF_MS="500",
        RSC_MAX_BACKOFF_MS="30000",
        # A deletion made while a push of the same records may be in flight is sent once that push
        # is over for sure: the message time limit and a LinkedIn call's timeout later (130 s by
        # default). The longest messages stop starting new work well inside 75 s (an outbox or a
        # deletion sweep after 3/8 of the limit, 28 s; a backfill slice after 30), so each still
        # has a batch's time.
        RSC_TIME_LIMIT_MS="75000",
    )
    try:
        pipeline.start_sandbox("--seed", str(seed))
        pipeline.start_ingress()
        secret = onboard(pipeline)
        upstream = Upstream(pipeline, rabbitmq.url, secret)
        log = create_exports(pipeline, log, upstream)
        for group in GROUPS:
            start_group(pipeline, group)
        pipeline.start_scheduler()
        pipeline.control("PUT", "/faults", json={"error_rate": 0.1})

        upstream.send(log.jobs)
        eventually(
            lambda: inbox_counts().get("status_push", 0) >= len(log.jobs), timeout=120, what="the jobs"
        )
        chaos = Chaos(pipeline, postgres, rabbitmq, rng)
        chaos.start(chaos.schedule(form))
        stream = with_duplicates(log.log, rng)
        chunk = 25
        pause = form.publish_s / max(1, len(stream) / chunk)
        for at in range(0, len(stream), chunk):
            upstream.send(stream[at : at + chunk])
            time.sleep(pause)
        exported = eventually(
            lambda: exported_ids(log), timeout=form.settle_s, interval=2, what="the exported candidates"
        )
        assert exported is not None
        follow = follow_ups(log, exported)
        upstream.send(with_duplicates(follow, rng))
        chaos.join()
        want = expected_state(log, follow, exported)
        sent = len(log.jobs) + len(stream) + len(follow) + len(follow) // 10
        print(f"chaos: {log.unique + len(follow)} unique events, {sent} sent; " + "; ".join(chaos.done))

        eventually(
            lambda: settled(want, rabbitmq), timeout=form.settle_s, interval=3, what="the pipeline to settle"
        )
        print(f"chaos: settled {time.monotonic() - started:.0f}s after the start")
        problems = store_differences(want) + linkedin_differences(pipeline, want)
        assert problems == [], problems[:20]
        assert queue_messages(rabbitmq) == {}, "messages left in queues"
        counters = pipeline.control("GET", "/counters")
        faults = sum(row["calls"] for row in counters["calls"] if row["status"] in (500, 503))
        assert faults > 0, "the sandbox injected no faults: the run proves less than it claims"
        print(f"chaos: {faults} LinkedIn calls answered with an injected error")
        print(f"chaos: passed in {time.monotonic() - started:.0f}s")
    finally:
        pipeline.stop()


def onboard(pipeline: Pipeline) -> str:
    client_id, secret = f"{TENANT}-client", f"{TENANT}-secret"
    create_tenant(TENANT, org=ORG, client_id=client_id, client_secret=secret)
    pipeline.control(
        "POST",
        "/apps",
        json={"clientId": client_id, "clientSecret": secret, "organization": ORG, "contracts": [CONTRACT]},
    )
    return secret


def create_exports(pipeline: Pipeline, log: ChaosLog, upstream: Upstream) -> ChaosLog:
    """Each export made in LinkedIn (the sandbox) without a push; the suite sends the pushes itself."""
    request_ids: dict[str, str] = {}
    for member, push in log.exports.items():
        made = pipeline.control(
            "POST",
            "/exports",
            json={
                "clientId": f"{TENANT}-client",
                "externalJobPostingId": push.job_id,
                "candidate": log.members[member],
                "push": False,
            },
        )
        request_ids[member] = made["requestId"]
        upstream.exported_at[made["requestId"]] = made["export"]["exportedAt"]
    log.exports = {m: replace(p, request_id=request_ids[m]) for m, p in log.exports.items()}
    log.log = [log.exports[i.member] if isinstance(i, ExportPush) else i for i in log.log]
    return log


# -- reading the outcome ------------------------------------------------------------------------------


def inbox_counts() -> dict[str, int]:
    with UnitOfWork(TENANT, get_store()) as uow:
        rows = uow.session.execute(select(InboxEntry.consumer, func.count()).group_by(InboxEntry.consumer))
        return {consumer: int(n) for consumer, n in rows}


def exported_ids(log: ChaosLog) -> dict[str, tuple[str, str]] | None:
    """Member -> (candidate id, application id) of every export, once all are in the store."""
    with UnitOfWork(TENANT, get_store()) as uow:
        rows = uow.session.execute(
            select(ExportRecord.request_id, ExportRecord.candidate_id, ExportRecord.application_id)
        )
        by_request = {r: (c, a) for r, c, a in rows}
    if len(by_request) < len(log.exports):
        return None
    return {member: by_request[push.request_id] for member, push in log.exports.items()}


def queue_messages(rabbitmq: PrivateRabbitMQ) -> dict[str, int]:
    """Messages (ready and unacknowledged) in any queue of the broker, by queue."""
    listed = rabbitmq.list_queues()
    return {name: n for name, n in listed.items() if n}


def settled(want: Expected, rabbitmq: PrivateRabbitMQ) -> bool:
    try:
        counts = inbox_counts()
        if any(counts.get(consumer, 0) < n for consumer, n in want.inbox.items()):
            return False
        with UnitOfWork(TENANT, get_store()) as uow:
            if uow.outbox.dirty_count():
                return False
            pending = uow.session.scalar(
                select(func.count())
                .select_from(DeletionReceipt)
                .where(DeletionReceipt.state == ReceiptState.PENDING.value)
            )
            if pending:
                return False
        return queue_messages(rabbitmq) == {}
    except Exception:  # the database or the broker may be restarting
        return False


def store_differences(want: Expected) -> list[str]:
    problems: list[str] = []

    def compare(name: str, expected: dict[Any, Any], actual: dict[Any, Any]) -> None:
        if expected == actual:
            return
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        wrong = sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k])
        problems.append(
            f"store {name}: {len(missing)} missing {missing[:3]}, {len(extra)} extra {extra[:3]}, "
            f"{len(wrong)} differ {[(k, expected[k], actual[k]) for k in wrong[:2]]}"
        )

    with UnitOfWork(TENANT, get_store()) as uow:
        s = uow.session
        compare("jobs", want.jobs, {j.id: (j.title, j.state) for j in s.scalars(select(Job))})
        candidates = list(s.scalars(select(Candidate)))
        compare(
            "ATS candidates",
            want.candidates,
            {c.id: (c.first_name, c.last_name, tuple(c.emails)) for c in candidates if c.person_urn is None},
        )
        by_member = {c.person_urn: c for c in candidates if c.person_urn is not None}
        stages: dict[str, list[tuple[str, str]]] = {}
        for stage in s.scalars(select(ApplicationStage)):
            stages.setdefault(stage.application_id, []).append((stage.transition_id, stage.status))
        applications = {a.id: a for a in s.scalars(select(Application))}
        candidate_of_member = {c.id: urn for urn, c in by_member.items()}
        compare(
            "ATS applications",
            want.applications,
            {
                a.id: (a.candidate_id, a.job_id, a.status, tuple(sorted(stages.get(a.id, []))))
                for a in applications.values()
                if a.candidate_id not in candidate_of_member
            },
        )
        export_apps = {
            candidate_of_member[a.candidate_id]: a
            for a in applications.values()
            if a.candidate_id in candidate_of_member
        }
        compare(
            "exported candidates",
            want.exported,
            {
                urn: (c.first_name, c.last_name, export_apps[urn].job_id if urn in export_apps else None)
                for urn, c in by_member.items()
            },
        )
        one_stage = {urn: len(stages.get(a.id, [])) for urn, a in export_apps.items()}
        compare("exported applications' stages", dict.fromkeys(one_stage, 1), one_stage)
        compare(
            "exports",
            {m: True for m in want.exported},
            {
                candidate_of_member.get(e.candidate_id, e.candidate_id): True
                for e in s.scalars(select(ExportRecord))
            },
        )
        compare(
            "ATS notes",
            want.notes,
            {n.id: (n.candidate_id, n.application_id, n.text) for n in s.scalars(select(AtsNote))},
        )
        compare("InMails", want.inmails, {m.id: m.member_urn for m in s.scalars(select(InMailRecord))})
        compare(
            "prospect notes",
            want.prospect_notes,
            {n.id: (n.member_urn, n.active, n.text) for n in s.scalars(select(ProspectNoteRecord))},
        )
        tombstones = {(t.kind, t.subject) for t in s.scalars(select(Tombstone))}
        erased = {c for c in want.deleted_candidates}
        expected_candidates = {
            ("candidate", subject_of(uow.keyring, TENANT, Subject.CANDIDATE, c)) for c in erased
        }
        expected_members = {
            ("member", subject_of(uow.keyring, TENANT, Subject.MEMBER, m)) for m in want.erased_members
        }
        compare(
            "candidate tombstones",
            dict.fromkeys(expected_candidates),
            dict.fromkeys(t for t in tombstones if t[0] == "candidate"),
        )
        compare(
            "member tombstones",
            dict.fromkeys(expected_members),
            dict.fromkeys(t for t in tombstones if t[0] == "member"),
        )
        application_tombstones = {t for t in tombstones if t[0] == "application"}
        named = {
            ("application", subject_of(uow.keyring, TENANT, Subject.APPLICATION, a))
            for a in want.deleted_applications
        }
        if not named <= application_tombstones:
            problems.append(
                f"store: {len(named - application_tombstones)} deleted applications without a tombstone"
            )
        receipts = list(s.scalars(select(DeletionReceipt)))
        states = {r.state for r in receipts}
        if len(receipts) != want.deletions or states - {ReceiptState.CONFIRMED.value}:
            problems.append(
                f"store: {len(receipts)} deletion receipts in states {states}, "
                f"expected {want.deletions} confirmed"
            )
        unsynced = s.scalar(
            select(func.count()).select_from(SyncState).where(SyncState.synced_version < SyncState.version)
        )
        if unsynced:
            problems.append(f"store: {unsynced} outbox records never reached LinkedIn")
    counts = inbox_counts()
    for consumer, n in want.inbox.items():
        if counts.get(consumer, 0) != n:
            problems.append(f"inbox {consumer}: {counts.get(consumer, 0)} events, expected {n}")
    with OpsUnitOfWork(get_store()) as ops:
        dead = ops.session.scalar(select(func.count()).select_from(DeadLetter))
        if dead:
            reasons = sorted({d.reason_code for d in ops.session.scalars(select(DeadLetter))})
            problems.append(f"{dead} dead letters ({reasons})")
    return problems


def linkedin_differences(pipeline: Pipeline, want: Expected) -> list[str]:
    problems: list[str] = []
    remote = {
        r: pipeline.control("GET", f"/orgs/{ORG}/{r}")[r] for r in ("jobs", "candidates", "applications")
    }

    def compare(name: str, expected: dict[Any, Any], actual: dict[Any, Any]) -> None:
        if expected != actual:
            missing = sorted(set(expected) - set(actual))
            extra = sorted(set(actual) - set(expected))
            wrong = sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k])
            problems.append(
                f"LinkedIn {name}: {len(missing)} missing {missing[:3]}, {len(extra)} extra {extra[:3]}, "
                f"{len(wrong)} differ {[(k, expected[k], actual[k]) for k in wrong[:2]]}"
            )

    compare(
        "jobs",
        {j: (title, "CLOSED" if state == "closed" else "LISTED") for j, (title, state) in want.jobs.items()},
        {j["externalJobPostingId"]: (j["title"], j["state"]) for j in remote["jobs"]},
    )
    ats = [c for c in remote["candidates"] if not c.get("manualMatchedMember")]
    linked = {c["manualMatchedMember"]: c for c in remote["candidates"] if c.get("manualMatchedMember")}
    compare(
        "ATS candidates",
        {k: (first, last, emails) for k, (first, last, emails) in want.candidates.items()},
        {c["atsCandidateId"]: (c["firstName"], c["lastName"], tuple(c["emailAddresses"] or ())) for c in ats},
    )
    member_of = {c["atsCandidateId"]: urn for urn, c in linked.items()}
    export_apps = {
        member_of[a["atsCandidateId"]]: a for a in remote["applications"] if a["atsCandidateId"] in member_of
    }
    compare(
        "exported candidates",
        want.exported,
        {
            urn: (
                c["firstName"],
                c["lastName"],
                export_apps[urn]["atsJobPostingId"] if urn in export_apps else None,
            )
            for urn, c in linked.items()
        },
    )
    one_stage = {urn: len(a["stages"]) for urn, a in export_apps.items()}
    compare("exported applications' stages", dict.fromkeys(one_stage, 1), one_stage)
    titles = {j: title for j, (title, _) in want.jobs.items()}
    compare(
        "ATS applications",
        {a: (c, j, titles[j], history) for a, (c, j, _, history) in want.applications.items()},
        {
            a["atsJobApplicationId"]: (
                a["atsCandidateId"],
                a["atsJobPostingId"],
                a["atsJobPostingName"],
                tuple(sorted((key, stage["stage"]) for key, stage in a["stages"].items())),
            )
            for a in remote["applications"]
            if a["atsCandidateId"] not in member_of
        },
    )
    notes: dict[str, tuple[str, str | None, str]] = {}
    for c in remote["candidates"]:
        for note_id, note in (c.get("notes") or {}).items():
            notes[note_id] = (c["atsCandidateId"], None, note.get("note"))
    for a in remote["applications"]:
        for note_id, note in (a.get("notes") or {}).items():
            notes[note_id] = (a["atsCandidateId"], a["atsJobApplicationId"], note.get("note"))
    compare("notes", want.notes, notes)
    return problems
