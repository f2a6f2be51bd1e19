"""One member, one candidate: exports, InMail stubs, automatic matches and manual links of the same
member arriving at once, in any order, on both stores; and a bulk run beside the worker.

Each arrival runs in its own thread and, like a Dramatiq actor, is run again after a transient
error (a deadlock, a unique-key race); the store decides who holds the member.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from linkedin.exports import ExportedCandidate
from rsc.errors import is_transient
from rsc.settings import get_settings
from schemas.ats import CandidateSnapshot, JobSnapshot
from schemas.commands import MembersChanged
from schemas.linkedin import ExportRequest, ExportRequested
from store.candidates import Candidate
from store.db import Store
from store.member_claims import MemberClaim
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from tests.helpers import ORG
from tests.workers.support import stub
from workers.inmail_sync.handlers import handle_mail_stub
from workers.profile_export.handlers import import_export
from workers.profile_matching.bulk import match_tenant
from workers.profile_matching.matching import handle_members_changed, match_candidate
from workers.profile_matching.member_links import link_manually
from workers.profile_matching.profile_view import profile_view

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ADA = "urn:li:person:ada"
PROFILE = "https://www.linkedin.com/in/ada"
#: How often an arrival is run again after a transient error before the test gives up.
ATTEMPTS = 40

#: Members and bulk runs of the bulk-beside-the-worker test.
MEMBERS = 30
BULK_RUNS = 6

Arrival = Callable[[], object]


def retried(
    arrival: Arrival, errors: list[BaseException], transient: list[BaseException]
) -> Callable[[], None]:
    def run() -> None:
        for attempt in range(ATTEMPTS):
            try:
                arrival()
                return
            except Exception as exc:
                if not is_transient(exc) or attempt == ATTEMPTS - 1:
                    errors.append(exc)
                    return
                transient.append(exc)
                time.sleep(random.uniform(0.001, 0.02))

    return run


def ats_candidate(store: Store, candidate_id: str, **fields: object) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.candidates.apply(
            CandidateSnapshot(
                candidate_id=candidate_id,
                first_name="Ada",
                last_name="Lovelace",
                created_at=T0,
                modified_at=T0,
                **fields,
            )
        )
        uow.commit()


def world(store: Store) -> None:
    """A published job, the member as LinkedIn showed it, and two ATS records of the same person."""
    with UnitOfWork("acme", store) as uow:
        uow.jobs.apply(
            JobSnapshot(job_id="J-1", title="Analyst", state="published", created_at=T0, modified_at=T0)
        )
        uow.members.observe(
            MemberObservation(
                ADA, MemberSource.EXPORT, T0, first_name="Ada", last_name="Lovelace", profile_url=PROFILE
            )
        )
        uow.commit()
    handle_members_changed(MembersChanged(tenant="acme"), UnitOfWork("acme", store))  # files its keys
    ats_candidate(store, "C-ats", linkedin_profile_url=PROFILE, emails=["ada@example.com"])
    ats_candidate(store, "C-person", emails=["lovelace@elsewhere.example"])


def exported(request_id: str) -> tuple[ExportRequested, ExportedCandidate]:
    export = ExportedCandidate.model_validate(
        {
            "requestId": request_id,
            "integrationContext": ORG,
            "externalJobPostingId": "J-1",
            "exportedAt": int(T0.timestamp() * 1000),
            "candidate": {"member": ADA, "firstName": "Ada", "lastName": "Lovelace", "profileUrl": PROFILE},
        }
    )
    event = ExportRequested(
        type="linkedin.export.requested.v1",
        id=f"push-{request_id}",
        source="linkedin://rsc/push",
        tenant="acme",
        data=ExportRequest(request_id=request_id, push_id=f"push-{request_id}", notified_at=T0),
    )
    return event, export


def arrivals(store: Store) -> dict[str, Arrival]:
    def export(request_id: str) -> Arrival:
        event, data = exported(request_id)
        return lambda: import_export(event, data, UnitOfWork("acme", store), settings=get_settings())

    def automatic(candidate_id: str) -> Arrival:
        def run() -> None:
            uow = UnitOfWork("acme", store)
            with uow:
                match_candidate(uow, candidate_id)
                uow.commit()

        return run

    return {
        "export": export("R-1"),
        "second export": export("R-2"),
        "stub": lambda: handle_mail_stub(
            stub("S-1", ADA, email="ada@example.com"), UnitOfWork("acme", store)
        ),
        "automatic match": automatic("C-ats"),
        "manual link": lambda: link_manually(UnitOfWork("acme", store), "C-person", ADA, "alice"),
        "automatic match of the linked": automatic("C-person"),
    }


def who_shows(store: Store) -> dict[str, str]:
    """Every candidate that shows the member, with how it came to."""
    with UnitOfWork("acme", store) as uow:
        ids = list(uow.session.scalars(select(Candidate.id).where(Candidate.tenant_id == "acme")))
        shown = {}
        for candidate_id in ids:
            view = profile_view(uow, candidate_id)
            if view is not None and view.link is not None and view.link.person_urn == ADA:
                shown[candidate_id] = view.link_source.value if view.link_source else ""
        return shown


@pytest.mark.parametrize("seed", range(6))
def test_every_order_of_exports_stubs_matches_and_a_manual_link_ends_with_the_linked_candidate_alone(
    store: Store, seed: int
) -> None:
    world(store)
    rng = random.Random(seed)
    chosen = arrivals(store)
    names = list(chosen)
    rng.shuffle(names)
    errors: list[BaseException] = []
    transient: list[BaseException] = []
    start = threading.Barrier(len(names))
    delays = {name: rng.uniform(0, 0.03) for name in names}

    def run(name: str) -> None:
        start.wait()
        time.sleep(delays[name])
        retried(chosen[name], errors, transient)()

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # Whatever came first, the person's link decides: one candidate shows the member, by hand.
    assert who_shows(store) == {"C-person": "manual"}
    with UnitOfWork("acme", store) as uow:
        claims = uow.session.scalars(select(MemberClaim).where(MemberClaim.tenant_id == "acme")).all()
        assert [(c.person_urn, c.candidate_id, c.kind) for c in claims] == [(ADA, "C-person", "manual")]
        holders = uow.session.scalar(
            select(func.count()).where(Candidate.tenant_id == "acme", Candidate.person_urn == ADA)
        )
        assert holders == 1


@pytest.mark.parametrize("seed", range(4))
def test_exports_stubs_and_matches_without_a_person_end_with_one_candidate_claiming_the_member(
    store: Store, seed: int
) -> None:
    world(store)
    rng = random.Random(100 + seed)
    chosen = {k: v for k, v in arrivals(store).items() if k != "manual link"}
    names = list(chosen)
    rng.shuffle(names)
    errors: list[BaseException] = []
    transient: list[BaseException] = []
    threads = [threading.Thread(target=retried(chosen[name], errors, transient)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    shown = who_shows(store)
    assert len(shown) == 1
    ((holder, source),) = shown.items()
    # LinkedIn named the member (export, stub): that candidate holds it, never the matcher's guess alone.
    assert source == "linkedin"
    with UnitOfWork("acme", store) as uow:
        claim = uow.member_claims.holder(ADA)
        assert claim is not None and (claim.candidate_id, claim.kind) == (holder, "linkedin")


def test_a_bulk_run_beside_the_worker_never_runs_into_a_unique_violation(store: Store) -> None:
    """``rsc match run`` once died with a unique violation on member_match_keys while the worker
    re-filed the same members: both now file keys ON CONFLICT DO NOTHING and claim members in
    the store, so neither fails, and each member is claimed by one candidate at most."""
    members = [f"urn:li:person:m{n:03d}" for n in range(MEMBERS)]
    with UnitOfWork("acme", store) as uow:
        for n, urn in enumerate(members):
            uow.members.observe(
                MemberObservation(
                    urn, MemberSource.INMAIL_STUB, T0, first_name="Ada", emails=[f"m{n}@example.com"]
                )
            )
        uow.commit()
    for n in range(2 * MEMBERS):  # two candidates per member: one of them must not get it
        ats_candidate(store, f"C{n:03d}", emails=[f"m{n % MEMBERS}@example.com"])
    errors: list[BaseException] = []
    transient: list[BaseException] = []
    stop = threading.Event()

    def members_change() -> None:
        step = 0
        while not stop.is_set():
            step += 1
            with UnitOfWork("acme", store) as uow:
                for urn in members:
                    at = T0 + timedelta(seconds=step)
                    uow.members.observe(
                        MemberObservation(urn, MemberSource.INMAIL_STUB, at, phones=[f"+4420{step:07d}"])
                    )
                uow.commit()
            handle_members_changed(MembersChanged(tenant="acme"), UnitOfWork("acme", store), limit=MEMBERS)
            stop.wait(0.01)

    def candidates_change() -> None:
        while not stop.is_set():
            for n in range(0, 2 * MEMBERS, 5):
                uow = UnitOfWork("acme", store)
                with uow:
                    match_candidate(uow, f"C{n:03d}")
                    uow.commit()

    workers = [
        threading.Thread(target=retried(members_change, errors, transient)),
        threading.Thread(target=retried(candidates_change, errors, transient)),
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in range(BULK_RUNS):
            match_tenant(store, "acme", batch=20)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=120)
    assert errors == []
    assert not [e for e in transient if isinstance(e, IntegrityError)]
    with UnitOfWork("acme", store) as uow:
        claims = uow.session.scalars(select(MemberClaim).where(MemberClaim.tenant_id == "acme")).all()
        assert len(claims) == len({c.person_urn for c in claims}) == len({c.candidate_id for c in claims})
        assert {c.person_urn for c in claims} <= set(members)
