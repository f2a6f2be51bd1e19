"""An ATS candidate snapshot stored with everything it moves, in as few round trips as the store allows.

The snapshot is stored unless the candidate was deleted after it was taken (its tombstone) or the
store holds a newer one; when it changed, its e-mail addresses are filed again, the outbox marks it
for LinkedIn, and its applications too when what they show of it (name, first e-mail address)
changed. On PostgreSQL that is one statement of data-modifying CTEs (as
``store.applications.Applications.apply_change``); on SQLite one statement each.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    String,
    bindparam,
    delete,
    exists,
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
from store.upsert import SNAPSHOT_ORDER, insert_from_json, json_row, update_if_newer


@dataclass(frozen=True)
class CandidateChange:
    #: The candidate was deleted after the snapshot was taken: nothing was written.
    erased: bool = False
    #: The snapshot was stored (the store held none as new).
    changed: bool = False


def apply_candidate_snapshot(uow: UnitOfWork, snapshot: CandidateSnapshot, guard: Guard) -> CandidateChange:
    """Store ``snapshot`` unless ``guard`` (the candidate's tombstone guard, locked by the inbox
    claim) shows a later deletion or the store holds a newer one, with what it moves (above)."""
    if uow.session.get_bind().dialect.name != "postgresql":
        return _one_statement_each(uow, snapshot, guard)
    values = snapshot_values(uow.tenant, snapshot)
    first_email = values["emails"][0] if values["emails"] else None
    outbox = LinkedInOutbox(uow.session, uow.tenant)
    (candidate_mark, application_mark) = outbox.rows(
        [(Resource.CANDIDATE, snapshot.candidate_id), (Resource.APPLICATION, "")]
    )
    keys = sorted({email_key(e) for e in values["emails"]})
    cid = snapshot.candidate_id
    params: dict[str, Any] = {
        "tenant": uow.tenant,
        "id": cid,
        "subject": guard.subject,
        "at": snapshot.modified_at,
        "candidate": json_row(Candidate.__table__, {**values, **INSERT_ONLY}),
        "keys": keys,
        "emails": [
            json_row(
                CandidateEmail.__table__,
                {"tenant_id": uow.tenant, "email_key": k, "candidate_id": values["id"]},
            )
            for k in keys
        ],
        "outbox": json_row(SyncState.__table__, candidate_mark),
        "application_outbox": json_row(SyncState.__table__, application_mark),
        "first_name": snapshot.first_name,
        "last_name": snapshot.last_name,
        "first_email": first_email,
    }
    uow.session.flush()
    was_erased, changed = uow.session.connection().execute(_statement(), params).one()
    return CandidateChange(erased=bool(was_erased), changed=bool(changed))


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


def _outbox_row(param: str) -> Any:
    """``jsonb_populate_record(NULL::linkedin_sync, :param) AS r``: one outbox row bound as JSON."""
    row = bindparam(param, type_=postgresql.JSONB)
    return func.jsonb_populate_record(literal_column("NULL::linkedin_sync"), row).alias("r")


@cache
def _statement() -> Any:
    """``apply_candidate_snapshot`` on PostgreSQL: SELECT erased, candidates changed (0/1).

    Its SQL stays under the 4 kB up to which the driver caches a statement's parsing (as
    ``insert_from_json`` says): the deletion check is one CTE read twice, the candidate as it was is
    joined once, not read once per column, and its outbox row and its applications' are one INSERT."""
    candidates, emails = Candidate.__table__, CandidateEmail.__table__
    applications = Application.__table__.alias("a")
    tombstones = Tombstone.__table__.alias("t").c
    tenant: Any = bindparam("tenant")
    candidate_id: Any = bindparam("id")
    was_erased = (
        select(tombstones.subject)
        .where(
            tombstones.tenant_id == tenant,
            tombstones.subject == bindparam("subject"),
            tombstones.deleted_at >= bindparam("at", type_=tombstones.deleted_at.type),
        )
        .exists()
    )
    deletion = select(was_erased.label("erased")).cte("deletion")
    changed = (
        update_if_newer(
            insert_from_json(candidates, "candidate", where=~select(deletion.c.erased).scalar_subquery()),
            candidates,
            key=("tenant_id", "id"),
            order=SNAPSHOT_ORDER,
            columns=SNAPSHOT_COLUMNS,
        )
        .returning(candidates.c.id)
        .cte("changed")
    )
    stored = exists(select(changed.c.id))
    keys = bindparam("keys", type_=postgresql.ARRAY(String))
    # The keys the snapshot no longer has go, the new ones come (disjoint: one statement sees
    # neither's rows).
    unfiled = (
        delete(emails)
        .where(
            emails.c.tenant_id == tenant,
            emails.c.candidate_id == candidate_id,
            emails.c.email_key != func.all(keys),
            stored,
        )
        .returning(emails.c.email_key)
        .cte("unfiled")
    )
    filed = (
        insert_from_json(emails, "emails", many=True, where=stored)
        .on_conflict_do_nothing(index_elements=["tenant_id", "email_key", "candidate_id"])
        .returning(emails.c.email_key)
        .cte("filed")
    )
    # The candidate as the statement found it (every part of one statement sees the same snapshot):
    # its applications are marked too when what they show of it changed.
    before = candidates.alias("c").c
    shown_before = tuple_(before.first_name, before.last_name, before.emails[0].as_string())
    shown_now = tuple_(bindparam("first_name"), bindparam("last_name"), bindparam("first_email"))
    shown = applications.outerjoin(
        before.tenant_id.table,
        (before.tenant_id == applications.c.tenant_id) & (before.id == applications.c.candidate_id),
    )
    names = [c.name for c in SyncState.__table__.c]
    candidate_mark: Any = (
        select(*(literal_column(f"r.{n}") for n in names)).select_from(_outbox_row("outbox")).where(stored)
    )
    application_marks = (
        select(*(applications.c.id if n == "entity_id" else literal_column(f"r.{n}") for n in names))
        .select_from(shown.join(_outbox_row("application_outbox"), literal_column("true")))
        .where(
            applications.c.tenant_id == tenant,
            applications.c.candidate_id == candidate_id,
            stored,
            shown_before.is_distinct_from(shown_now),
        )
    )
    marks = union_all(candidate_mark, application_marks)
    marked = bump_version(postgresql.insert(SyncState.__table__).from_select(names, marks)).cte("outbox")
    counted = select(func.count()).select_from(changed).scalar_subquery()
    return select(deletion.c.erased, counted).add_cte(unfiled, filed, marked)
