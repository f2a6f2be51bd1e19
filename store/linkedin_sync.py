"""What LinkedIn has not seen yet: a per-record version pair that works as a transactional outbox.

Every local change that LinkedIn must learn about bumps ``version`` in the same transaction as the
change. A push sends the *current* state of the record (LinkedIn's PUT replaces the whole record)
and then moves ``synced_version`` up to the version it read. So a crash between the commit and the
push loses nothing (the record stays dirty), a repeated push is harmless, and ten changes in a row
cost one push carrying the latest state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Index, Integer, String, Text, and_, case, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, TenantScoped, utcnow
from store.repository import TenantRepository
from store.upsert import dialect_insert


class Resource(StrEnum):
    JOB = "job"
    CANDIDATE = "candidate"
    #: The manualMatchedMember partial update of a candidate (person URN link or unlink).
    CANDIDATE_MEMBER = "candidate_member"
    APPLICATION = "application"
    #: A note about a candidate or an application (``store.ats_notes``).
    NOTE = "note"
    #: A job's ACL and its assignees (``store.job_acls``), when its tenant's viewers are ACL_BASED.
    JOB_ACL = "job_acl"


class SyncOutcome(StrEnum):
    OK = "ok"
    #: LinkedIn refused the record (4xx validation); not retried until the record changes again.
    REJECTED = "rejected"
    #: Nothing to send in this state (a draft job LinkedIn never listed); settled without a call.
    SKIPPED = "skipped"


class SyncState(TenantScoped, Base):
    __tablename__ = "linkedin_sync"
    __table_args__ = (Index("ix_linkedin_sync_dirty_since", "dirty_since"),)

    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    synced_version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the oldest change LinkedIn has not seen was made; NULL when in sync.
    dirty_since: Mapped[datetime | None]
    #: A push in flight holds the record until then (another worker skips it meanwhile).
    lease_until: Mapped[datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)


class LinkedInOutbox(TenantRepository):
    def mark_changed(self, resource: Resource, entity_id: str) -> None:
        self.mark_all_changed([(resource, entity_id)])

    def mark_all_changed(self, records: Iterable[tuple[Resource, str]]) -> None:
        """Bump the version of each (resource, entity id), in one round trip."""
        rows = self.rows(records)
        if not rows:
            return
        self.session.flush()
        self.session.connection().execute(_mark_statement(self.session), rows)

    def rows(self, records: Iterable[tuple[Resource, str]]) -> list[dict[str, Any]]:
        """The rows ``mark_all_changed`` writes (``bump_version`` on conflict), one per distinct record."""
        now = utcnow()
        return [
            {
                "tenant_id": self.tenant,
                "resource": resource.value,
                "entity_id": entity_id,
                "version": 1,
                "synced_version": 0,
                "changed_at": now,
                "dirty_since": now,
            }
            for resource, entity_id in dict.fromkeys(records)
        ]

    def state(self, resource: Resource, entity_id: str) -> SyncState | None:
        return self.session.get(SyncState, (self.tenant, resource.value, entity_id))

    def states(self, resource: Resource, entity_ids: Iterable[str]) -> dict[str, SyncState]:
        """The outbox rows of many records that have one, by entity id, in one query."""
        rows = self.session.scalars(
            select(SyncState).where(
                SyncState.tenant_id == self.tenant,
                SyncState.resource == resource.value,
                SyncState.entity_id.in_(list(entity_ids)),
            )
        )
        return {row.entity_id: row for row in rows}

    def claim(
        self,
        resource: Resource,
        *,
        ids: Iterable[str] | None = None,
        limit: int = 100,
        quiet_for: timedelta = timedelta(0),
        max_wait: timedelta | None = None,
        lease: timedelta,
        within: ColumnElement[bool] | None = None,
    ) -> dict[str, int]:
        """Lease up to ``limit`` dirty records and return {entity_id: version to push}.

        The records are held for ``lease`` (``RSC_WORK_LEASE_S``). A push that outlives it may overlap
        with the next one; that is harmless (whole-record PUTs, settled by version).

        A record is due when it has been quiet for ``quiet_for`` or dirty for longer than
        ``max_wait``; bursts of changes therefore coalesce into one push. ``within`` (on the entity id)
        leaves out the records a historical sync has not reached (it sends those, ``store.backfill``).
        """
        now = utcnow()
        due = SyncState.changed_at <= now - quiet_for
        if max_wait is not None:
            due = or_(due, SyncState.dirty_since <= now - max_wait)
        stmt = (
            select(SyncState.entity_id, SyncState.version)
            .where(
                SyncState.tenant_id == self.tenant,
                SyncState.resource == resource.value,
                SyncState.version > SyncState.synced_version,
                or_(SyncState.lease_until.is_(None), SyncState.lease_until < now),
                due,
            )
            .order_by(SyncState.dirty_since, SyncState.entity_id)
            .limit(limit)
        )
        if ids is not None:
            stmt = stmt.where(SyncState.entity_id.in_(list(ids)))
        if within is not None:
            stmt = stmt.where(within)
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = {entity_id: version for entity_id, version in self.session.execute(stmt)}
        if rows:
            self.session.execute(
                update(SyncState)
                .where(
                    SyncState.tenant_id == self.tenant,
                    SyncState.resource == resource.value,
                    SyncState.entity_id.in_(list(rows)),
                )
                .values(lease_until=now + lease)
                .execution_options(synchronize_session=False)
            )
        return rows

    def settle(
        self,
        resource: Resource,
        pushed: Mapping[str, int],
        *,
        outcome: SyncOutcome = SyncOutcome.OK,
        error: str | None = None,
    ) -> None:
        """Record that LinkedIn holds (or refused) each record at the given version."""
        by_version: dict[int, list[str]] = {}
        for entity_id, version in pushed.items():
            by_version.setdefault(version, []).append(entity_id)
        # One statement per version pushed, not per record: a batch mostly shares one or two.
        for version, entity_ids in by_version.items():
            self.session.execute(
                update(SyncState)
                .where(
                    SyncState.tenant_id == self.tenant,
                    SyncState.resource == resource.value,
                    SyncState.entity_id.in_(entity_ids),
                )
                .values(
                    synced_version=case(
                        (SyncState.synced_version < version, version), else_=SyncState.synced_version
                    ),
                    dirty_since=case((SyncState.version <= version, None), else_=SyncState.dirty_since),
                    lease_until=None,
                    last_outcome=outcome.value,
                    last_error=error,
                )
                .execution_options(synchronize_session=False)
            )

    def release(
        self,
        resource: Resource,
        entity_ids: Iterable[str],
        error: str,
        *,
        retry_in: timedelta | None = None,
    ) -> None:
        """Give records back after a transient failure so the next push picks them up.

        With ``retry_in`` they stay held that long (a record waiting for another one it depends on
        is not worth a sweep every tick).
        """
        lease_until = utcnow() + retry_in if retry_in else None
        self.session.execute(
            update(SyncState)
            .where(
                and_(
                    SyncState.tenant_id == self.tenant,
                    SyncState.resource == resource.value,
                    SyncState.entity_id.in_(list(entity_ids)),
                )
            )
            .values(lease_until=lease_until, last_error=error)
            .execution_options(synchronize_session=False)
        )

    def dirty_ids(self, resource: Resource, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` LinkedIn has not seen in their latest version."""
        return set(
            self.session.scalars(
                select(SyncState.entity_id).where(
                    SyncState.tenant_id == self.tenant,
                    SyncState.resource == resource.value,
                    SyncState.entity_id.in_(list(ids)),
                    SyncState.version > SyncState.synced_version,
                )
            )
        )

    def dirty_count(self, resource: Resource | None = None) -> int:
        stmt = select(func.count()).where(
            SyncState.tenant_id == self.tenant, SyncState.version > SyncState.synced_version
        )
        if resource is not None:
            stmt = stmt.where(SyncState.resource == resource.value)
        return int(self.session.scalar(stmt) or 0)


