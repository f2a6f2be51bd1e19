"""Blocking keys of candidates and members, so matching one record never reads every other one.

Each record is filed under the keys ``matching.profiles.blocking_keys`` gives it (e-mail, phone,
profile URL, person URN, name with company or city). A changed candidate finds the members that
share a key with it, and a changed member finds the candidates, with one indexed lookup. Keys are
stored as fixed-width digests, so the index stays compact whatever the key (an e-mail can be 320
characters) and the table repeats no contact details in the clear. A candidate's or member's keys
are deleted with it.

Whoever rewrites an entity's keys first locks the entity's own row (``lock_owners``), as an erasure
does before deleting the entity with its keys: a writer and an erasure then take their turns instead
of deadlocking on each other's key rows and foreign-key checks. Two writers filing the same
entity's keys at once (a bulk run and a sweep) both succeed: keys are inserted ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ARRAY,
    ForeignKeyConstraint,
    Index,
    Select,
    String,
    bindparam,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, TenantScoped
from store.candidates import Candidate
from store.members import Member
from store.repository import TenantRepository, in_chunks

#: Key rows one INSERT files on PostgreSQL.
KEY_ROWS = 20_000


class Side(StrEnum):
    CANDIDATE = "candidate"
    MEMBER = "member"


class CandidateKey(TenantScoped, Base):
    __tablename__ = "candidate_match_keys"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "candidate_id"], ["candidates.tenant_id", "candidates.id"], ondelete="CASCADE"
        ),
        Index("ix_candidate_match_keys_candidate", "tenant_id", "candidate_id"),
    )

    digest: Mapped[str] = mapped_column(String(32), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(200), primary_key=True)


class MemberKey(TenantScoped, Base):
    __tablename__ = "member_match_keys"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "person_urn"], ["members.tenant_id", "members.person_urn"], ondelete="CASCADE"
        ),
        Index("ix_member_match_keys_member", "tenant_id", "person_urn"),
    )

    digest: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_urn: Mapped[str] = mapped_column(String(200), primary_key=True)


def digest(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def _table(side: Side) -> tuple[Any, Any]:
    """(model, its entity column) of one side."""
    if side is Side.CANDIDATE:
        return CandidateKey, CandidateKey.candidate_id
    return MemberKey, MemberKey.person_urn


def _owner(side: Side) -> tuple[Any, Any]:
    """(model, its key column) of the entities one side's keys belong to."""
    if side is Side.CANDIDATE:
        return Candidate, Candidate.id
    return Member, Member.person_urn


