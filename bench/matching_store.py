"""``rsc match run`` on a real store: the bulk run's time and quality with reads and writes included.

    python -m bench.matching_store [--database postgresql|sqlite] [--candidates 100000] [--members 100000]

The labelled data of ``bench.matching`` (hard setting) is loaded into a fresh database, then
``workers.profile_matching.bulk.match_tenant`` runs twice: the first run files every record under its keys
and writes every result; the second finds nothing changed (what a nightly re-run costs).
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import insert, select

from bench.matching_data import SETTINGS, LabelledData, generate
from matching.profiles import Profile
from store.base import to_ms
from store.candidate_matches import CandidateMatch
from store.candidates import Candidate
from store.db import Store, get_store
from store.members import Member
from store.migrate import upgrade
from store.uow import UnitOfWork
from workers.profile_matching.bulk import match_tenant

TENANT = "bench"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with TemporaryDirectory(prefix="rsc-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    from tests.infra import fresh_database, postgres_server

    with postgres_server() as server, fresh_database(server) as url:
        yield url


def _candidate_row(profile: Profile) -> dict[str, Any]:
    return {
        "tenant_id": TENANT,
        "id": profile.id,
        "origin": "ats",
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "emails": list(profile.emails),
        "phones": [{"number": p} for p in profile.phones],
        "addresses": [{"city": profile.city}] if profile.city else [],
        "current_company": profile.companies[0] if profile.companies else None,
        "current_companies": [],
        "current_title": profile.title,
        "linkedin_profile_url": profile.profile_url,
        "created_at": NOW,
        "modified_at": NOW,
        "source_modified_ms": to_ms(NOW),
        "source_revision": 0,
    }


def _member_row(profile: Profile) -> dict[str, Any]:
    return {
        "tenant_id": TENANT,
        "person_urn": profile.id,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "emails": list(profile.emails),
        "phones": list(profile.phones),
        "profile_url": profile.profile_url,
        "companies": list(profile.companies),
        "title": profile.title,
        "location": profile.city,
        "sources": ["export"],
        "observed_ms": to_ms(NOW),
        "version": 1,
        "matched_version": 0,
        "match_due_since": NOW,
        "updated_at": NOW,
    }


def load(store: Store, data: LabelledData) -> None:
    rows: list[tuple[type[Any], list[dict[str, Any]]]] = [
        (Candidate, [_candidate_row(p) for p in data.candidates]),
        (Member, [_member_row(p) for p in data.members]),
        (
            CandidateMatch,
            [
                {
                    "tenant_id": TENANT,
                    "candidate_id": p.id,
                    "status": "unmatched",
                    "score": 0.0,
                    "considered": [],
                    "matched_at": NOW,
                    "linkedin_matches": list(p.linkedin_matches),
                }
                for p in data.candidates
                if p.linkedin_matches
            ],
        ),
    ]
    for model, values in rows:
        for start in range(0, len(values), 5000):
            with UnitOfWork(TENANT, store) as uow:
                uow.session.execute(insert(model), values[start : start + 5000])
                uow.commit()


def quality(store: Store, data: LabelledData) -> tuple[float, float, int]:
    with UnitOfWork(TENANT, store) as uow:
        rows = uow.session.execute(
            select(CandidateMatch.candidate_id, CandidateMatch.status, CandidateMatch.member_urn)
        )
        linked = correct = review = 0
        for candidate_id, status, member in rows:
            review += status == "review"
            if status == "linked":
                linked += 1
                correct += data.truth[candidate_id] == member
    return correct / max(linked, 1), correct / max(data.matchable, 1), review


def run(kind: str, seed: int, candidates: int, members: int) -> str:
    data = generate(SETTINGS["hard"], seed=seed, candidates=candidates, members=members)
    with database(kind) as url:
        upgrade(get_store(url))
        store = Store(url, keyring=get_store(url).keyring)
        started = time.perf_counter()
        load(store, data)
        loaded = time.perf_counter() - started
        first = match_tenant(store, TENANT)
        second = match_tenant(store, TENANT)
        precision, recall, review = quality(store, data)
        store.dispose()
    return "\n".join(
        [
            f"rsc match run on {kind}, {datetime.now(UTC):%Y-%m-%d}: hard setting, seed {seed}, "
            f"{len(data.candidates):,} candidates x {len(data.members):,} members (loaded in {loaded:.0f} s)",
            f"first run {first.seconds:.1f} s ({first.candidates / first.seconds:,.0f} candidates/s): "
            f"{first.by_status}, {first.links_changed:,} links written",
            f"second run {second.seconds:.1f} s: {second.links_changed} links changed",
            f"precision {precision:.4f}  recall {recall:.4f}  review {review:,}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()
    print(run(args.database, args.seed, args.candidates, args.members))


if __name__ == "__main__":
    main()
