"""An ATS candidate snapshot stored with everything it moves, in as few round trips as the store allows.

The snapshot is stored unless the candidate was deleted after it was taken (its tombstone) or the
store holds a newer one; when it changed, its e-mail addresses are filed again, the outbox marks it
for LinkedIn, and its applications too when what they show of it (name, first e-mail address)
changed. On PostgreSQL that is one statement of data-modifying CTEs (as
``store.applications.Applications.apply_change``) for a whole group of snapshots (a group commit's);
on SQLite one statement each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    String,
    bindparam,
    column,
    delete,
    func,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects import postgresql

from schemas.ats import CandidateSnapshot
from store.applications import Application
from store.candidates import (
    INSERT_ONLY,
    SNAPSHOT_COLUMNS,
    Candidate,
    CandidateEmail,
    email_key,
    shown_on_applications,
    snapshot_values,
)
from store.linkedin_sync import LinkedInOutbox, Resource, SyncState, bump_version
from store.tombstones import Guard, Tombstone, erased
from store.uow import UnitOfWork
from store.upsert import SNAPSHOT_ORDER, insert_from_json, json_row, json_rows, update_if_newer


@dataclass(frozen=True)
class CandidateChange:
    #: The candidate was deleted after the snapshot was taken: nothing was written.
    erased: bool = False
    #: The snapshot was stored (the store held none as new).
    changed: bool = False


def apply_candidate_snapshot(uow: UnitOfWork, snapshot: CandidateSnapshot, guard: Guard) -> CandidateChange:
    """Store ``snapshot`` unless ``guard`` (the candidate's tombstone guard, locked by the inbox
    claim) shows a later deletion or the store holds a newer one, with what it moves (above)."""
    return apply_candidate_snapshots(uow, [(snapshot, guard)])[0]


def apply_candidate_snapshots(
    uow: UnitOfWork, snapshots: Sequence[tuple[CandidateSnapshot, Guard]]
) -> list[CandidateChange]:
    """``apply_candidate_snapshot`` for each snapshot in turn, as one after the other would; what
    each did. On PostgreSQL one statement stores every candidate named once, and a candidate named
    again is stored by the next statement, after its earlier snapshot (a statement changes a row
    once)."""
    if uow.session.get_bind().dialect.name != "postgresql":
        return [_one_statement_each(uow, snapshot, guard) for snapshot, guard in snapshots]
    changes: list[CandidateChange] = [CandidateChange()] * len(snapshots)
    for turn in _turns([snapshot.candidate_id for snapshot, _ in snapshots]):
        done = _one_statement(uow, [snapshots[n] for n in turn])
        for n in turn:
            changes[n] = done[snapshots[n][0].candidate_id]
    return changes


def _turns(candidate_ids: Sequence[str]) -> list[list[int]]:
    """The positions of ``candidate_ids`` in turns that name each candidate once: a candidate's
    first snapshot in the first turn, its second in the second, and so on."""
    turns: list[list[int]] = []
    seen: dict[str, int] = {}
    for n, candidate_id in enumerate(candidate_ids):
        turn = seen.get(candidate_id, 0)
        seen[candidate_id] = turn + 1
        if turn == len(turns):
            turns.append([])
        turns[turn].append(n)
    return turns


def _one_statement(
    uow: UnitOfWork, snapshots: Sequence[tuple[CandidateSnapshot, Guard]]
) -> dict[str, CandidateChange]:
    """Distinct candidates' snapshots stored by one statement on PostgreSQL; what each did, by id."""
    outbox = LinkedInOutbox(uow.session, uow.tenant)
    candidate_mark, application_mark = outbox.rows([(Resource.CANDIDATE, ""), (Resource.APPLICATION, "")])
    candidates, emails, asked = [], [], []
    for snapshot, guard in snapshots:
        values = snapshot_values(uow.tenant, snapshot)
        candidates.append(json_row(Candidate.__table__, {**values, **INSERT_ONLY}))
        emails += [
            json_row(
                CandidateEmail.__table__,
                {"tenant_id": uow.tenant, "email_key": key, "candidate_id": values["id"]},
            )
            for key in sorted({email_key(e) for e in values["emails"]})
        ]
        first_name, last_name, first_email = shown_on_applications(
            snapshot.first_name, snapshot.last_name, values["emails"]
        )
        asked.append(
            {
                "id": values["id"],
                "subject": guard.subject,
                "at": snapshot.modified_at.isoformat(),
                "first_name": first_name,
                "last_name": last_name,
                "first_email": first_email,
            }
        )
    params: dict[str, Any] = {
        "tenant": uow.tenant,
        "snapshots": asked,
        "candidates": candidates,
        "emails": emails,
        "outbox": json_row(SyncState.__table__, candidate_mark),
        "application_outbox": json_row(SyncState.__table__, application_mark),
    }
    uow.session.flush()
    rows = uow.session.connection().execute(_statement(), params)
    return {cid: CandidateChange(erased=bool(erased), changed=bool(changed)) for cid, erased, changed in rows}


def _one_statement_each(uow: UnitOfWork, snapshot: CandidateSnapshot, guard: Guard) -> CandidateChange:
    before = uow.candidates.before_snapshot(snapshot.candidate_id, guard)
    if erased(before.deleted_at, before.erased_at, snapshot.modified_at, linkedin=False):
        return CandidateChange(erased=True)
    changed = uow.candidates.apply(snapshot, new=before.shown is None)
    if changed:
        marks = [(Resource.CANDIDATE, snapshot.candidate_id)]
        if shown_on_applications(snapshot.first_name, snapshot.last_name, snapshot.emails) != before.shown:
            # LinkedIn's applications carry the candidate's name and e-mail address.
            marks += [
                (Resource.APPLICATION, a) for a in uow.applications.ids_for_candidate(snapshot.candidate_id)
            ]
        uow.outbox.mark_all_changed(marks)
    return CandidateChange(changed=changed)


