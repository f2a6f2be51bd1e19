"""Dialect-aware INSERT ... ON CONFLICT, the building block of idempotent and ordered writes.

The statements are built once per table, key and set of columns and then executed with the row as
parameters: building a statement with ``.values(...)`` for every row costs more CPU than the round
trip it makes, and these run on every event.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, column, func, literal_column, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_statements: dict[tuple[Any, ...], Any] = {}
_lock = threading.Lock()


def dialect_insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for dialect {dialect!r}")


def _cached(session: Session, key: tuple[Any, ...], build: Any) -> Any:
    full_key = (session.get_bind().dialect.name, *key)
    stmt = _statements.get(full_key)
    if stmt is None:
        with _lock:
            stmt = _statements.setdefault(full_key, build(dialect_insert(session, key[0])))
    return stmt


def insert_from_json(table: Table, param: str, *, many: bool = False, where: Any = None) -> Any:
    """A PostgreSQL INSERT of a whole row (``many``: rows) of ``table`` bound as one JSON parameter
    (``json_row``), for several tables' INSERTs in one statement: its SQL stays short and it has one
    parameter per table, which keeps it within what the driver caches (4 kB, 50 parameters).
    ``where``: the row is inserted only when it holds."""
    rows = json_rows(table, param, many=many)
    names = [c.name for c in table.c]
    source: Any = select(*(column(n) for n in names)).select_from(rows)
    return postgresql.insert(table).from_select(names, source if where is None else source.where(where))


def json_rows(table: Table, param: str, *, many: bool = True) -> Any:
    """``jsonb_populate_record(set)(NULL::table, :param) AS r``: ``table``'s row (``many``: rows)
    bound as one JSON parameter (``json_row``)."""
    populate = func.jsonb_populate_recordset if many else func.jsonb_populate_record
    row = bindparam(param, type_=postgresql.JSONB)
    return populate(literal_column(f"NULL::{table.name}"), row).alias("r")


def json_row(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as ``insert_from_json`` binds them: every column, the defaults of those they leave
    out, times in ISO 8601."""
    row: dict[str, Any] = {}
    for c in table.c:
        if c.name in values:
            value = values[c.name]
        else:
            default: Any = c.default
            value = None if default is None else default.arg(None) if default.is_callable else default.arg
        row[c.name] = value.isoformat() if isinstance(value, datetime) else value
    return row


def _execute(session: Session, stmt: Any, values: Mapping[str, Any]) -> bool:
    """Run ``stmt`` for one row on the session's connection (as ``session.execute`` would, after
    flushing what the session holds, without the ORM's per-statement work). True when it returned a row."""
    session.flush()
    return session.connection().execute(stmt, dict(values)).first() is not None


def insert_row(session: Session, table: Table, values: Mapping[str, Any]) -> None:
    """A plain INSERT of one row."""
    stmt = _cached(session, (table, "insert"), lambda insert: insert)
    session.flush()
    session.connection().execute(stmt, dict(values))


def insert_ignore(session: Session, table: Table, values: Mapping[str, Any], key: Sequence[str]) -> bool:
    """Insert a row unless its key exists. True when this call inserted it."""
    stmt = _cached(
        session,
        (table, "ignore", tuple(key)),
        lambda insert: insert.on_conflict_do_nothing(index_elements=list(key)).returning(table.c[key[0]]),
    )
    return _execute(session, stmt, values)


#: The columns that order two snapshots of an ATS record: its modified time, then its revision.
SNAPSHOT_ORDER = ("source_modified_ms", "source_revision")


def upsert_snapshot(
    session: Session,
    table: Table,
    values: Mapping[str, Any],
    *,
    order: Sequence[str] = SNAPSHOT_ORDER,
    update: Sequence[str] | None = None,
) -> bool:
    """``upsert_newer`` of a tenant's record keyed by ``(tenant_id, id)``; when it changed, the
    session's identity map (which may hold the row as it was) is expired. True when it changed."""
    changed = upsert_newer(session, table, values, key=("tenant_id", "id"), order=order, update=update)
    if changed:
        session.expire_all()
    return changed


def update_if_newer(
    insert: Any, table: Table, *, key: Sequence[str], order: Sequence[str], columns: Sequence[str]
) -> Any:
    """``insert`` updating ``columns`` of the row it conflicts with on ``key`` only when its
    ``order`` columns are greater than the stored ones."""
    newer: ColumnElement[bool] = tuple_(*(insert.excluded[c] for c in order)) > tuple_(
        *(table.c[c] for c in order)
    )
    return insert.on_conflict_do_update(
        index_elements=list(key), set_={c: insert.excluded[c] for c in columns}, where=newer
    )


def upsert_newer(
    session: Session,
    table: Table,
    values: Mapping[str, Any],
    *,
    key: Sequence[str],
    order: Sequence[str],
    update: Sequence[str] | None = None,
) -> bool:
    """Insert, or update only when the incoming ``order`` columns are greater than the stored ones.

    One statement, so concurrent writers cannot interleave a read and a write: a snapshot older
    than (or equal to) the stored one changes nothing. True when the row was inserted or updated.
    """
    columns = tuple(update if update is not None else [c for c in values if c not in key])

    def build(insert: Any) -> Any:
        newer = update_if_newer(insert, table, key=key, order=order, columns=columns)
        return newer.returning(table.c[key[0]])

    stmt = _cached(session, (table, "newer", tuple(key), tuple(order), columns), build)
    return _execute(session, stmt, values)
