"""The erasure reaches every table of the schema that can name a candidate, an application or a
LinkedIn member, tables of features added later included: the tables are enumerated from the
metadata, and each gets a row naming the erased person before the erasure runs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from schemas.ats import ApplicationSnapshot, CandidateSnapshot
from store.base import utcnow
from store.db import Store
from store.erasure import erase_candidate
from store.members import MemberObservation, MemberSource
from store.schema import metadata
from store.uow import UnitOfWork
from tests.helpers import create_tenant

TENANT = "acme"
CANDIDATE, APPLICATION, MEMBER = "C-erased", "A-erased", "urn:li:person:erased"
#: Columns naming what an erasure removes, and the value each names here.
NAMING = {
    "candidate_id": CANDIDATE,
    "source_candidate_id": CANDIDATE,
    "target_candidate_id": CANDIDATE,
    "holder_id": CANDIDATE,
    "application_id": APPLICATION,
    "person_urn": MEMBER,
    "member_urn": MEMBER,
}
#: Recruiters' tables: a person URN there is an ATS user's, not a candidate's.
NOT_CANDIDATES = {"ats_users", "seats"}
_numbers = itertools.count(1)


def _filler(column: sa.Column[Any]) -> Any:
    """A value of the column's type for a column the test does not care about."""
    number = next(_numbers)
    column_type = column.type.impl if isinstance(column.type, sa.TypeDecorator) else column.type
    if isinstance(column_type, sa.JSON):
        return []
    try:
        kind = column_type.python_type
    except NotImplementedError:
        kind = str
    if kind is datetime:
        return utcnow()
    if kind is bool:
        return False
    if kind is int:
        return number
    if kind is float:
        return 0.0
    length = getattr(column.type, "length", None) or 40
    return f"x{number}"[:length]


def naming_tables() -> list[sa.Table]:
    return [
        table
        for table in metadata.sorted_tables
        if "tenant_id" in table.c and table.name not in NOT_CANDIDATES and set(NAMING) & set(table.c.keys())
    ]


def _row(table: sa.Table) -> dict[str, Any]:
    row: dict[str, Any] = {"tenant_id": TENANT}
    for column in table.columns:
        if column.name in row:
            continue
        if column.name in NAMING:
            row[column.name] = NAMING[column.name]
        elif column.primary_key and column.autoincrement is True:
            continue
        elif not column.nullable or column.primary_key:
            row[column.name] = _filler(column)
    return row


def test_every_table_that_names_a_candidate_application_or_member_forgets_them(store: Store) -> None:
    create_tenant(TENANT)
    when = datetime(2026, 5, 1, tzinfo=UTC)
    with UnitOfWork(TENANT, store) as uow:
        uow.candidates.apply(
            CandidateSnapshot(candidate_id=CANDIDATE, first_name="Erin", created_at=when, modified_at=when)
        )
        candidate = uow.candidates.get(CANDIDATE)
        assert candidate is not None
        candidate.person_urn = MEMBER
        uow.applications.apply(
            ApplicationSnapshot(
                application_id=APPLICATION,
                candidate_id=CANDIDATE,
                job_id="J-1",
                status="Applied",
                created_at=when,
                modified_at=when,
            )
        )
        uow.members.observe(MemberObservation(MEMBER, MemberSource.EXPORT, when, first_name="Erin"))
        uow.commit()
    tables = naming_tables()
    assert {"applications", "exports", "inmail_messages", "prospect_notes", "members"} <= {
        t.name for t in tables
    }
    with store.engine.begin() as conn:
        for table in tables:
            if table.name not in ("candidates", "applications", "members"):
                conn.execute(table.insert().values(**_row(table)))
    with UnitOfWork(TENANT, store) as uow:
        erasure = erase_candidate(
            uow, CANDIDATE, deleted_at=utcnow(), receipt_id="r-1", push_window=timedelta(minutes=1)
        )
        uow.commit()
    assert erasure.application_ids == [APPLICATION] and erasure.person_urns == [MEMBER]
    left: dict[str, int] = {}
    with store.engine.connect() as conn:
        for table in tables:
            named = [table.c[c] == NAMING[c] for c in NAMING if c in table.c]
            count = conn.execute(sa.select(sa.func.count()).select_from(table).where(sa.or_(*named))).scalar()
            if count:
                left[table.name] = int(count)
        closed = conn.execute(
            sa.select(sa.text("state, candidate_id")).select_from(sa.table("purge_notices"))
        )
        assert [tuple(r) for r in closed] == [("candidate_deleted", None)]
    assert left == {}, f"rows still naming the erased person: {left}"