def tenants_with_due_records(
    session: Session,
    resources: Iterable[Resource],
    *,
    quiet_for: timedelta = timedelta(0),
    max_wait: timedelta | None = None,
) -> list[str]:
    """Tenants holding records LinkedIn has not seen that no push holds right now (operator query).

    A record is due when it has been quiet for ``quiet_for``, or dirty for ``max_wait`` however
    often it keeps changing.
    """
    now = utcnow()
    due = SyncState.changed_at <= now - quiet_for
    if max_wait is not None:
        due = or_(due, SyncState.dirty_since <= now - max_wait)
    return list(
        session.scalars(
            select(SyncState.tenant_id)
            .where(
                SyncState.dirty_since.is_not(None),
                SyncState.resource.in_([r.value for r in resources]),
                or_(SyncState.lease_until.is_(None), SyncState.lease_until < now),
                due,
            )
            .distinct()
            .order_by(SyncState.tenant_id)
        )
    )


_marks: dict[str, Any] = {}


def _mark_statement(session: Session) -> Any:
    """INSERT ... ON CONFLICT bumping the version, built once per dialect and run for many rows."""
    dialect = session.get_bind().dialect.name
    if dialect not in _marks:
        _marks[dialect] = bump_version(dialect_insert(session, SyncState.__table__))
    return _marks[dialect]


def bump_version(insert: Any) -> Any:
    """``insert`` (of outbox rows) bumping the version of a record that has a row already."""
    table = SyncState.__table__.c
    return insert.on_conflict_do_update(
        index_elements=["tenant_id", "resource", "entity_id"],
        set_={
            "version": table.version + 1,
            "changed_at": insert.excluded.changed_at,
            "dirty_since": func.coalesce(table.dirty_since, insert.excluded.dirty_since),
        },
    )
