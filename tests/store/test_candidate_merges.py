"""Merge records, on both stores: the merge a candidate was folded in by, the merges into a candidate in
order, and a pairing an operator undid, which is never merged again automatically."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.candidate_merges import CandidateMerge, MergeState
from store.db import Store
from store.uow import UnitOfWork

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def record(merge_id: str, source: str, target: str, minutes: int = 0) -> CandidateMerge:
    return CandidateMerge(
        id=merge_id,
        source_candidate_id=source,
        target_candidate_id=target,
        person_urn=f"urn:li:person:{source}",
        moved={"applications": []},
        target_before={},
        cause="stub:s-1",
        merged_at=T0 + timedelta(minutes=minutes),
    )


def test_active_merges_are_found_from_either_side_until_undone(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.merges.add(record("m-2", "li-2", "C-1", minutes=2))
        uow.merges.add(record("m-1", "li-1", "C-1", minutes=1))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        merged = uow.merges.active_from("li-1")
        assert merged is not None and merged.state == MergeState.MERGED
        assert [m.id for m in uow.merges.active_into("C-1")] == ["m-1", "m-2"]
        assert not uow.merges.was_undone("li-1", "C-1")
        merged.state = MergeState.UNDONE.value
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.merges.active_from("li-1") is None
        assert [m.id for m in uow.merges.active_into("C-1")] == ["m-2"]
        assert uow.merges.was_undone("li-1", "C-1")
        assert not uow.merges.was_undone("C-1", "li-1")
    with UnitOfWork("other", store) as uow:
        assert uow.merges.active_into("C-1") == []
