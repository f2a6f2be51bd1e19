"""Indexes of a value most rows leave NULL cover only the rows with one (``store.base.only_where``):
the foreign key checks of a new candidate's rows read one candidate however many the tenant has,
and a member is still one candidate's per tenant. A group of snapshots reads only its own
candidates' e-mail addresses, statistics or not."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from schemas.ats import CandidateSnapshot
from store.candidate_changes import apply_candidate_snapshot, apply_candidate_snapshots
from store.candidates import Candidate
from store.db import Store, get_store, reset_stores
from store.migrate import upgrade
from store.tombstones import Subject
from store.uow import UnitOfWork
from tests.infra import fresh_database, postgres_server

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
CANDIDATES = 300


def snapshot(n: int) -> CandidateSnapshot:
    return CandidateSnapshot(
        candidate_id=f"C-{n:04d}",
        first_name="Ada",
        last_name=f"Lovelace{n}",
        emails=[f"ada{n}@example.com"],
        created_at=T0,
        modified_at=T0,
    )


def store_candidate(store: Store, n: int) -> None:
    data = snapshot(n)
    with UnitOfWork("acme", store) as uow:
        apply_candidate_snapshot(uow, data, uow.tombstones.guard(Subject.CANDIDATE, data.candidate_id))
        uow.commit()


@pytest.fixture
def new_database() -> Iterator[str]:
    """A PostgreSQL database of its own, migrated, whose tables have no statistics yet (as a new
    deployment's, or any table before autovacuum first analyses it)."""
    with postgres_server() as server, fresh_database(server) as url:
        upgrade(get_store(url))
        reset_stores()
        yield url
        reset_stores()


def index_reads(url: str, table: str) -> dict[str, int]:
    """Index entries read through each index of ``table``, once the writers' statistics arrived (the
    table counts the ``CANDIDATES`` rows they inserted)."""
    engine = sa.create_engine(url)
    inserted = sa.text("SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = :t")
    query = sa.text("SELECT indexrelname, idx_tup_read FROM pg_stat_user_indexes WHERE relname = :t")
    try:
        deadline = time.monotonic() + 10
        while True:
            with engine.connect() as conn:
                arrived = int(conn.scalar(inserted, {"t": table}) or 0) >= CANDIDATES
                reads = {name: int(n) for name, n in conn.execute(query, {"t": table})}
            if arrived:
                return reads
            assert time.monotonic() < deadline, f"the statistics of {table} did not arrive"
            time.sleep(0.1)
    finally:
        engine.dispose()


def test_a_new_candidates_foreign_key_checks_read_one_candidate_however_many_there_are(
    new_database: str,
) -> None:
    # One connection stores them all: PostgreSQL plans its foreign key check (a candidate's e-mail
    # address references the candidate) on the first, while the table is empty.
    store = get_store(new_database)
    for n in range(CANDIDATES):
        store_candidate(store, n)
    reset_stores()  # the connection closes and reports its statistics
    reads = index_reads(new_database, "candidates")
    # Each check reads one entry of the primary key; through an index of every candidate of the
    # tenant it read all stored so far (45,000 entries for 300 candidates).
    assert sum(reads.values()) <= 2 * CANDIDATES, reads


def test_a_group_of_snapshots_reads_only_its_own_candidates_e_mail_addresses(new_database: str) -> None:
    store = get_store(new_database)
    for first in range(0, CANDIDATES, 6):
        with UnitOfWork("acme", store) as uow:
            group = [snapshot(n) for n in range(first, first + 6)]
            apply_candidate_snapshots(
                uow, [(data, uow.tombstones.guard(Subject.CANDIDATE, data.candidate_id)) for data in group]
            )
            uow.commit()
    reset_stores()
    reads = index_reads(new_database, "candidate_emails")
    # New candidates have no address to refile: looked up by tenant alone, each group read every
    # address stored before it (7,644 entries for 300 candidates in groups of six).
    assert sum(reads.values()) <= CANDIDATES, reads


def test_a_member_is_one_candidates_per_tenant_and_candidates_without_one_are_many(store: Store) -> None:
    for n in range(3):
        store_candidate(store, n)
    with UnitOfWork("acme", store) as uow:
        uow.session.execute(
            sa.update(Candidate).where(Candidate.id == "C-0000").values(person_urn="urn:li:person:1")
        )
        uow.commit()
    with pytest.raises(sa.exc.IntegrityError), UnitOfWork("acme", store) as uow:
        uow.session.execute(
            sa.update(Candidate).where(Candidate.id == "C-0001").values(person_urn="urn:li:person:1")
        )
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        members = uow.session.execute(
            sa.select(Candidate.id, Candidate.person_urn).order_by(Candidate.id)
        ).all()
    assert [tuple(row) for row in members] == [
        ("C-0000", "urn:li:person:1"),
        ("C-0001", None),
        ("C-0002", None),
    ]