class MatchKeys(TenantRepository):
    def replace(
        self,
        side: Side,
        keys_by_entity: Mapping[str, Iterable[str]],
        *,
        filed: Iterable[str] | None = None,
        owners_locked: bool = False,
    ) -> None:
        """File each entity under exactly its given keys (its previous keys are dropped).

        ``filed``: the entities that have keys now, when the caller knows (the others need no delete).
        ``owners_locked``: the caller holds the entities' locks already (``lock_owners``) and
        knows they exist.
        """
        model, column = _table(side)
        if not owners_locked:
            existing = self.lock_owners(side, [*keys_by_entity, *(filed or ())])
            keys_by_entity = {e: keys for e, keys in keys_by_entity.items() if e in existing}
        for chunk in in_chunks(keys_by_entity if filed is None else filed):
            self.session.execute(
                delete(model)
                .where(model.tenant_id == self.tenant, column.in_(chunk))
                .execution_options(synchronize_session=False)
            )
        rows = [
            (self.tenant, d, entity)
            for entity, keys in keys_by_entity.items()
            for d in sorted({digest(k) for k in keys})
        ]
        if not rows:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            # One statement per KEY_ROWS rows, the rows as two arrays: a bulk run files hundreds
            # of thousands of keys. ON CONFLICT: a sweep filing the same member's keys meanwhile
            # (the lock above is shared) leaves its rows, never a unique violation.
            pairs = (
                func.unnest(
                    bindparam("digests", type_=ARRAY(String())), bindparam("entities", type_=ARRAY(String()))
                )
                .table_valued("d", "e")
                .render_derived(name="r")
            )
            stmt = (
                postgresql.insert(model.__table__)
                .from_select(
                    ["tenant_id", "digest", column.key],
                    select(bindparam("tenant", type_=String()), pairs.c.d, pairs.c.e),
                )
                .on_conflict_do_nothing()
            )
            for start in range(0, len(rows), KEY_ROWS):
                part = rows[start : start + KEY_ROWS]
                self.session.execute(
                    stmt,
                    {
                        "tenant": self.tenant,
                        "digests": [d for _, d, _ in part],
                        "entities": [e for _, _, e in part],
                    },
                )
            return
        self.session.execute(
            sqlite.insert(model).on_conflict_do_nothing(),
            [{"tenant_id": t, "digest": d, column.key: e} for t, d, e in rows],
        )

    def lock_owners(self, side: Side, entities: Iterable[str]) -> set[str]:
        """Lock the rows of the entities whose keys are about to change, in key order. On
        PostgreSQL ``FOR KEY SHARE``, the lock the keys' foreign-key checks take anyway, taken before
        the old keys are deleted: it waits for an erasure and makes an erasure wait, while ordinary
        updates of the row go on. Returns the entities that exist."""
        model, column = _owner(side)
        return self._selected(
            entities,
            lambda chunk: (
                select(column)
                .where(model.tenant_id == self.tenant, column.in_(chunk))
                .order_by(column)
                .with_for_update(read=True, key_share=True)
            ),
        )

    def refile(self, side: Side, keys_by_entity: Mapping[str, Iterable[str]]) -> int:
        """``replace`` only the entities whose keys changed (one read for the lot). Returns how many."""
        model, column = _table(side)
        wanted = {entity: {digest(k) for k in keys} for entity, keys in keys_by_entity.items()}
        stored: dict[str, set[str]] = {entity: set() for entity in wanted}
        entities = list(wanted)
        for chunk in in_chunks(entities):
            rows = self.session.execute(
                select(column, model.digest).where(model.tenant_id == self.tenant, column.in_(chunk))
            )
            for entity, found in rows:
                stored[entity].add(found)
        changed = {e: keys_by_entity[e] for e in entities if stored[e] != wanted[e]}
        if changed:
            self.replace(side, changed, filed=[e for e in changed if stored[e]])
        return len(changed)

    def refresh_statistics(self) -> None:
        """Let PostgreSQL's planner see the key tables' real size after a bulk change.

        A first bulk run grows them from nothing to millions of rows faster than autovacuum
        analyses them; a plan from "the table is empty" would scan it whole for every batch.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("ANALYZE candidate_match_keys, member_match_keys, candidate_matches"))

    def digests_of(self, side: Side, entity_id: str) -> set[str]:
        model, column = _table(side)
        return set(
            self.session.scalars(
                select(model.digest).where(model.tenant_id == self.tenant, column == entity_id)
            )
        )

    def entities(self, side: Side, keys: Iterable[str]) -> set[str]:
        """Entities of ``side`` filed under at least one of ``keys``."""
        return self.entities_by_digest(side, {digest(k) for k in keys})

    def entities_by_digest(self, side: Side, digests: Iterable[str]) -> set[str]:
        model, column = _table(side)
        return self._selected(
            digests,
            lambda chunk: select(column).where(model.tenant_id == self.tenant, model.digest.in_(chunk)),
        )

    def _selected(self, values: Iterable[str], query: Callable[[list[str]], Select[Any]]) -> set[str]:
        """What ``query`` selects for ``values``, given one ``in_chunks`` list at a time."""
        found: set[str] = set()
        for chunk in in_chunks(values):
            found.update(self.session.scalars(query(chunk)))
        return found

    def clear(self, side: Side) -> None:
        model, _ = _table(side)
        self.session.execute(delete(model).where(model.tenant_id == self.tenant))