def _recordset(param: str, name: str, **columns: Any) -> Any:
    """``jsonb_to_recordset(:param) AS name(column type, ...)``: rows bound as one JSON array."""
    rows = func.jsonb_to_recordset(bindparam(param, type_=postgresql.JSONB))
    return rows.table_valued(*(column(c, type_) for c, type_ in columns.items())).render_derived(
        name=name, with_types=True
    )


@cache
def _statement() -> Any:
    """Distinct candidates' snapshots stored on PostgreSQL: SELECT id, erased, changed, per candidate.

    It has six parameters however many candidates: the tenant, and
    as JSON what each snapshot asks (its tombstone subject and time, what its applications show of
    it), the candidate rows, the e-mail rows, and the outbox rows of a candidate and of an
    application as templates (their entity ids set by the statement). Its SQL is just over the 4 kB
    up to which the driver caches a statement's parsing: parsing it again costs about 26 us a group,
    where the e-mail lookup it holds for that saves reading every address of the tenant."""
    candidates, emails, syncs = Candidate.__table__, CandidateEmail.__table__, SyncState.__table__
    applications = Application.__table__.alias("a")
    tombstones = Tombstone.__table__.alias("t").c
    tenant: Any = bindparam("tenant")
    at = tombstones.deleted_at.type
    rows = _recordset(
        "snapshots",
        "s",
        id=String,
        subject=String,
        at=at,
        first_name=String,
        last_name=String,
        first_email=String,
    )
    erased = (
        select(literal_column("1"))
        .where(
            tombstones.tenant_id == tenant,
            tombstones.subject == rows.c.subject,
            tombstones.deleted_at >= rows.c.at,
        )
        .exists()
    )
    shown = (rows.c.first_name, rows.c.last_name, rows.c.first_email)
    asked = select(rows.c.id, *shown, erased.label("erased")).cte("asked")
    erased_ids = select(asked.c.id).where(asked.c.erased)
    changed = (
        update_if_newer(
            insert_from_json(candidates, "candidates", many=True, where=column("id").not_in(erased_ids)),
            candidates,
            key=("tenant_id", "id"),
            order=SNAPSHOT_ORDER,
            columns=SNAPSHOT_COLUMNS,
        )
        .returning(candidates.c.id)
        .cte("changed")
    )
    changed_ids = select(changed.c.id).scalar_subquery()
    # The keys a snapshot no longer has go, the new ones come (disjoint: one statement sees
    # neither's rows). Each changed candidate's rows are looked up by its id (a lateral join:
    # one lookup of the candidate-led index each, whatever the planner estimates of a tenant's
    # rows without statistics), then deleted by their row ids.
    filed_rows: Any = emails.alias("e")
    found: Any = emails.alias("f")
    held = (
        select(literal_column("ctid"))
        .select_from(found)
        .where(found.c.candidate_id == changed.c.id, found.c.tenant_id == tenant)
        .offset(literal_column("0"))  # kept a lookup: a plain subquery would be joined as a whole
        .lateral("x")
    )
    held_rows = select(held.c.ctid).select_from(changed.join(held, literal_column("true")))
    unfiled = delete(filed_rows).where(
        literal_column(f"{filed_rows.name}.ctid") == func.any(func.array(held_rows.scalar_subquery())),
        tuple_(filed_rows.c.candidate_id, filed_rows.c.email_key).not_in(
            select(column("candidate_id"), column("email_key")).select_from(json_rows(emails, "emails"))
        ),
    )
    filed = insert_from_json(
        emails, "emails", many=True, where=column("candidate_id").in_(changed_ids)
    ).on_conflict_do_nothing(index_elements=["tenant_id", "email_key", "candidate_id"])
    # The candidates as the statement found them (every part of one statement sees the same
    # snapshot): their applications are marked too when what they show of them changed.
    before = candidates.alias("c").c
    found = applications.join(asked, asked.c.id == applications.c.candidate_id).outerjoin(
        before.tenant_id.table,
        (before.tenant_id == applications.c.tenant_id) & (before.id == applications.c.candidate_id),
    )
    names = [c.name for c in syncs.c]
    marks = union_all(
        select(*(changed.c.id if n == "entity_id" else literal_column(f"r.{n}") for n in names)).select_from(
            changed.join(json_rows(syncs, "outbox", many=False), literal_column("true"))
        ),
        select(*(applications.c.id if n == "entity_id" else literal_column(f"r.{n}") for n in names))
        .select_from(found.join(json_rows(syncs, "application_outbox", many=False), literal_column("true")))
        .where(
            applications.c.tenant_id == tenant,
            applications.c.candidate_id.in_(changed_ids),
            tuple_(
                before.first_name, before.last_name, before.emails.op("->>")(literal_column("0"))
            ).is_distinct_from(tuple_(asked.c.first_name, asked.c.last_name, asked.c.first_email)),
        ),
    )
    marked = bump_version(postgresql.insert(syncs).from_select(names, marks))
    was_changed = asked.c.id.in_(select(changed.c.id))
    return select(asked.c.id, asked.c.erased, was_changed).add_cte(
        unfiled.cte("unfiled"), filed.cte("filed"), marked.cte("outbox")
    )
