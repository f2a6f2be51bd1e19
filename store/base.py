"""Declarative base, the tenant mixin and column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData, String, Table, TypeDecorator, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both stores (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: JSON on SQLite, JSONB on PostgreSQL.
Json = JSON().with_variant(JSONB(), "postgresql")
#: Auto-increment ids that are BIGINT on PostgreSQL and INTEGER (rowid) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    #: Every model here maps one table (SQLAlchemy types ``__table__`` as any selectable a class may
    #: be mapped to); typed as what it is, it goes to Core helpers that take a ``Table``.
    __table__: ClassVar[Table]
    type_annotation_map: dict[Any, Any] = {datetime: UtcDateTime()}


class TenantScoped:
    """Rows owned by one tenant: the tenant id leads every primary key."""

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True, sort_order=-100)


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def only_where(condition: str) -> dict[str, Any]:
    """The keyword arguments of an ``Index`` that covers only the rows where ``condition`` holds, on
    both stores.

    An index that leads with ``tenant_id`` and holds every row could be picked for a lookup by
    primary key: PostgreSQL plans a foreign key's check once per connection, and on a table too new
    to have statistics the two indexes look the same; the check then read every row of the tenant.
    An index whose queries all need a value that most rows leave NULL covers only the rows with it.
    """
    return {"postgresql_where": text(condition), "sqlite_where": text(condition)}
