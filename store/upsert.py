"""Dialect-aware INSERT ... ON CONFLICT, the building block of idempotent and ordered writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for dialect {dialect!r}")


def insert_ignore(session: Session, table: Table, values: Mapping[str, Any], key: Sequence[str]) -> bool:
    """Insert a row unless its key exists. True when this call inserted it."""
    stmt = (
        dialect_insert(session, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(table.c[key[0]])
    )
    return session.execute(stmt).first() is not None


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
    stmt = dialect_insert(session, table).values(**values)
    columns = update if update is not None else [c for c in values if c not in key]
    newer: ColumnElement[bool] = tuple_(*(stmt.excluded[c] for c in order)) > tuple_(
        *(table.c[c] for c in order)
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key),
        set_={c: stmt.excluded[c] for c in columns},
        where=newer,
    ).returning(table.c[key[0]])
    return session.execute(stmt).first() is not None
